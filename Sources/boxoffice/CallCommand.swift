import ArgumentParser

/// `call`: placeholder until it is built; its owner replaces this file.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "call", abstract: "(not built yet)")

    func run() async throws {
        throw ValidationError("'call' is not built yet")
    }
}

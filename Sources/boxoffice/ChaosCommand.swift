import ArgumentParser

/// `chaos`: placeholder until it is built; its owner replaces this file.
struct ChaosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chaos", abstract: "(not built yet)")

    func run() async throws {
        throw ValidationError("'chaos' is not built yet")
    }
}

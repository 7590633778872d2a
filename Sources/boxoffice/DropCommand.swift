import ArgumentParser

/// `drop`: placeholder until it is built; its owner replaces this file.
struct DropCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "drop", abstract: "(not built yet)")

    func run() async throws {
        throw ValidationError("'drop' is not built yet")
    }
}

import ArgumentParser

/// `inventory`: placeholder until it is built; its owner replaces this file.
struct ServeInventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inventory", abstract: "(not built yet)")

    func run() async throws {
        throw ValidationError("'inventory' is not built yet")
    }
}

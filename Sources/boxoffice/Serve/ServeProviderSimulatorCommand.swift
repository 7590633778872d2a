import ArgumentParser

/// `provider-sim`: placeholder until it is built; its owner replaces this file.
struct ServeProviderSimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "provider-sim", abstract: "(not built yet)")

    func run() async throws {
        throw ValidationError("'provider-sim' is not built yet")
    }
}

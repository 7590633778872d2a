import ArgumentParser

/// `payment`: placeholder until it is built; its owner replaces this file.
struct ServePaymentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "payment", abstract: "(not built yet)")

    func run() async throws {
        throw ValidationError("'payment' is not built yet")
    }
}

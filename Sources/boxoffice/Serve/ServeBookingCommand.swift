import ArgumentParser

/// `booking`: placeholder until it is built; its owner replaces this file.
struct ServeBookingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "booking", abstract: "(not built yet)")

    func run() async throws {
        throw ValidationError("'booking' is not built yet")
    }
}

import ArgumentParser

/// `boxoffice serve …`: runs one service process.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run one BoxOffice service: inventory, booking, payment or provider-sim.",
        discussion: "Each prints 'LISTENING <port>' once it serves, and shuts down gracefully on SIGTERM or SIGINT. "
            + "Every flag --foo-bar may also be set by the environment variable BOXOFFICE_FOO_BAR.",
        subcommands: [ServeInventoryCommand.self, ServeBookingCommand.self, ServePaymentCommand.self,
                      ServeProviderSimulatorCommand.self])
}

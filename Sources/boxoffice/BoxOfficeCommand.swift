import ArgumentParser

/// The `boxoffice` command line: one subcommand per job.
///
/// Add a subcommand by writing an `AsyncParsableCommand` in its own file and listing it in
/// ``subcommands``.
@main
struct BoxOfficeCommand: AsyncParsableCommand {
    /// Every subcommand, in the order `--help` shows them.
    static let subcommands: [any ParsableCommand.Type] = [
        ServeCommand.self,
        ClusterCommand.self,
        DropCommand.self,
        ChaosCommand.self,
        CallCommand.self,
        InteropServerCommand.self,
        InteropClientCommand.self,
    ]

    static let configuration = CommandConfiguration(
        commandName: "boxoffice",
        abstract: "BoxOffice: ticketing services speaking gRPC, and their tools.",
        subcommands: subcommands)
}

import ArgumentParser

/// `boxoffice cluster up|down`: the whole system on this machine.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Run a local BoxOffice cluster: PostgreSQL, Redis and the four services.",
        subcommands: [ClusterUpCommand.self, ClusterDownCommand.self])
}

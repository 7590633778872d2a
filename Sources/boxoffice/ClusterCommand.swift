import ArgumentParser

/// `cluster`: placeholder until it is built; its owner replaces this file.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cluster", abstract: "(not built yet)")

    func run() async throws {
        throw ValidationError("'cluster' is not built yet")
    }
}

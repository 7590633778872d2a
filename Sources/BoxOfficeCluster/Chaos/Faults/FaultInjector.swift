/// Injects faults and undoes them; the ``FaultPlayer`` calls it at the planned moments.
public protocol FaultInjector: Sendable {
    /// Starts `fault` (an instant fault happens entirely here).
    func begin(_ fault: FaultKind) async throws
    /// Ends a lasting fault: resumes, starts again, restores the network. Nothing for instant faults.
    func end(_ fault: FaultKind) async throws
}

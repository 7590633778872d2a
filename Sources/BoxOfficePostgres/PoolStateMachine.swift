/// The pool's bookkeeping: which connection is lent to whom, who waits, when to open another.
///
/// No I/O: the client opens and closes connections and resumes waiters as the returned values say.
/// Generic over the connection so tests can use plain values.
struct PoolStateMachine<Connection> {
    typealias SlotID = Int
    typealias WaiterID = Int

    struct Slot {
        var connection: Connection
        var leases: Int
        var exclusive: Bool
        var idleSince: ContinuousClock.Instant?
    }

    /// What an acquirer (or a waiter being served) gets.
    enum Grant {
        /// Use this connection; `idleSince` is set when it had been idle (so a health check may be due).
        case lease(SlotID, Connection, idleSince: ContinuousClock.Instant?)
        /// Open a new connection, then report it with ``created(_:exclusive:now:)`` or ``creationFailed()``.
        case create
    }

    enum AcquireAction {
        case grant(Grant)
        case wait
        case closed
    }

    let maximumConnections: Int
    let pipelineDepth: Int
    private(set) var slots: [SlotID: Slot] = [:]
    private(set) var creating = 0
    private var waiters: [(id: WaiterID, exclusive: Bool)] = []
    private var nextSlotID = 0
    private(set) var isShutDown = false

    init(maximumConnections: Int, pipelineDepth: Int) {
        self.maximumConnections = maximumConnections
        self.pipelineDepth = pipelineDepth
    }

    var waiterCount: Int { waiters.count }

    /// A caller wants a connection: exclusively (transactions) or shared up to `pipelineDepth`.
    mutating func acquire(exclusive: Bool, waiter: WaiterID) -> AcquireAction {
        if isShutDown { return .closed }
        if waiters.isEmpty, let grant = leaseExisting(exclusive: exclusive) { return .grant(grant) }
        if slots.count + creating < maximumConnections {
            creating += 1
            return .grant(.create)
        }
        waiters.append((waiter, exclusive))
        return .wait
    }

    /// A connection opened for a `.create` grant; it is lent to that caller at once.
    mutating func created(_ connection: Connection, exclusive: Bool) -> SlotID {
        creating -= 1
        let id = nextSlotID
        nextSlotID += 1
        slots[id] = Slot(connection: connection, leases: 1, exclusive: exclusive, idleSince: nil)
        return id
    }

    /// Opening a connection failed: its capacity goes to the first waiter, which tries again.
    mutating func creationFailed() -> [(WaiterID, Grant)] {
        creating -= 1
        return serveWaiters()
    }

    /// A lease ends. With `keep == false` the connection is dropped (the caller closes it).
    mutating func release(_ slotID: SlotID, keep: Bool, now: ContinuousClock.Instant) -> [(WaiterID, Grant)] {
        guard var slot = slots[slotID] else { return serveWaiters() }
        if !keep {
            slots[slotID] = nil
        } else {
            slot.leases -= 1
            if slot.leases == 0 {
                slot.exclusive = false
                slot.idleSince = now
            }
            slots[slotID] = slot
        }
        return serveWaiters()
    }

    /// A waiter gave up (timeout or cancellation). Returns false when it had already been served.
    mutating func cancelWaiter(_ waiter: WaiterID) -> Bool {
        guard let index = waiters.firstIndex(where: { $0.id == waiter }) else { return false }
        waiters.remove(at: index)
        return true
    }

    /// Closes the pool: every connection (to be closed by the caller) and every waiter (to be failed).
    mutating func shutDown() -> (connections: [Connection], waiters: [WaiterID]) {
        isShutDown = true
        let connections = slots.values.map(\.connection)
        let failed = waiters.map(\.id)
        slots = [:]
        waiters = []
        return (connections, failed)
    }

    private mutating func leaseExisting(exclusive: Bool) -> Grant? {
        var best: (SlotID, Slot)?
        for (id, slot) in slots where !slot.exclusive {
            if exclusive ? slot.leases == 0 : slot.leases < pipelineDepth {
                // Shared callers spread over the least-loaded connection; idle ones are equal.
                if best == nil || slot.leases < best!.1.leases { best = (id, slot) }
                if slot.leases == 0 { break }
            }
        }
        guard let (id, found) = best else { return nil }
        var slot = found
        let idleSince = slot.leases == 0 ? slot.idleSince : nil
        slot.leases += 1
        slot.exclusive = exclusive
        slot.idleSince = nil
        slots[id] = slot
        return .lease(id, slot.connection, idleSince: idleSince)
    }

    private mutating func serveWaiters() -> [(WaiterID, Grant)] {
        var served: [(WaiterID, Grant)] = []
        while let first = waiters.first {
            if let grant = leaseExisting(exclusive: first.exclusive) {
                served.append((first.id, grant))
            } else if slots.count + creating < maximumConnections {
                creating += 1
                served.append((first.id, .create))
            } else {
                break
            }
            waiters.removeFirst()
        }
        return served
    }
}

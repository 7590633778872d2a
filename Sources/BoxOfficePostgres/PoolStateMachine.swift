/// The pool's bookkeeping: which connection is lent to whom, who waits, when to open another.
///
/// No I/O: the client opens and closes connections and resumes waiters as the returned values say.
/// Generic over the connection so tests can use plain values. Slots live in arrays (a dropped
/// connection's place is reused; its slot ID, which carries the place's generation, is not, so a
/// late release of an old lease changes nothing), idle connections on a stack: lending an idle
/// connection is O(1) and a scan over the slots copies no references.
struct PoolStateMachine<Connection> {
    typealias SlotID = Int
    typealias WaiterID = Int

    /// How one open connection is lent: plain values only.
    struct Lending {
        var leases: Int
        var exclusive: Bool
        var idleSince: ContinuousClock.Instant?
        /// The reactor thread that reads this connection; leases prefer connections near the caller.
        var home: ObjectIdentifier?
    }

    /// What an acquirer (or a waiter being served) gets.
    enum Grant {
        /// Use this connection; `idleSince` is set when it had been idle (so a health check may be due).
        case lease(SlotID, Connection, idleSince: ContinuousClock.Instant?)
        /// Open a new connection, then report it with ``created(_:exclusive:home:)`` or ``creationFailed()``.
        case create
    }

    enum AcquireAction {
        case grant(Grant)
        case wait
        case closed
    }

    let maximumConnections: Int
    let pipelineDepth: Int
    /// Indexed by place (``place(of:)``); nil where no connection is.
    private var connections: [Connection?] = []
    private var lendings: [Lending?] = []
    /// How many connections each place has held before its current one.
    private var generations: [Int] = []
    private var freePlaces: [Int] = []
    private static var placeBits: Int { 24 }
    /// Places of open connections nobody uses, the most recently released last (lent first: it is warm).
    private var idle: [Int] = []
    /// Open connections, lent or idle.
    private(set) var openCount = 0
    private(set) var creating = 0
    private var waiters: [(id: WaiterID, exclusive: Bool)] = []
    private(set) var isShutDown = false

    init(maximumConnections: Int, pipelineDepth: Int) {
        self.maximumConnections = maximumConnections
        self.pipelineDepth = pipelineDepth
    }

    var waiterCount: Int { waiters.count }

    /// A caller wants a connection: exclusively (transactions) or shared up to `pipelineDepth`;
    /// among those it may use, one whose `home` is `near` goes first.
    mutating func acquire(exclusive: Bool, waiter: WaiterID, near: ObjectIdentifier? = nil) -> AcquireAction {
        if let action = acquireWithoutWaiting(exclusive: exclusive, near: near) { return action }
        waiters.append((waiter, exclusive))
        return .wait
    }

    /// ``acquire(exclusive:waiter:near:)`` for a caller that has not registered as a waiter yet:
    /// nil where it would have to wait (nothing changes then).
    mutating func acquireWithoutWaiting(exclusive: Bool, near: ObjectIdentifier? = nil) -> AcquireAction? {
        if isShutDown { return .closed }
        if waiters.isEmpty, let grant = leaseExisting(exclusive: exclusive, near: near) { return .grant(grant) }
        if openCount + creating < maximumConnections {
            creating += 1
            return .grant(.create)
        }
        return nil
    }

    /// A connection opened for a `.create` grant; it is lent to that caller at once.
    mutating func created(_ connection: Connection, exclusive: Bool, home: ObjectIdentifier? = nil) -> SlotID {
        creating -= 1
        openCount += 1
        let lending = Lending(leases: 1, exclusive: exclusive, idleSince: nil, home: home)
        if let place = freePlaces.popLast() {
            connections[place] = connection
            lendings[place] = lending
            return slotID(place)
        }
        connections.append(connection)
        lendings.append(lending)
        generations.append(0)
        return slotID(connections.count - 1)
    }

    private func slotID(_ place: Int) -> SlotID { generations[place] << Self.placeBits | place }

    /// The place of a current slot; nil for an ID whose connection was dropped (or never existed).
    private func place(of slotID: SlotID) -> Int? {
        let place = slotID & (1 << Self.placeBits - 1)
        guard lendings.indices.contains(place), lendings[place] != nil, slotID == self.slotID(place) else { return nil }
        return place
    }

    /// Opening a connection failed: its capacity goes to the first waiter, which tries again.
    mutating func creationFailed() -> [(WaiterID, Grant)] {
        creating -= 1
        return serveWaiters()
    }

    /// A lease ends. With `keep == false` the connection is dropped (the caller closes it).
    mutating func release(_ slotID: SlotID, keep: Bool, now: ContinuousClock.Instant) -> [(WaiterID, Grant)] {
        guard let place = place(of: slotID), var lending = lendings[place] else { return serveWaiters() }
        if !keep {
            connections[place] = nil
            lendings[place] = nil
            generations[place] += 1
            freePlaces.append(place)
            openCount -= 1
            idle.removeAll { $0 == place }
        } else {
            lending.leases -= 1
            if lending.leases == 0 {
                lending.exclusive = false
                lending.idleSince = now
                idle.append(place)
            }
            lendings[place] = lending
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
        let open = connections.compactMap { $0 }
        let failed = waiters.map(\.id)
        connections = []
        lendings = []
        freePlaces = []
        generations = []
        idle = []
        openCount = 0
        waiters = []
        return (open, failed)
    }

    private mutating func leaseExisting(exclusive: Bool, near: ObjectIdentifier?) -> Grant? {
        if exclusive || pipelineDepth == 1 {
            guard let position = idlePosition(near: near) else { return nil }
            return lend(idle.remove(at: position), exclusive: exclusive)
        }
        // Shared: near connections first, then the least loaded (idle ones have no lease at all).
        var best: (place: Int, isNear: Bool, leases: Int)?
        for place in lendings.indices {
            guard let lending = lendings[place], !lending.exclusive, lending.leases < pipelineDepth else { continue }
            let isNear = near != nil && lending.home == near
            if let current = best, isNear == current.isNear ? lending.leases >= current.leases : !isNear { continue }
            best = (place, isNear, lending.leases)
            if lending.leases == 0 && (near == nil || isNear) { break }
        }
        guard let best else { return nil }
        if best.leases == 0 { idle.removeAll { $0 == best.place } }
        return lend(best.place, exclusive: false)
    }

    /// Where on the idle stack the connection to lend is: the newest near one, else the newest;
    /// nil when none is idle, or when only far ones are and the pool may still open one near.
    ///
    /// A far connection is read by another reactor thread while this caller sends on it, so the
    /// two threads contend for the connection's lock on every round trip; opening a near one
    /// instead keeps each reactor's connections to its own callers (as pgbench's threads each own
    /// theirs), and the pool's size is still bounded by its maximum.
    private func idlePosition(near: ObjectIdentifier?) -> Int? {
        guard !idle.isEmpty else { return nil }
        guard let near else { return idle.count - 1 }
        if let position = idle.lastIndex(where: { lendings[$0]?.home == near }) { return position }
        return openCount + creating < maximumConnections ? nil : idle.count - 1
    }

    private mutating func lend(_ place: Int, exclusive: Bool) -> Grant {
        var lending = lendings[place]!
        let idleSince = lending.leases == 0 ? lending.idleSince : nil
        lending.leases += 1
        lending.exclusive = exclusive
        lending.idleSince = nil
        lendings[place] = lending
        return .lease(slotID(place), connections[place]!, idleSince: idleSince)
    }

    private mutating func serveWaiters() -> [(WaiterID, Grant)] {
        var served: [(WaiterID, Grant)] = []
        while let first = waiters.first {
            if let grant = leaseExisting(exclusive: first.exclusive, near: nil) {
                served.append((first.id, grant))
            } else if openCount + creating < maximumConnections {
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

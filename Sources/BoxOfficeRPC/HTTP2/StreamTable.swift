/// A map from HTTP/2 stream ID to per-stream state, for the hot paths of a connection.
///
/// `Dictionary<Int32, _>` hashes every key with seeded SipHash; a connection looks its streams up
/// a dozen times per request, and that hashing showed up as ~4% of the server's CPU time. Here a
/// stream sits in an open-addressed table with linear probing, at most half full, at slot
/// `(id / 2) mod capacity`: a client opens streams with consecutive odd IDs, so they take
/// consecutive slots (one probe, and neighbouring cache lines rather than scattered ones).
/// Removal shifts the probe run back (no tombstones), and only when some stream sits away from its
/// ideal slot: a busy connection's streams form one long run of consecutive slots, and scanning that
/// run on every removal (as plain backward-shift deletion does) cost ~3.5% of the server's CPU time
/// at 100 streams per connection.
///
/// Keys are stream IDs, never 0. The client picks them and could space them to collide, but the
/// table only ever holds a connection's open streams (bounded by its
/// `SETTINGS_MAX_CONCURRENT_STREAMS` and the streams still closing), so a crafted run of colliding
/// IDs costs at most a probe over those few entries.
package struct StreamTable<Value> {
    /// Slot keys; 0 marks an empty slot.
    private var keys: [Int32]
    private var values: [Value?]
    /// The number of streams in the table.
    package private(set) var count = 0
    /// The number of streams not in their ideal slot (pushed along by a collision). While it is 0,
    /// a removal moves nothing: only a displaced stream can fill a hole.
    package private(set) var displacedCount = 0

    /// Creates an empty table.
    package init() {
        keys = Array(repeating: 0, count: 16)
        values = Array(repeating: nil, count: 16)
    }

    /// Whether the table holds no stream.
    package var isEmpty: Bool { count == 0 }

    private var mask: Int { keys.count - 1 }

    /// Where `key` sits unless a collision pushed it along.
    @inline(__always)
    package func idealSlot(_ key: Int32) -> Int {
        Int(truncatingIfNeeded: UInt32(bitPattern: key) >> 1) & mask
    }

    /// The slot holding `key`, or nil.
    package func slot(of key: Int32) -> Int? {
        var slot = idealSlot(key)
        while true {
            let found = keys[slot]
            if found == key { return slot }
            if found == 0 { return nil }
            slot = (slot + 1) & mask
        }
    }

    /// The value in a slot returned by ``slot(of:)`` (valid until the next insertion or removal).
    package subscript(slot slot: Int) -> Value {
        get { values[slot]! }
        _modify { yield &values[slot]! }
    }

    /// The value for `key`; setting nil removes it.
    package subscript(key: Int32) -> Value? {
        get { slot(of: key).map { values[$0]! } }
        set {
            if let newValue { updateValue(newValue, forKey: key) } else { removeValue(forKey: key) }
        }
    }

    /// Stores `value` for `key`, replacing any earlier value.
    package mutating func updateValue(_ value: Value, forKey key: Int32) {
        precondition(key != 0, "stream 0 is the connection, not a stream")
        if let existing = slot(of: key) {
            values[existing] = value
            return
        }
        if (count + 1) * 2 > keys.count { grow() }
        insertNew(value, forKey: key)
    }

    /// Removes and returns the value for `key`.
    @discardableResult
    package mutating func removeValue(forKey key: Int32) -> Value? {
        guard var hole = slot(of: key) else { return nil }
        let removed = values[hole].take()
        count -= 1
        if hole != idealSlot(key) { displacedCount -= 1 }
        // Backward-shift deletion: move later members of the probe run into the hole when their
        // ideal slot does not lie (cyclically) between the hole and where they sit. Once no stream
        // is displaced, none further on can move.
        var next = (hole + 1) & mask
        while displacedCount > 0 && keys[next] != 0 {
            let ideal = idealSlot(keys[next])
            let staysPut = hole <= next ? (hole < ideal && ideal <= next) : (hole < ideal || ideal <= next)
            if !staysPut {
                keys[hole] = keys[next]
                values[hole] = values[next].take()
                if hole == ideal { displacedCount -= 1 }
                hole = next
            }
            next = (next + 1) & mask
        }
        keys[hole] = 0
        return removed
    }

    /// Removes every stream, keeping the capacity.
    package mutating func removeAll() {
        for slot in keys.indices where keys[slot] != 0 {
            keys[slot] = 0
            values[slot] = nil
        }
        count = 0
        displacedCount = 0
    }

    private mutating func insertNew(_ value: Value, forKey key: Int32) {
        var slot = idealSlot(key)
        while keys[slot] != 0 { slot = (slot + 1) & mask }
        keys[slot] = key
        values[slot] = value
        count += 1
        if slot != idealSlot(key) { displacedCount += 1 }
    }

    private mutating func grow() {
        let oldKeys = keys
        var oldValues = values
        keys = Array(repeating: 0, count: oldKeys.count * 2)
        values = Array(repeating: nil, count: oldKeys.count * 2)
        count = 0
        displacedCount = 0
        for slot in oldKeys.indices where oldKeys[slot] != 0 {
            insertNew(oldValues[slot].take()!, forKey: oldKeys[slot])
        }
    }
}

extension StreamTable: Sequence {
    /// The streams in slot order (not stream-ID order).
    package func makeIterator() -> AnyIterator<(key: Int32, value: Value)> {
        var slot = 0
        return AnyIterator {
            while slot < keys.count {
                defer { slot += 1 }
                if keys[slot] != 0 { return (keys[slot], values[slot]!) }
            }
            return nil
        }
    }
}

extension ClientConnection: PooledConnection {
    func reserveStream() -> Bool {
        availability.reserveStream()
    }
}

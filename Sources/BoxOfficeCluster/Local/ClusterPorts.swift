internal import Foundation

/// Chooses and checks the services' ports before anything is spawned.
enum ClusterPorts {
    /// `base + offset` per service, each checked free; for base 0, ports the kernel hands out.
    /// - Throws: ``ClusterError/portInUse(port:service:)`` for the first taken port.
    static func choose(base: Int, services: [ClusterService]) throws -> [ClusterService: Int] {
        var ports: [ClusterService: Int] = [:]
        for service in services {
            if base == 0 {
                var port = 0
                // Distinct ports: the kernel may hand out a just-released one again.
                for _ in 0..<20 {
                    port = try bindable(port: 0)
                    if !ports.values.contains(port) { break }
                }
                ports[service] = port
            } else {
                let port = base + service.portOffset
                guard (try? bindable(port: port)) != nil else { throw ClusterError.portInUse(port: port, service: service) }
                ports[service] = port
            }
        }
        return ports
    }

    /// Binds 127.0.0.1:`port` the way the gRPC server will (SO_REUSEADDR), reads the port back, releases it.
    static func bindable(port: Int) throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ClusterError.invalidConfiguration("socket() failed: errno \(errno)") }
        defer { close(descriptor) }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && listen(descriptor, 1) == 0
                    && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard ok else { throw ClusterError.invalidConfiguration("cannot bind 127.0.0.1:\(port): errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

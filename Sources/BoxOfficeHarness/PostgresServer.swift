internal import Foundation
public import BoxOfficePostgres
public import Logging
internal import BoxOfficeLocks

/// A PostgreSQL 15 server this harness runs from Debian's binaries in a data folder of its own.
///
/// `initdb` creates the folder (once), `pg_ctl` starts the server on a loopback port with its
/// Unix socket inside the folder. When this process is root, the folder belongs to `postgres` and
/// the binaries run through `runuser`. ``stop(mode:)`` stops only this server; a temporary folder
/// the harness made is removed by ``stopAndRemove()``. Backs tests that need a server they may
/// stop or protect with a password (never the shared one) and `boxoffice cluster up`.
public final class PostgresServer: Sendable {
    /// How to create and start the server.
    public struct Options: Sendable {
        /// The data folder; `nil` makes a temporary one.
        public var directory: String?
        /// The TCP port on 127.0.0.1; `nil` picks a free one.
        public var port: Int?
        /// Password for the `postgres` user; when set, TCP logins need it (SCRAM), else they are trusted.
        public var password: String?
        /// Folder of `initdb`, `pg_ctl`, `postgres`.
        public var binDirectory: String
        /// Extra `-c name=value` server settings, e.g. `["fsync": "off"]` for throwaway test data.
        public var settings: [String: String]

        /// Creates options; the defaults give a throwaway, trust-auth server on a free port.
        public init(
            directory: String? = nil, port: Int? = nil, password: String? = nil,
            binDirectory: String = "/usr/lib/postgresql/15/bin", settings: [String: String] = [:]
        ) {
            self.directory = directory
            self.port = port
            self.password = password
            self.binDirectory = binDirectory
            self.settings = settings
        }
    }

    /// Stop modes of `pg_ctl stop`.
    public enum StopMode: String, Sendable {
        /// Disconnect clients, shut down cleanly.
        case fast
        /// Kill everything at once, like a crash: the next start replays WAL.
        case immediate
    }

    /// The superuser name.
    public static let user = "postgres"

    /// The loopback port.
    public let port: Int
    /// The data folder.
    public let directory: String
    private let options: Options
    private let ownsDirectory: Bool
    private let logger: Logger
    private let running = AnnotatedMutex(false)

    private init(port: Int, directory: String, ownsDirectory: Bool, options: Options, logger: Logger) {
        self.port = port
        self.directory = directory
        self.ownsDirectory = ownsDirectory
        self.options = options
        self.logger = logger
    }

    /// `postgresql://postgres[:password]@127.0.0.1:<port>/<database>`.
    public func url(database: String = "postgres") -> String {
        var credentials = Self.user
        if let password = options.password {
            credentials += ":" + (password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? password)
        }
        return "postgresql://\(credentials)@127.0.0.1:\(port)/\(database)"
    }

    /// The configuration for `database` on this server.
    public func configuration(database: String = "postgres") -> PostgresConfiguration {
        PostgresConfiguration(url: url(database: database))
    }

    /// Creates the data folder if needed (`initdb`) and starts the server, waiting until it accepts connections.
    /// - Throws: ``PostgresHarnessError`` with the tool's output when `initdb` or `pg_ctl` fails.
    public static func start(_ options: Options = Options(), logger: Logger = Logger(label: "boxoffice.harness.postgres")) async throws -> PostgresServer {
        let ownsDirectory = options.directory == nil
        let directory = options.directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("boxoffice-pg-\(UUID().uuidString.prefix(8))").path
        try await initializeIfNeeded(directory: directory, options: options)
        if !ownsDirectory, let running = try await adoptRunning(directory: directory, options: options, logger: logger) {
            return running
        }
        var lastError: (any Error)?
        for _ in 0..<(options.port == nil ? 3 : 1) {
            let port = try options.port ?? freeLoopbackPort()
            let server = PostgresServer(port: port, directory: directory, ownsDirectory: ownsDirectory, options: options, logger: logger)
            do {
                try await server.startAgain()
                return server
            } catch {
                lastError = error
            }
        }
        if ownsDirectory { try? FileManager.default.removeItem(atPath: directory) }
        throw lastError ?? PostgresHarnessError(message: "postgres did not start")
    }

    /// Starts the server again (after ``stop(mode:)``) on the same port and folder.
    public func startAgain() async throws {
        var arguments = ["-p \(port)", "-c listen_addresses=127.0.0.1", "-k \(directory)", "-c max_connections=200"]
        for (name, value) in options.settings.sorted(by: { $0.key < $1.key }) { arguments.append("-c \(name)=\(value)") }
        try await ProcessRunner.check(
            "\(options.binDirectory)/pg_ctl",
            ["-D", directory, "-l", "\(directory)/server.log", "-w", "-t", "60", "-o", arguments.joined(separator: " "), "start"],
            asUser: Self.user)
        running.withLock { $0 = true }
        logger.debug("postgres started", metadata: ["postgres.port": "\(port)", "postgres.directory": "\(directory)"])
    }

    /// Stops the server with `pg_ctl stop -m <mode>` and waits for it to exit. Does nothing when not running.
    public func stop(mode: StopMode = .fast) async throws {
        guard running.withLock({ $0 }) else { return }
        try await ProcessRunner.check(
            "\(options.binDirectory)/pg_ctl", ["-D", directory, "-m", mode.rawValue, "-w", "-t", "60", "stop"], asUser: Self.user)
        running.withLock { $0 = false }
    }

    /// Stops the server and, if the harness created the data folder, removes it.
    public func stopAndRemove() async throws {
        try await stop(mode: .immediate)
        if ownsDirectory { try FileManager.default.removeItem(atPath: directory) }
    }

    /// The postmaster's process id, read from `postmaster.pid`, while running.
    public var processIdentifier: Int32? {
        guard let text = try? String(contentsOfFile: "\(directory)/postmaster.pid", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first.flatMap { Int32($0) }
    }

    /// Creates database `name` (letters, digits and `_` only) and returns its configuration.
    public func createDatabase(_ name: String) async throws -> PostgresConfiguration {
        try await PostgresDatabases.create(name, admin: configuration())
        return configuration(database: name)
    }

    /// Drops database `name`, disconnecting its sessions first.
    public func dropDatabase(_ name: String) async throws {
        try await PostgresDatabases.drop(name, admin: configuration())
    }

    /// A server already running in `directory` (say, from an earlier `cluster up`) is reused, not restarted.
    private static func adoptRunning(directory: String, options: Options, logger: Logger) async throws -> PostgresServer? {
        let status = try await ProcessRunner.run("\(options.binDirectory)/pg_ctl", ["-D", directory, "status"], asUser: user)
        guard status.status == 0,
              let pidFile = try? String(contentsOfFile: "\(directory)/postmaster.pid", encoding: .utf8) else { return nil }
        // postmaster.pid: pid, data folder, start time, port, socket folder, ...
        let lines = pidFile.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 3, let port = Int(lines[3].trimmingCharacters(in: .whitespaces)) else { return nil }
        guard options.port == nil || options.port == port else {
            throw PostgresHarnessError(message: "a server already runs in \(directory) on port \(port), not \(options.port!)")
        }
        let server = PostgresServer(port: port, directory: directory, ownsDirectory: false, options: options, logger: logger)
        server.running.withLock { $0 = true }
        logger.info("reusing running postgres", metadata: ["postgres.port": "\(port)", "postgres.directory": "\(directory)"])
        return server
    }

    private static func initializeIfNeeded(directory: String, options: Options) async throws {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: "\(directory)/PG_VERSION") { return }
        try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var arguments = ["-D", directory, "-U", user, "-E", "UTF8", "--no-sync", "--locale=C"]
        var passwordFile: String?
        if let password = options.password {
            let path = "\(directory).pwfile"
            try password.write(toFile: path, atomically: true, encoding: .utf8)
            passwordFile = path
            arguments += ["--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=\(path)"]
        } else {
            arguments += ["--auth=trust"]
        }
        defer { if let passwordFile { try? fileManager.removeItem(atPath: passwordFile) } }
        if ProcessRunner.isRoot {
            try await ProcessRunner.check("/bin/chown", [user + ":" + user, directory] + (passwordFile.map { [$0] } ?? []))
            try fileManager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
        }
        try await ProcessRunner.check("\(options.binDirectory)/initdb", arguments, asUser: user)
    }

    /// A port the kernel just handed out on 127.0.0.1 (bound, read back, released).
    static func freeLoopbackPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw PostgresHarnessError(message: "socket() failed: \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw PostgresHarnessError(message: "could not bind a loopback port: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A failure of the PostgreSQL test harness itself (binary missing, server did not start).
public struct PostgresHarnessError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, with the tool's output.
    public var message: String
    public var description: String { "PostgresHarnessError: \(message)" }
}

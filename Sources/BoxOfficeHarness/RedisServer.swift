internal import Foundation
public import BoxOfficeRedis
public import Logging
internal import NIOCore
internal import NIOPosix
internal import BoxOfficeLocks

/// A `redis-server` process this harness started on a loopback port, with a folder of its own.
///
/// Used by tests that need a server they may stop, restart or protect with a password (never the
/// shared one), and by `boxoffice cluster up`. ``stop()`` stops only what ``start(_:logger:)``
/// started; a temporary folder the harness created is removed on stop.
public final class RedisServer: Sendable {
    /// How to start the server.
    public struct Options: Sendable {
        /// Where the server keeps its log (and files, when persistence is on); `nil` makes a temporary folder.
        public var directory: String?
        /// The TCP port; `nil` picks a free loopback port.
        public var port: Int?
        /// `requirepass` for the default user; `nil` leaves the server open.
        public var password: String?
        /// Extra ACL users as (name, password) with full access.
        public var aclUsers: [(user: String, password: String)]
        /// Whether to keep an append-only file so a restart keeps the data.
        public var appendOnly: Bool
        /// The `redis-server` binary.
        public var executable: String
        /// More `--name value` arguments, passed through.
        public var extraArguments: [String]

        /// Creates options; the defaults start a throwaway, password-less, non-persistent server.
        public init(directory: String? = nil, port: Int? = nil, password: String? = nil,
                    aclUsers: [(user: String, password: String)] = [], appendOnly: Bool = false,
                    executable: String = "/usr/bin/redis-server", extraArguments: [String] = []) {
            self.directory = directory
            self.port = port
            self.password = password
            self.aclUsers = aclUsers
            self.appendOnly = appendOnly
            self.executable = executable
            self.extraArguments = extraArguments
        }
    }

    /// The loopback port the server listens on.
    public let port: Int
    /// The server's folder (log, data files).
    public let directory: String
    private let options: Options
    private let ownsDirectory: Bool
    private let logger: Logger
    private let running: AnnotatedMutex<RedisServerProcess?>

    /// Where to connect, with the password of the default user when there is one.
    public var configuration: RedisConfiguration {
        RedisConfiguration(host: "127.0.0.1", port: port, password: options.password)
    }

    /// `redis://127.0.0.1:<port>` (with the password when there is one).
    public var url: String {
        if let password = options.password {
            return "redis://:\(password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? password)@127.0.0.1:\(port)"
        }
        return "redis://127.0.0.1:\(port)"
    }

    private init(port: Int, directory: String, ownsDirectory: Bool, options: Options, logger: Logger, process: RedisServerProcess) {
        self.port = port
        self.directory = directory
        self.ownsDirectory = ownsDirectory
        self.options = options
        self.logger = logger
        self.running = AnnotatedMutex(process)
    }

    /// Starts `redis-server` and waits (up to 10 s) until it answers.
    /// - Throws: ``RedisHarnessError`` when the binary is missing or the server does not come up.
    public static func start(_ options: Options = Options(), logger: Logger = Logger(label: "boxoffice.harness.redis")) async throws -> RedisServer {
        let ownsDirectory = options.directory == nil
        let directory = options.directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("boxoffice-redis-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // A picked port can be taken between picking and binding; try a few.
        var lastError: (any Error)?
        for _ in 0..<(options.port == nil ? 3 : 1) {
            let port: Int
            if let fixed = options.port { port = fixed } else { port = try await freePort() }
            do {
                let process = try await launch(options, port: port, directory: directory, logger: logger)
                return RedisServer(port: port, directory: directory, ownsDirectory: ownsDirectory, options: options,
                                   logger: logger, process: process)
            } catch {
                lastError = error
            }
        }
        if ownsDirectory { try? FileManager.default.removeItem(atPath: directory) }
        throw lastError ?? RedisHarnessError(message: "redis-server did not start")
    }

    /// Stops the server gracefully and waits for it to exit; removes a temporary folder.
    public func stop() async {
        await terminate(graceful: true)
        if ownsDirectory { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Kills the server (SIGKILL) and waits for it to exit; the folder stays, for ``restart()``.
    public func kill() async {
        await terminate(graceful: false)
    }

    /// Starts the server again on the same port and folder (stopping it first if it runs).
    public func restart() async throws {
        await terminate(graceful: true)
        let process = try await Self.launch(options, port: port, directory: directory, logger: logger)
        running.withLock { $0 = process }
    }

    /// Stops the server gracefully but keeps its folder, for ``restart()``.
    public func stopKeepingFiles() async {
        await terminate(graceful: true)
    }

    /// The process id, while running.
    public var processIdentifier: Int32? { running.withLock { $0?.processIdentifier } }

    /// Graceful stop is the `SHUTDOWN` command, not SIGTERM: a child inherits its parent's signal
    /// mask, and test runners block SIGTERM, so the signal would stay pending forever.
    private func terminate(graceful: Bool) async {
        guard let process = running.withLock({ current in defer { current = nil }; return current }) else { return }
        if graceful, let connection = try? await RedisConnection.connect(configuration: configuration, logger: logger) {
            _ = try? await connection.execute([RedisCommand("SHUTDOWN", options.appendOnly ? "SAVE" : "NOSAVE")])
            await connection.closeImmediately()
        }
        await process.waitForExit(killingAfter: graceful ? .seconds(10) : .zero)
    }

    private static func launch(_ options: Options, port: Int, directory: String, logger: Logger) async throws -> RedisServerProcess {
        guard FileManager.default.isExecutableFile(atPath: options.executable) else {
            throw RedisHarnessError(message: "\(options.executable) not found; install Debian's redis-server")
        }
        var arguments = [
            "--port", "\(port)", "--bind", "127.0.0.1", "--dir", directory,
            "--logfile", "\(directory)/redis.log", "--daemonize", "no", "--save", "",
            "--appendonly", options.appendOnly ? "yes" : "no", "--protected-mode", "no",
        ]
        if let password = options.password { arguments += ["--requirepass", password] }
        for (user, password) in options.aclUsers { arguments += ["--user", user, "on", ">\(password)", "~*", "&*", "+@all"] }
        arguments += options.extraArguments
        let process = try RedisServerProcess(executable: options.executable, arguments: arguments)
        var configuration = RedisConfiguration(host: "127.0.0.1", port: port, password: options.password,
                                               connectTimeout: .milliseconds(500))
        configuration.username = nil
        let deadline = ContinuousClock.now + .seconds(10)
        var attempt = 0
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                let log = (try? String(contentsOfFile: "\(directory)/redis.log", encoding: .utf8)) ?? ""
                throw RedisHarnessError(message: "redis-server on port \(port) exited at start: \(log.suffix(500))")
            }
            if let connection = try? await RedisConnection.connect(configuration: configuration, logger: logger) {
                let reply = try? await connection.execute([RedisCommand("PING")])
                await connection.close()
                if case .simpleString = reply?.first {
                    logger.debug("redis-server ready", metadata: ["redis.port": "\(port)"])
                    return process
                }
            }
            try await Task.sleep(for: RedisBackoff(initial: .milliseconds(10), maximum: .milliseconds(200)).delay(forAttempt: attempt))
            attempt += 1
        }
        await process.waitForExit(killingAfter: .zero)
        throw RedisHarnessError(message: "redis-server on port \(port) did not answer PING within 10 s")
    }

    /// A port the kernel just handed out for 127.0.0.1 (bound, read back, released).
    public static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port
        try await channel.close()
        guard let port else { throw RedisHarnessError(message: "could not read back a bound port") }
        return port
    }
}

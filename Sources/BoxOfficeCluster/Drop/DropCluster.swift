public import BoxOfficeRPC
import Foundation

/// Where a drop's ``DropTarget`` comes from: a cluster the drop starts itself, a running
/// `boxoffice cluster up` (its `cluster.json`), or endpoints and a PostgreSQL URL given by hand.
public enum DropCluster {
    /// The payment provider timeout of a cluster the drop starts: short, so timed-out charges
    /// resolve within a demo rather than after the production default of 30 s.
    public static let providerTimeout: Duration = .seconds(3)

    /// A local cluster configuration tuned for a drop: short provider timeout and reconciler
    /// backoff, quick outbox; everything else as `boxoffice cluster up`.
    public static func configuration(dataDirectory: String, postgresURL: String?, redisURL: String?, name: String,
                                     store: String = "redis") -> LocalCluster.Configuration {
        var configuration = LocalCluster.Configuration(dataDirectory: dataDirectory, postgresURL: postgresURL, redisURL: redisURL,
                                                       name: name, basePort: 0, store: store)
        let timeout = String(Int(providerTimeout.milliseconds))
        configuration.serviceEnvironment = [
            .payment: ["BOXOFFICE_PROVIDER_TIMEOUT_MS": timeout, "BOXOFFICE_CHECK_BACKOFF_MS": "1000",
                       "BOXOFFICE_CHECK_BACKOFF_MAX_MS": "4000", "BOXOFFICE_NOT_FOUND_GRACE_MS": "6000"],
            .booking: ["BOXOFFICE_PROVIDER_TIMEOUT_MS": timeout],
        ]
        configuration.servesMetrics = false
        return configuration
    }

    /// The target of a cluster started in this process.
    ///
    /// - Throws: ``DropConfigurationError`` when the cluster lacks a service the drop needs.
    public static func target(of cluster: LocalCluster) throws(DropConfigurationError) -> DropTarget {
        guard let booking = cluster.endpoints[.booking], let inventory = cluster.endpoints[.inventory],
              let inventoryDB = cluster.databaseURL(of: .inventory), let bookingDB = cluster.databaseURL(of: .booking),
              let paymentDB = cluster.databaseURL(of: .payment) else {
            throw DropConfigurationError("the cluster does not run inventory, booking and payment")
        }
        return DropTarget(booking: booking, inventory: inventory, inventoryDatabaseURL: inventoryDB, bookingDatabaseURL: bookingDB,
                          paymentDatabaseURL: paymentDB)
    }

    /// The target of a running `boxoffice cluster up` described by its `cluster.json`.
    ///
    /// - Throws: ``DropConfigurationError`` when a service or URL is missing or malformed.
    public static func target(of state: ClusterStateFile) throws(DropConfigurationError) -> DropTarget {
        guard let booking = state.services[ClusterService.booking.name].flatMap({ ClientEndpoint($0.endpoint) }),
              let inventory = state.services[ClusterService.inventory.name].flatMap({ ClientEndpoint($0.endpoint) }) else {
            throw DropConfigurationError("cluster.json lists no usable booking and inventory endpoints")
        }
        return try target(inventory: inventory, booking: booking, postgresURL: state.postgresURL, name: state.name)
    }

    /// The target of services given by address, with their databases `<name>_inventory`,
    /// `<name>_booking` and `<name>_payment` on the PostgreSQL server of `postgresURL`.
    ///
    /// - Throws: ``DropConfigurationError`` when `postgresURL` is not a `postgresql://` URL.
    public static func target(inventory: ClientEndpoint, booking: ClientEndpoint, postgresURL: String,
                              name: String) throws(DropConfigurationError) -> DropTarget {
        DropTarget(booking: booking, inventory: inventory,
                   inventoryDatabaseURL: try databaseURL(postgresURL, database: name + "_inventory"),
                   bookingDatabaseURL: try databaseURL(postgresURL, database: name + "_booking"),
                   paymentDatabaseURL: try databaseURL(postgresURL, database: name + "_payment"))
    }

    /// `url` with its database (the path) replaced by `database`.
    static func databaseURL(_ url: String, database: String) throws(DropConfigurationError) -> String {
        guard var components = URLComponents(string: url), components.scheme?.hasPrefix("postgres") == true else {
            throw DropConfigurationError("--pg-url must be a postgresql:// URL, got '\(url)'")
        }
        components.path = "/" + database
        guard let replaced = components.string else { throw DropConfigurationError("cannot build a database URL from '\(url)'") }
        return replaced
    }
}

import BoxOfficeAPI
import BoxOfficeProto

/// A method `boxoffice call` can call: its descriptor and its generated message types.
struct CallableMethod {
    /// Path, call kind, message names.
    var descriptor: MethodDescriptor
    /// The request message type.
    var input: any ProtoCBackedMessage.Type
    /// The response message type.
    var output: any ProtoCBackedMessage.Type
}

/// Every service method of the generated code, found by `SERVICE/METHOD` as a user types it.
///
/// SERVICE is a full name (`boxoffice.inventory.v1.InventoryService`), a service name
/// (`InventoryService`, any case) or a short alias (`inventory`, `booking`, `payment`,
/// `provider`, `webhook`, `health`, `test`); METHOD is matched exactly, else ignoring case.
/// `SERVICE.METHOD` and a leading `/` (a `:path`) are accepted too.
struct MethodTable {
    /// Short names for the services people call most.
    static let aliases: [String: String] = [
        "inventory": "boxoffice.inventory.v1.InventoryService",
        "booking": "boxoffice.booking.v1.BookingService",
        "payment": "boxoffice.payment.v1.PaymentService",
        "provider": "boxoffice.provider.v1.ProviderService",
        "provider-sim": "boxoffice.provider.v1.ProviderService",
        "webhook": "boxoffice.provider.v1.WebhookReceiver",
        "health": "grpc.health.v1.Health",
        "reflection": "grpc.reflection.v1.ServerReflection",
        "test": "grpc.testing.TestService",
    ]

    /// The default port of each BoxOffice service (used when `--server` is omitted).
    static let defaultPorts: [String: Int] = [
        "boxoffice.inventory.v1.InventoryService": 50051,
        "boxoffice.booking.v1.BookingService": 50052,
        "boxoffice.payment.v1.PaymentService": 50053,
        "boxoffice.provider.v1.WebhookReceiver": 50053,
        "boxoffice.provider.v1.ProviderService": 50054,
    ]

    let services: [ServiceDescriptor]
    private let messages: [String: any ProtoCBackedMessage.Type]

    /// The table of everything under Protos/.
    static let generated = MethodTable(services: BoxOfficeDescriptorSet.services,
                                       messageTypes: BoxOfficeDescriptorSet.messageTypes)

    init(services: [ServiceDescriptor], messageTypes: [any ProtoCBackedMessage.Type]) {
        self.services = services
        self.messages = Dictionary(messageTypes.map { ($0.protoFullName, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The method `target` names.
    func resolve(_ target: String) throws(CallUsageError) -> CallableMethod {
        var text = Substring(target)
        if text.hasPrefix("/") { text = text.dropFirst() }
        let separator = text.lastIndex(of: "/") ?? text.lastIndex(of: ".")
        guard let separator, separator != text.startIndex, text.index(after: separator) != text.endIndex else {
            throw CallUsageError("'\(target)' is not SERVICE/METHOD, e.g. inventory/GetAvailability or "
                + "boxoffice.provider.v1.ProviderService/GetCharge")
        }
        let service = try self.service(named: String(text[..<separator]))
        let methodName = String(text[text.index(after: separator)...])
        let method = service.methods.first { $0.method == methodName }
            ?? service.methods.first { $0.method.lowercased() == methodName.lowercased() }
        guard let method else {
            throw CallUsageError("service \(service.fullName) has no method '\(methodName)'; its methods: "
                + service.methods.map(\.method).joined(separator: ", "))
        }
        guard let input = messages[method.inputType], let output = messages[method.outputType] else {
            throw CallUsageError("no generated message type for \(method.inputType) or \(method.outputType)")
        }
        return CallableMethod(descriptor: method, input: input, output: output)
    }

    /// The service `name` stands for: full name, alias, or service name ignoring case.
    func service(named name: String) throws(CallUsageError) -> ServiceDescriptor {
        let wanted = Self.aliases[name.lowercased()] ?? name
        if let exact = services.first(where: { $0.fullName == wanted }) { return exact }
        let matches = services.filter { service in
            let simple = service.fullName.split(separator: ".").last.map(String.init) ?? service.fullName
            return simple.lowercased() == name.lowercased() || service.fullName.lowercased() == name.lowercased()
        }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 {
            throw CallUsageError("service '\(name)' is ambiguous: " + matches.map(\.fullName).joined(separator: ", "))
        }
        throw CallUsageError("unknown service '\(name)'; known services: "
            + services.map(\.fullName).joined(separator: ", ")
            + " (aliases: " + Self.aliases.keys.sorted().joined(separator: ", ") + ")")
    }
}

import BoxOfficeProto
import Foundation

/// Turns proto3 JSON into message bytes and back through the generated `Codable` messages.
enum ProtoJSONTranscoder {
    /// The wire bytes of the message of type `type` written as `json`.
    static func bytes(fromJSON json: Data, as type: any ProtoCBackedMessage.Type) throws(CallUsageError) -> [UInt8] {
        do {
            return try decode(type, from: json)
        } catch let error as DecodingError {
            throw CallUsageError("malformed JSON for \(type.protoFullName): \(describe(error))")
        } catch {
            throw CallUsageError("malformed JSON for \(type.protoFullName): \(error)")
        }
    }

    /// The wire bytes of each message of a request stream: a JSON array of messages, or one message.
    static func messageBytes(fromJSON json: Data, as type: any ProtoCBackedMessage.Type) throws(CallUsageError) -> [[UInt8]] {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed])
        } catch {
            throw CallUsageError("malformed JSON: \(error.localizedDescription)")
        }
        guard let array = parsed as? [Any] else { return [try bytes(fromJSON: json, as: type)] }
        var messages: [[UInt8]] = []
        for (index, element) in array.enumerated() {
            guard JSONSerialization.isValidJSONObject(element),
                  let data = try? JSONSerialization.data(withJSONObject: element) else {
                throw CallUsageError("malformed JSON: element \(index) of the request array is not a JSON object")
            }
            do {
                messages.append(try bytes(fromJSON: data, as: type))
            } catch {
                throw CallUsageError("element \(index): \(error.message)")
            }
        }
        return messages
    }

    /// The proto3 JSON of the message of type `type` in `bytes`.
    static func json(fromBytes bytes: [UInt8], as type: any ProtoCBackedMessage.Type, pretty: Bool) throws -> String {
        try encode(type, bytes: bytes, pretty: pretty)
    }

    private static func decode<Message: ProtoMessage>(_: Message.Type, from json: Data) throws -> [UInt8] {
        try JSONDecoder().decode(Message.self, from: json).serializedBytes()
    }

    private static func encode<Message: ProtoMessage>(_: Message.Type, bytes: [UInt8], pretty: Bool) throws -> String {
        let message = try Message(serializedBytes: bytes)
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                                          : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(message), as: UTF8.self)
    }

    /// Where in the JSON and what was wrong, without Foundation's internals.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }
            return keys.isEmpty ? "" : " at " + keys.joined(separator: ".")
        }
        func detail(_ context: DecodingError.Context) -> String {
            guard let underlying = context.underlyingError else { return context.debugDescription }
            let described = (underlying as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            return context.debugDescription + " (" + (described ?? "\(underlying)") + ")"
        }
        switch error {
        case .dataCorrupted(let context):
            return detail(context) + path(context)
        case .keyNotFound(let key, let context):
            return "missing \(key.stringValue)" + path(context)
        case .typeMismatch(let type, let context):
            return "expected \(type)" + path(context) + ": " + context.debugDescription
        case .valueNotFound(let type, let context):
            return "expected a \(type) value" + path(context)
        @unknown default:
            return "\(error)"
        }
    }
}

import Foundation
import BoxOfficeRedis

/// The JSON replies of the enter and status scripts, decoded.
struct WaitingRoomReply: Decodable {
    /// A ticket as the scripts store it.
    struct Record: Decodable {
        var id: String
        var user: String
        var entered: Double
        var early: Bool
        var state: String
        var admitted: Double?
        var reason: String?
    }

    var err: String?
    var message: String?
    var ticket: Record?
    var replay: Bool?
    var position: Int?
    var length: Int?
    var settings: String?
    var rate: Double?

    /// Decodes a script reply; a script's own refusal comes back as `err`.
    static func decode(_ value: RESPValue) throws(WaitingRoomError) -> WaitingRoomReply {
        guard let bytes = value.bytes else { throw .unavailable("waiting-room script answered \(value)") }
        do {
            return try JSONDecoder().decode(WaitingRoomReply.self, from: Data(bytes))
        } catch {
            throw .unavailable("waiting-room script reply cannot be read: \(error)")
        }
    }

    /// The decoded settings the reply carries.
    func decodedSettings() throws(WaitingRoomError) -> WaitingRoomSettings {
        guard let settings else { throw .unavailable("waiting-room reply carries no settings") }
        return try WaitingRoomSettings.decode(settings)
    }
}

extension WaitingRoomSettings {
    /// The JSON the config hash keeps.
    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Encoding plain numbers, strings and enums cannot fail.
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }

    static func decode(_ json: String) throws(WaitingRoomError) -> WaitingRoomSettings {
        do {
            return try JSONDecoder().decode(WaitingRoomSettings.self, from: Data(json.utf8))
        } catch {
            throw .unavailable("stored waiting-room settings cannot be read: \(error)")
        }
    }
}

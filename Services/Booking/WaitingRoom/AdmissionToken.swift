public import Foundation

/// Proof that a user was let out of an event's waiting room: who, for which event, until when,
/// and the HMAC that makes the rest trustworthy.
///
/// The ``token`` string is what clients carry (``Boxoffice_Booking_V1_AdmissionToken/token``);
/// the other fields are its verified contents. Only ``AdmissionTokenSigner`` creates one, either
/// by signing or by verifying a token string.
public struct AdmissionToken: Sendable, Hashable, CustomStringConvertible {
    /// The opaque string a client sends back with HoldSeats.
    public let token: String
    /// The user the token was issued to.
    public let userID: String
    /// The event whose waiting room admitted the user.
    public let eventID: Int64
    /// The token is refused from this instant on (whole milliseconds).
    public let expiresAt: Date

    init(token: String, userID: String, eventID: Int64, expiresAt: Date) {
        self.token = token
        self.userID = userID
        self.eventID = eventID
        self.expiresAt = expiresAt
    }

    /// Names the user, event and expiry; never the signature.
    public var description: String {
        "AdmissionToken(user: \(userID), event: \(eventID), expires: \(expiresAt.timeIntervalSince1970))"
    }
}

/// Why an admission token was refused. The booking service answers every case with
/// PERMISSION_DENIED (``rpcError``); the cases exist for logs and tests.
public enum AdmissionTokenError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No token was sent.
    case missing
    /// The string is not a token of ours (wrong shape, version or encoding).
    case malformed
    /// The signature does not match: forged or altered.
    case forged
    /// Genuine, but its expiry has passed.
    case expired(at: Date)
    /// Genuine, but issued to another user.
    case otherUser
    /// Genuine, but issued for another event.
    case otherEvent(Int64)

    /// What was wrong, without echoing the token.
    public var description: String {
        switch self {
        case .missing: "an admission token is required; get one from the event's waiting room"
        case .malformed: "the admission token is malformed"
        case .forged: "the admission token's signature is not valid"
        case .expired(let at): "the admission token expired at \(ISO8601DateFormatter().string(from: at)); join the waiting room again"
        case .otherUser: "the admission token was issued to another user"
        case .otherEvent(let event): "the admission token was issued for event \(event), not this one"
        }
    }
}

public import Foundation
internal import Crypto

/// Signs and verifies admission tokens with HMAC-SHA256, so any booking instance can check a
/// token without reading a database.
///
/// A token reads `v1.<event>.<expiry ms>.<base64url user>.<base64url mac>`; the MAC covers a
/// domain label, the event, the expiry and the user, so none of them can be changed or moved to
/// another user or event. Verification compares MACs in constant time (swift-crypto's
/// `isValidAuthenticationCode`) and checks the signature before it reveals anything else.
///
/// Rotating the secret: sign with the new one and keep the old in `previousSecrets` until tokens
/// signed with it have expired. Thread-safe (an immutable value).
public struct AdmissionTokenSigner: Sendable {
    /// Refuses to be created without a secret.
    public struct EmptySecretError: Error, Sendable, CustomStringConvertible {
        /// Says which flag to set.
        public var description: String { "the admission secret is empty; set --admission-secret (BOXOFFICE_ADMISSION_SECRET)" }
    }

    /// Tokens longer than this are refused before any parsing (user ids are capped far below it).
    static let maxTokenLength = 2_048
    private static let version = "v1"
    private static let domain = "boxoffice.admission.v1"

    // Secrets as bytes: swift-crypto's `SymmetricKey` is not `Sendable` on this platform, and a
    // key made per call costs one small copy.
    private let signingSecret: [UInt8]
    private let verificationSecrets: [[UInt8]]

    /// Creates a signer.
    ///
    /// - Parameters:
    ///   - secret: The shared secret of every booking instance; at least 32 random bytes are recommended.
    ///   - previousSecrets: Secrets still accepted when verifying, never used to sign.
    /// - Throws: ``EmptySecretError`` when `secret` (or any previous one) is empty.
    public init(secret: String, previousSecrets: [String] = []) throws(EmptySecretError) {
        guard !secret.isEmpty, !previousSecrets.contains(where: \.isEmpty) else { throw EmptySecretError() }
        signingSecret = Array(secret.utf8)
        verificationSecrets = [signingSecret] + previousSecrets.map { Array($0.utf8) }
    }

    /// A token for `userID` at `eventID`, valid until `expiresAt` (to the nearest millisecond).
    public func sign(userID: String, eventID: Int64, expiresAt: Date) -> AdmissionToken {
        let expiry = WaitingRoomTime.milliseconds(expiresAt)
        let mac = HMAC<SHA256>.authenticationCode(for: Self.signedBytes(eventID: eventID, expiry: expiry, userID: userID),
                                                  using: SymmetricKey(data: signingSecret))
        let token = [Self.version, String(eventID), String(expiry), Base64URL.encode(Array(userID.utf8)),
                     Base64URL.encode(Array(mac))].joined(separator: ".")
        return AdmissionToken(token: token, userID: userID, eventID: eventID,
                              expiresAt: WaitingRoomTime.date(expiry))
    }

    /// Checks that `token` is ours, unexpired at `now`, and issued to `userID` for `eventID`.
    ///
    /// - Throws: ``AdmissionTokenError``; the signature is checked first, so a forged token is
    ///   reported as forged whatever it claims.
    public func verify(_ token: String, userID: String, eventID: Int64, now: Date) throws(AdmissionTokenError) -> AdmissionToken {
        let claims = try authenticate(token)
        guard claims.expiresAt > now else { throw .expired(at: claims.expiresAt) }
        guard claims.userID == userID else { throw .otherUser }
        guard claims.eventID == eventID else { throw .otherEvent(claims.eventID) }
        return claims
    }

    /// The contents of a token whose signature is valid, without checking expiry or binding.
    func authenticate(_ token: String) throws(AdmissionTokenError) -> AdmissionToken {
        guard !token.isEmpty else { throw .missing }
        guard token.utf8.count <= Self.maxTokenLength else { throw .malformed }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == Self.version,
              let eventID = Int64(parts[1]), let expiry = Int64(parts[2]),
              let userBytes = Base64URL.decode(parts[3]), let mac = Base64URL.decode(parts[4]),
              mac.count == SHA256.byteCount
        else { throw .malformed }
        let signed = Self.signedBytes(eventID: eventID, expiry: expiry, userID: String(decoding: userBytes, as: UTF8.self))
        guard verificationSecrets.contains(where: {
            HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signed, using: SymmetricKey(data: $0))
        }) else {
            throw .forged
        }
        // Canonical form only: the MAC covers the decoded user, so reject re-encodings of the same bytes.
        guard let userID = String(validating: userBytes, as: UTF8.self), Base64URL.encode(userBytes) == parts[3],
              String(eventID) == parts[1], String(expiry) == parts[2]
        else { throw .malformed }
        return AdmissionToken(token: token, userID: userID, eventID: eventID,
                              expiresAt: Date(timeIntervalSince1970: Double(expiry) / 1_000))
    }

    private static func signedBytes(eventID: Int64, expiry: Int64, userID: String) -> [UInt8] {
        Array("\(domain)\n\(eventID)\n\(expiry)\n".utf8) + Array(userID.utf8)
    }
}

/// Unpadded base64url (RFC 4648 §5), the alphabet safe in tokens and metadata.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: Substring) -> [UInt8]? {
        guard text.utf8.allSatisfy({ byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }) else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        return Data(base64Encoded: standard).map(Array.init)
    }
}

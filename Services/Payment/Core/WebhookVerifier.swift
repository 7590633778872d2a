import Crypto
public import Foundation

/// Why a webhook delivery's signature was refused.
public enum WebhookVerificationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No signature header at all.
    case missingSignature
    /// The header is not `t=<unix seconds>,v1=<64 hex digits>[,v1=…]`; the text says what is wrong.
    case malformedSignature(String)
    /// No `v1` signature matches the payload with any configured secret (tampered body or wrong secret).
    case signatureMismatch
    /// Signed longer ago than the replay window allows.
    case timestampTooOld(signedAt: Date, tolerance: Duration)
    /// Signed further in the future than the replay window allows.
    case timestampInFuture(signedAt: Date, tolerance: Duration)

    /// For logs and messages.
    public var description: String {
        switch self {
        case .missingSignature:
            "the webhook has no signature"
        case .malformedSignature(let detail):
            "the webhook signature header is malformed: \(detail)"
        case .signatureMismatch:
            "the webhook signature does not match its payload"
        case .timestampTooOld(let signedAt, let tolerance):
            "the webhook was signed at \(Int64(signedAt.timeIntervalSince1970)), older than the \(Int(tolerance.timeInterval)) s replay window"
        case .timestampInFuture(let signedAt, let tolerance):
            "the webhook was signed at \(Int64(signedAt.timeIntervalSince1970)), more than \(Int(tolerance.timeInterval)) s in the future"
        }
    }
}

/// Verifies provider webhook signatures: HMAC-SHA256 over `"<t>." + payload`, header
/// `t=<unix seconds>,v1=<hex>` (several `v1` entries allowed, as during secret rotation).
///
/// Comparison is constant-time; a signature older (or newer) than the replay window is refused
/// even when it matches.
public struct WebhookVerifier: Sendable {
    // Raw bytes rather than `SymmetricKey`, which is not `Sendable` in swift-crypto 3.
    private let secrets: [[UInt8]]
    /// The replay window, 5 minutes by default.
    public let tolerance: Duration

    /// A verifier accepting signatures made with any of `secrets` (UTF-8 bytes).
    public init(secrets: [String], tolerance: Duration = .seconds(300)) {
        self.secrets = secrets.map { Array($0.utf8) }
        self.tolerance = tolerance
    }

    /// Checks `signatureHeader` against `payload` at `now`; returns the signing time.
    @discardableResult
    public func verify(payload: some DataProtocol, signatureHeader: String?, at now: Date) throws(WebhookVerificationError) -> Date {
        guard let signatureHeader, !signatureHeader.isEmpty else { throw .missingSignature }
        let parsed = try Self.parse(signatureHeader)
        let signed = Array("\(parsed.timestamp).".utf8) + Array(payload)
        var matched = false
        for secret in secrets {
            let key = SymmetricKey(data: secret)
            for candidate in parsed.signatures
            where HMAC<SHA256>.isValidAuthenticationCode(candidate, authenticating: signed, using: key) {
                matched = true
            }
        }
        guard matched else { throw .signatureMismatch }
        let signedAt = Date(timeIntervalSince1970: TimeInterval(parsed.timestamp))
        let age = now.timeIntervalSince(signedAt)
        if age > tolerance.timeInterval { throw .timestampTooOld(signedAt: signedAt, tolerance: tolerance) }
        if -age > tolerance.timeInterval { throw .timestampInFuture(signedAt: signedAt, tolerance: tolerance) }
        return signedAt
    }

    static func parse(_ header: String) throws(WebhookVerificationError) -> (timestamp: Int64, signatures: [[UInt8]]) {
        var timestamp: Int64?
        var signatures: [[UInt8]] = []
        for item in header.split(separator: ",", omittingEmptySubsequences: false) {
            let part = item.trimmingCharacters(in: .whitespaces)
            guard let equals = part.firstIndex(of: "=") else {
                throw .malformedSignature("\"\(part)\" is not key=value")
            }
            let key = part[..<equals]
            let value = part[part.index(after: equals)...]
            switch key {
            case "t":
                guard timestamp == nil else { throw .malformedSignature("t appears twice") }
                guard !value.isEmpty, value.count <= 18, value.allSatisfy(\.isASCIIDigit), let seconds = Int64(value) else {
                    throw .malformedSignature("t must be unix seconds, got \"\(value)\"")
                }
                timestamp = seconds
            case "v1":
                guard let bytes = hexBytes(value), bytes.count == SHA256.byteCount else {
                    throw .malformedSignature("v1 must be \(SHA256.byteCount * 2) hex digits")
                }
                signatures.append(bytes)
            default:
                continue // Other schemes (e.g. v0) are ignored, as Stripe's libraries do.
            }
        }
        guard let timestamp else { throw .malformedSignature("no t=<timestamp>") }
        guard !signatures.isEmpty else { throw .malformedSignature("no v1=<signature>") }
        return (timestamp, signatures)
    }

    private static func hexBytes(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

import Crypto
public import Foundation

/// Signs webhook payloads as Stripe does: HMAC-SHA256 over `"<unix seconds>." + payload` with a
/// shared secret, sent as the header value `t=<unix seconds>,v1=<hex>`.
public struct WebhookSigner: Sendable {
    // Raw bytes rather than `SymmetricKey`, which is not `Sendable` in swift-crypto 3.
    private let secret: [UInt8]

    /// A signer with the secret bytes shared with the receiver.
    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// A signer whose secret is the UTF-8 bytes of `secret` (how secrets come from configuration).
    public init(secret: String) {
        self.init(secret: Array(secret.utf8))
    }

    /// The signature header for `payload` signed at `timestamp` (whole seconds, rounded down).
    public func signatureHeader(for payload: some DataProtocol, at timestamp: Date) -> String {
        let seconds = Int64(timestamp.timeIntervalSince1970.rounded(.down))
        var mac = HMAC<SHA256>(key: SymmetricKey(data: secret))
        mac.update(data: Array("\(seconds).".utf8))
        mac.update(data: payload)
        let hex = mac.finalize().map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
        }.joined()
        return "t=\(seconds),v1=\(hex)"
    }
}

/// One signed delivery attempt, ready to send: `boxoffice.provider.v1.WebhookDelivery`.
public struct SignedWebhookDelivery: Sendable, Hashable {
    /// The outbox delivery this attempt belongs to (report its answer under this id).
    public var deliveryID: String
    /// The serialized `WebhookEvent`: the bytes the signature covers.
    public var payload: [UInt8]
    /// `t=<unix seconds>,v1=<hex>`.
    public var signature: String
    /// The attempt number, from 1.
    public var attempt: Int32

    /// Creates a value from its fields.
    public init(deliveryID: String, payload: [UInt8], signature: String, attempt: Int32) {
        self.deliveryID = deliveryID
        self.payload = payload
        self.signature = signature
        self.attempt = attempt
    }
}

extension WebhookSigner {
    /// Signs one attempt of `delivery`, whose event the caller serialized as `payload`.
    ///
    /// Each attempt is signed afresh at its own time, so a retry hours later still falls inside the
    /// receiver's replay window.
    public func sign(_ delivery: WebhookOutbox.Delivery, payload: [UInt8], at now: Date) -> SignedWebhookDelivery {
        SignedWebhookDelivery(deliveryID: delivery.id, payload: payload,
                              signature: signatureHeader(for: payload, at: now), attempt: Int32(clamping: delivery.attempt))
    }
}

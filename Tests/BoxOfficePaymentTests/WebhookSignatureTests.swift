import BoxOfficePayment
import BoxOfficeProviderSimulator
import Foundation
import Testing

@Suite("Webhook signing and verification")
struct WebhookSignatureTests {
    let payload = Array(#"{"id":"evt_1"}"#.utf8)
    let signer = WebhookSigner(secret: "whsec_test")
    let verifier = WebhookVerifier(secrets: ["whsec_test"])

    @Test("the header is t=<seconds>,v1=<HMAC-SHA256 hex of '<t>.' + payload> (known answer)")
    func knownAnswer() {
        // Computed independently: Python's hmac.new(b"whsec_test", b'1800000000.{"id":"evt_1"}', sha256).
        #expect(signer.signatureHeader(for: payload, at: t0.plus(0.9)) ==
                "t=1800000000,v1=45705be2a45ab5acdd1395cc695e9e7073125385ec24194921c401dff44176f8")
    }

    @Test("each redelivery is signed afresh, so it stays inside the replay window")
    func redeliverySignedAfresh() throws {
        var ledger = ChargeLedger(seed: 1)
        let request = CreateChargeRequest(idempotencyKey: "k", amount: 100, currency: "USD", paymentToken: "tok_approve")
        guard case .answerLater(let id, let answerAt) = ledger.createCharge(request, at: t0) else {
            Issue.record("expected processing")
            return
        }
        ledger.completeCharge(id: id, at: answerAt)
        let first = try #require(ledger.webhooks.due(at: answerAt).first)
        let firstAttempt = signer.sign(first, payload: payload, at: answerAt)
        #expect(firstAttempt.attempt == 1)
        #expect(firstAttempt.deliveryID == first.id)
        ledger.recordDelivery(first.id, acknowledged: false, at: answerAt)
        let later = answerAt.plus(3600)
        let retry = try #require(ledger.webhooks.due(at: later).first)
        let secondAttempt = signer.sign(retry, payload: payload, at: later)
        #expect(secondAttempt.attempt == 2)
        #expect(throws: WebhookVerificationError.self) {
            try verifier.verify(payload: payload, signatureHeader: firstAttempt.signature, at: later)
        }
        try verifier.verify(payload: secondAttempt.payload, signatureHeader: secondAttempt.signature, at: later)
    }

    @Test("a good signature verifies and returns the signing time")
    func good() throws {
        let header = signer.signatureHeader(for: payload, at: t0)
        #expect(try verifier.verify(payload: payload, signatureHeader: header, at: t0.plus(10)) == t0)
    }

    @Test("a tampered body is a signature mismatch")
    func tamperedBody() {
        let header = signer.signatureHeader(for: payload, at: t0)
        var tampered = payload
        tampered[tampered.count - 3] ^= 0x01
        #expect(throws: WebhookVerificationError.signatureMismatch) {
            try verifier.verify(payload: tampered, signatureHeader: header, at: t0)
        }
        #expect(throws: WebhookVerificationError.signatureMismatch) {
            try verifier.verify(payload: payload + [0x20], signatureHeader: header, at: t0)
        }
    }

    @Test("a tampered timestamp is a signature mismatch")
    func tamperedTimestamp() {
        let header = signer.signatureHeader(for: payload, at: t0)
        let moved = header.replacingOccurrences(of: "t=1800000000", with: "t=1800000001")
        #expect(throws: WebhookVerificationError.signatureMismatch) {
            try verifier.verify(payload: payload, signatureHeader: moved, at: t0)
        }
    }

    @Test("the wrong secret is a signature mismatch; a rotated-in secret is accepted")
    func secrets() throws {
        let header = WebhookSigner(secret: "whsec_other").signatureHeader(for: payload, at: t0)
        #expect(throws: WebhookVerificationError.signatureMismatch) {
            try verifier.verify(payload: payload, signatureHeader: header, at: t0)
        }
        let rotating = WebhookVerifier(secrets: ["whsec_test", "whsec_other"])
        #expect(try rotating.verify(payload: payload, signatureHeader: header, at: t0) == t0)
    }

    @Test("one matching v1 among several is enough")
    func severalSignatures() throws {
        let good = signer.signatureHeader(for: payload, at: t0)
        let header = "t=1800000000,v1=" + String(repeating: "0", count: 64) + "," + good.split(separator: ",")[1] + ",v0=ignored"
        #expect(try verifier.verify(payload: payload, signatureHeader: header, at: t0) == t0)
    }

    @Test("replay window: 5 minutes either way by default")
    func replayWindow() throws {
        let header = signer.signatureHeader(for: payload, at: t0)
        #expect(try verifier.verify(payload: payload, signatureHeader: header, at: t0.plus(300)) == t0)
        #expect(throws: WebhookVerificationError.timestampTooOld(signedAt: t0, tolerance: .seconds(300))) {
            try verifier.verify(payload: payload, signatureHeader: header, at: t0.plus(301))
        }
        #expect(throws: WebhookVerificationError.timestampInFuture(signedAt: t0, tolerance: .seconds(300))) {
            try verifier.verify(payload: payload, signatureHeader: header, at: t0.plus(-301))
        }
        let strict = WebhookVerifier(secrets: ["whsec_test"], tolerance: .seconds(10))
        #expect(throws: WebhookVerificationError.timestampTooOld(signedAt: t0, tolerance: .seconds(10))) {
            try strict.verify(payload: payload, signatureHeader: header, at: t0.plus(11))
        }
        #expect("\(WebhookVerificationError.timestampTooOld(signedAt: t0, tolerance: .seconds(300)))"
                == "the webhook was signed at 1800000000, older than the 300 s replay window")
    }

    @Test("a missing header is its own error")
    func missing() {
        #expect(throws: WebhookVerificationError.missingSignature) {
            try verifier.verify(payload: payload, signatureHeader: nil, at: t0)
        }
        #expect(throws: WebhookVerificationError.missingSignature) {
            try verifier.verify(payload: payload, signatureHeader: "", at: t0)
        }
    }

    static let sixtyFourHex = String(repeating: "ab", count: 32)

    @Test("malformed headers say what is wrong", arguments: [
        ("garbage", "\"garbage\" is not key=value"),
        ("t=abc,v1=\(sixtyFourHex)", "t must be unix seconds, got \"abc\""),
        ("t=-5,v1=\(sixtyFourHex)", "t must be unix seconds, got \"-5\""),
        ("t=1800000000", "no v1=<signature>"),
        ("v1=\(sixtyFourHex)", "no t=<timestamp>"),
        ("t=1,t=2,v1=\(sixtyFourHex)", "t appears twice"),
        ("t=1800000000,v1=abc", "v1 must be 64 hex digits"),
        ("t=1800000000,v1=\(String(repeating: "zz", count: 32))", "v1 must be 64 hex digits"),
        ("t=1800000000,v1=\(sixtyFourHex)00", "v1 must be 64 hex digits"),
    ])
    func malformed(header: String, detail: String) {
        #expect(throws: WebhookVerificationError.malformedSignature(detail)) {
            try verifier.verify(payload: payload, signatureHeader: header, at: t0)
        }
    }
}

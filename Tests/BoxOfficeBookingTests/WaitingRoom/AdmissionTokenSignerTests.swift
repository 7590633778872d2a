import BoxOfficeBooking
import BoxOfficeRPC
import Foundation
import Testing

/// Admission tokens: bound to user, event and expiry; anything else is refused.
@Suite struct AdmissionTokenSignerTests {
    static let now = Date(timeIntervalSince1970: 1_767_225_600)
    static let expiry = now.addingTimeInterval(600)

    let signer: AdmissionTokenSigner
    let token: AdmissionToken

    init() throws {
        signer = try AdmissionTokenSigner(secret: "s3cret-for-tests-0123456789abcdef")
        token = signer.sign(userID: "user-1", eventID: 42, expiresAt: Self.expiry)
    }

    @Test func aFreshTokenVerifiesForItsUserAndEvent() throws {
        let verified = try signer.verify(token.token, userID: "user-1", eventID: 42, now: Self.now)
        #expect(verified == token)
        #expect(verified.expiresAt == Self.expiry)
    }

    @Test func anotherInstanceWithTheSameSecretAccepts() throws {
        let other = try AdmissionTokenSigner(secret: "s3cret-for-tests-0123456789abcdef")
        #expect(try other.verify(token.token, userID: "user-1", eventID: 42, now: Self.now).userID == "user-1")
    }

    @Test func signingIsDeterministic() {
        #expect(signer.sign(userID: "user-1", eventID: 42, expiresAt: Self.expiry).token == token.token)
    }

    @Test func expiredTokensAreRefused() {
        #expect(throws: AdmissionTokenError.expired(at: Self.expiry)) {
            try signer.verify(token.token, userID: "user-1", eventID: 42, now: Self.expiry)
        }
        #expect(throws: AdmissionTokenError.expired(at: Self.expiry)) {
            try signer.verify(token.token, userID: "user-1", eventID: 42, now: Self.expiry.addingTimeInterval(3_600))
        }
        #expect(throws: Never.self) {
            try signer.verify(token.token, userID: "user-1", eventID: 42, now: Self.expiry.addingTimeInterval(-0.001))
        }
    }

    @Test func tokensOfOtherUsersAreRefused() {
        #expect(throws: AdmissionTokenError.otherUser) {
            try signer.verify(token.token, userID: "user-2", eventID: 42, now: Self.now)
        }
    }

    @Test func tokensForOtherEventsAreRefused() {
        #expect(throws: AdmissionTokenError.otherEvent(42)) {
            try signer.verify(token.token, userID: "user-1", eventID: 43, now: Self.now)
        }
    }

    @Test func tokensOfAnotherSecretAreForged() throws {
        let attacker = try AdmissionTokenSigner(secret: "guessed")
        let forged = attacker.sign(userID: "user-1", eventID: 42, expiresAt: Self.expiry)
        #expect(throws: AdmissionTokenError.forged) {
            try signer.verify(forged.token, userID: "user-1", eventID: 42, now: Self.now)
        }
    }

    /// Each field swapped for another valid value keeps the old MAC: forged.
    @Test(arguments: [1, 2, 3])
    func alteredFieldsAreForged(field: Int) {
        var parts = token.token.split(separator: ".").map(String.init)
        switch field {
        case 1: parts[1] = "43"
        case 2: parts[2] = String(Int64(parts[2])! + 3_600_000)
        default: parts[3] = signer.sign(userID: "user-2", eventID: 42, expiresAt: Self.expiry).token.split(separator: ".").map(String.init)[3]
        }
        let altered = parts.joined(separator: ".")
        #expect(throws: AdmissionTokenError.forged) {
            try signer.verify(altered, userID: field == 3 ? "user-2" : "user-1", eventID: field == 1 ? 43 : 42, now: Self.now)
        }
    }

    @Test func aFlippedSignatureBitIsForged() {
        var parts = token.token.split(separator: ".").map(String.init)
        var mac = Array(parts[4])
        mac[3] = mac[3] == "A" ? "B" : "A"
        parts[4] = String(mac)
        #expect(throws: AdmissionTokenError.forged) {
            try signer.verify(parts.joined(separator: "."), userID: "user-1", eventID: 42, now: Self.now)
        }
    }

    @Test(arguments: ["garbage", "v1.42", "v2.42.1.dXNlcg.AAAA", "v1.x.1.dXNlcg.AAAA", "v1.42.1.dXNlcg.AAAA", "v1.42.1.d+X.AAAA",
                      "v1.42.1.dXNlcg.", ".....", String(repeating: "a", count: 5_000)])
    func malformedTokensAreRefused(text: String) {
        #expect(throws: AdmissionTokenError.malformed) {
            try signer.verify(text, userID: "user-1", eventID: 42, now: Self.now)
        }
    }

    @Test func aMissingTokenIsRefused() {
        #expect(throws: AdmissionTokenError.missing) { try signer.verify("", userID: "user-1", eventID: 42, now: Self.now) }
    }

    @Test func previousSecretsStillVerifyButNeverSign() throws {
        let old = try AdmissionTokenSigner(secret: "old-secret")
        let rotated = try AdmissionTokenSigner(secret: "new-secret", previousSecrets: ["old-secret"])
        let oldToken = old.sign(userID: "u", eventID: 7, expiresAt: Self.expiry)
        #expect(try rotated.verify(oldToken.token, userID: "u", eventID: 7, now: Self.now).eventID == 7)
        let newToken = rotated.sign(userID: "u", eventID: 7, expiresAt: Self.expiry)
        #expect(throws: AdmissionTokenError.forged) { try old.verify(newToken.token, userID: "u", eventID: 7, now: Self.now) }
    }

    @Test func anEmptySecretIsRefused() {
        #expect(throws: AdmissionTokenSigner.EmptySecretError.self) { try AdmissionTokenSigner(secret: "") }
        #expect(throws: AdmissionTokenSigner.EmptySecretError.self) { try AdmissionTokenSigner(secret: "x", previousSecrets: [""]) }
    }

    @Test func userIDsWithAnyCharactersRoundTrip() throws {
        for user in ["ünïcødé 🎟", "a.b.c", "with space", "{braces}", String(repeating: "x", count: 200)] {
            let issued = signer.sign(userID: user, eventID: 9, expiresAt: Self.expiry)
            #expect(try signer.verify(issued.token, userID: user, eventID: 9, now: Self.now).userID == user)
        }
    }

    @Test func everyRefusalIsPermissionDenied() {
        let errors: [AdmissionTokenError] = [.missing, .malformed, .forged, .expired(at: Self.now), .otherUser, .otherEvent(1)]
        for error in errors {
            #expect(error.rpcError.code == .permissionDenied)
            #expect(!error.rpcError.message.isEmpty)
        }
    }
}

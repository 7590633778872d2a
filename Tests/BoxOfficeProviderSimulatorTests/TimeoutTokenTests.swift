import BoxOfficeAPI
import BoxOfficeProviderSimulator
import BoxOfficeRPC
import Testing

/// `tok_timeout_charge` and `tok_timeout_no_charge`: no answer before the caller gives up; the
/// charge is still decided (charged or not) a margin later, visible to GetCharge and by webhook.
@Suite struct TimeoutTokenTests {
    @Test("the caller's deadline passes first; the charge then finishes as the token says", arguments: [
        ("tok_timeout_charge", Boxoffice_Provider_V1_ChargeStatus.succeeded, Boxoffice_Provider_V1_WebhookEventType.chargeSucceeded),
        ("tok_timeout_no_charge", .failed, .chargeFailed),
    ])
    func deadlinePassesFirst(token: String, finalStatus: Boxoffice_Provider_V1_ChargeStatus,
                             eventType: Boxoffice_Provider_V1_WebhookEventType) async throws {
        try await withSimulator { world in
            let request = chargeRequest(token)
            // Longer than the configured caller timeout (400 ms): the call's own deadline rules.
            let deadline = Duration.milliseconds(700)
            let start = ContinuousClock.now
            let code = await statusCode {
                _ = try await world.provider.createCharge(request, options: CallOptions(timeout: deadline))
            }
            #expect(code == .deadlineExceeded)
            #expect(ContinuousClock.now - start >= deadline)

            let pending = try await world.provider.getCharge(lookup(key: request.idempotencyKey))
            #expect(pending.status == .unspecified, "still processing right after the caller gave up")
            let retry = await statusCode { _ = try await world.provider.createCharge(request) }
            #expect(retry == .aborted, "the key is still in flight")

            let events = try await world.receiver.waitForDeliveries(forCharge: pending.id) { !$0.isEmpty }
            #expect(events.map(\.event.type) == [eventType])
            let decidedAt = try #require(events.first).receivedAt
            #expect(decidedAt - start >= deadline + .milliseconds(400), "decided the late-answer margin after the deadline")
            let final = try await world.provider.getCharge(lookup(key: request.idempotencyKey))
            #expect(final.status == finalStatus)
            if finalStatus == .failed { #expect(final.failureCode == "processing_error") }
            #expect(try await world.provider.createCharge(request) == final, "a retry now answers the decided charge")
        }
    }

    @Test("without a deadline the answer comes after the configured caller timeout, and it charged")
    func noDeadline() async throws {
        try await withSimulator { world in
            let start = ContinuousClock.now
            let charge = try await world.provider.createCharge(chargeRequest("tok_timeout_charge"))
            #expect(ContinuousClock.now - start >= .milliseconds(400 + 400))
            #expect(charge.status == .succeeded)
        }
    }
}

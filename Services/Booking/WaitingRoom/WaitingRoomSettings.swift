public import Foundation

/// How one event's waiting room behaves: when the sale opens, how fast people are let in, how
/// long a silent user keeps a place, and how long an admission lasts.
public struct WaitingRoomSettings: Sendable, Hashable, Codable {
    /// Users who enter before this instant are admitted in random order, before everyone later.
    public var saleOpensAt: Date
    /// Batch size and rate.
    public var admission: AdmissionPolicy
    /// A waiting user who does not ask for their status (poll or watch) for this long loses the place.
    public var abandonAfter: Duration
    /// How long an admission token stays valid after admission.
    public var admissionWindow: Duration

    /// Creates settings.
    public init(saleOpensAt: Date, admission: AdmissionPolicy, abandonAfter: Duration = .seconds(60),
                admissionWindow: Duration = .seconds(600)) {
        self.saleOpensAt = saleOpensAt
        self.admission = admission
        self.abandonAfter = abandonAfter
        self.admissionWindow = admissionWindow
    }

    /// What is wrong with the settings, or `nil` when they are usable.
    public var problem: String? {
        if let problem = admission.problem { return problem }
        guard abandonAfter >= .milliseconds(100) else { return "abandon-after must be at least 100 ms" }
        guard admissionWindow >= .seconds(1) else { return "admission window must be at least 1 s" }
        return nil
    }

    /// ``saleOpensAt`` in whole milliseconds since 1970.
    var saleOpensAtMilliseconds: Int64 { WaitingRoomTime.milliseconds(saleOpensAt) }
}

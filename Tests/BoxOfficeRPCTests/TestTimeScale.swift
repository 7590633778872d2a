import Foundation
import NIOCore

/// How many times slower than a plain debug build this test run may be.
///
/// `BOXOFFICE_TEST_TIME_SCALE` (a positive integer) sets it; Scripts/sanitize-thread.sh
/// does, for ThreadSanitizer's slowdown. Unset or invalid: 1, so normal runs keep their
/// budgets exactly. Scale a budget that a healthy peer must meet (connect, answer a keepalive
/// ping) together with the bound a test checks against it, so what the test asserts (e.g. "a
/// hung endpoint is skipped quickly") holds at any speed; never scale the value under test.
enum TestTimeScale {
    static let factor: Int = {
        guard let text = ProcessInfo.processInfo.environment["BOXOFFICE_TEST_TIME_SCALE"],
              let value = Int(text), value >= 1 else { return 1 }
        return value
    }()
}

extension Duration {
    /// This budget stretched by ``TestTimeScale/factor``.
    var scaled: Duration { self * TestTimeScale.factor }
}

extension TimeAmount {
    /// This budget stretched by ``TestTimeScale/factor``.
    var scaled: TimeAmount { .nanoseconds(nanoseconds * Int64(TestTimeScale.factor)) }
}

import BoxOfficeBooking
import Testing

/// Every (state, event) pair of the saga, written down.
///
/// Rows are reachable saga states (`~` = the step's call is waiting to be retried or polled, and due;
/// `held!` = held past its expiry), columns are events (see `SagaColumn`). A cell is
/// - `.` accepted, nothing changes, no actions;
/// - `!H` `!E` `!C` `!P` `!U` `!X` rejected (hold not granted, booking expired, cancelled, payment
///   started, unexpected answer, contradicts a recorded outcome), nothing changes;
/// - `<step>` the saga moves to that step with no actions, `<step>+W` with only a wake-up, and
///   `<step>+C` with the new step's call plus its wake-up.
@Suite("Saga transition table")
struct SagaTransitionTableTests {
    static let userAndInventory = table("""
              hG      hX      hR   co      ca      pP      pG
      hold    held+W  relE+C  REF  !H      !H      !U      !U
      hold~   held+W  relE+C  REF  !H      !H      !U      !U
      held    .       .       .    pin+C   relC+C  !U      !U
      held!   .       .       .    relE+C  relE+C  !U      !U
      pin     .       .       .    .       !P      chg+C   relE+C
      pin~    .       .       .    .       !P      chg+C   relE+C
      chg     .       .       .    .       !P      .       .
      chg~    .       .       .    .       !P      .       .
      wait    .       .       .    .       !P      .       .
      wait~   .       .       .    .       !P      .       .
      conf    .       .       .    .       !P      .       .
      conf~   .       .       .    .       !P      .       .
      rfnd    .       .       .    .       !P      .       .
      rfnd~   .       .       .    .       !P      .       .
      relC    .       .       .    !C      .       !U      !U
      relC~   .       .       .    !C      .       !U      !U
      relE    .       .       .    !E      .       .       .
      relE~   .       .       .    !E      .       .       .
      relF    .       .       .    .       .       .       .
      relF~   .       .       .    .       .       .       .
      REF     .       .       .    !H      !H      !U      !U
      CONF    .       .       .    .       !P      .       .
      RFND    .       .       .    .       !P      .       .
      FAIL    .       .       .    .       .       .       .
      EXP     .       .       .    !E      .       .       .
      CANC    .       .       .    !C      .       !U      !U
      """)

    static let paymentReports = table("""
              cP      cC      cD      cN      cR    qP      qC      qD      qN      qR    nP  nC      nD      nN      nR
      hold    !U      !U      !U      !U      !U    !U      !U      !U      !U      !U    !U  !U      !U      !U      !U
      hold~   !U      !U      !U      !U      !U    !U      !U      !U      !U      !U    !U  !U      !U      !U      !U
      held    !U      !U      !U      !U      !U    !U      !U      !U      !U      !U    !U  !U      !U      !U      !U
      held!   !U      !U      !U      !U      !U    !U      !U      !U      !U      !U    !U  !U      !U      !U      !U
      pin     !U      !U      !U      !U      !U    !U      !U      !U      !U      !U    !U  !U      !U      !U      !U
      pin~    !U      !U      !U      !U      !U    !U      !U      !U      !U      !U    !U  !U      !U      !U      !U
      chg     wait+W  conf+C  relF+C  relF+C  !X    .       conf+C  relF+C  relF+C  !X    .   conf+C  relF+C  relF+C  !X
      chg~    wait+W  conf+C  relF+C  relF+C  !X    .       conf+C  relF+C  relF+C  !X    .   conf+C  relF+C  relF+C  !X
      wait    .       conf+C  relF+C  relF+C  !X    wait+W  conf+C  relF+C  relF+C  !X    .   conf+C  relF+C  relF+C  !X
      wait~   .       conf+C  relF+C  relF+C  !X    .       conf+C  relF+C  relF+C  !X    .   conf+C  relF+C  relF+C  !X
      conf    .       .       !X      !X      !X    .       .       !X      !X      !X    .   .       !X      !X      !X
      conf~   .       .       !X      !X      !X    .       .       !X      !X      !X    .   .       !X      !X      !X
      rfnd    .       .       !X      !X      RFND  .       .       !X      !X      RFND  .   .       !X      !X      RFND
      rfnd~   .       .       !X      !X      RFND  .       .       !X      !X      RFND  .   .       !X      !X      RFND
      relC    !U      !U      !U      !U      !U    !U      !U      !U      !U      !U    !U  !U      !U      !U      !U
      relC~   !U      !U      !U      !U      !U    !U      !U      !U      !U      !U    !U  !U      !U      !U      !U
      relE    !U      !U      !U      !U      !U    !U      !U      !U      !U      !U    !U  !U      !U      !U      !U
      relE~   !U      !U      !U      !U      !U    !U      !U      !U      !U      !U    !U  !U      !U      !U      !U
      relF    .       !X      .       .       !X    .       !X      .       .       !X    .   !X      .       .       !X
      relF~   .       !X      .       .       !X    .       !X      .       .       !X    .   !X      .       .       !X
      REF     !U      !U      !U      !U      !U    !U      !U      !U      !U      !U    !U  !U      !U      !U      !U
      CONF    .       .       !X      !X      !X    .       .       !X      !X      !X    .   .       !X      !X      !X
      RFND    .       .       !X      !X      .     .       .       !X      !X      .     .   .       !X      !X      .
      FAIL    .       !X      .       .       !X    .       !X      .       .       !X    .   !X      .       .       !X
      EXP     !U      !U      !U      !U      !U    !U      !U      !U      !U      !U    !U  !U      !U      !U      !U
      CANC    !U      !U      !U      !U      !U    !U      !U      !U      !U      !U    !U  !U      !U      !U      !U
      """)

    static let answersAndTimer = table("""
              fC      fG      rl      rf      t
      hold    !U      !U      !U      !U      .
      hold~   !U      !U      !U      !U      hold+C
      held    !U      !U      !U      !U      .
      held!   !U      !U      !U      !U      relE+C
      pin     !U      !U      !U      !U      .
      pin~    !U      !U      !U      !U      pin+C
      chg     !U      !U      !U      !U      .
      chg~    !U      !U      !U      !U      chg+C
      wait    !U      !U      !U      !U      .
      wait~   !U      !U      !U      !U      wait+C
      conf    CONF    rfnd+C  !U      !U      .
      conf~   CONF    rfnd+C  !U      !U      conf+C
      rfnd    !X      .       !U      RFND    .
      rfnd~   !X      .       !U      RFND    rfnd+C
      relC    !U      !U      CANC    !U      .
      relC~   !U      !U      CANC    !U      relC+C
      relE    !U      !U      EXP     !U      .
      relE~   !U      !U      EXP     !U      relE+C
      relF    !U      !U      FAIL    !U      .
      relF~   !U      !U      FAIL    !U      relF+C
      REF     !U      !U      !U      !U      .
      CONF    .       !X      !U      !U      .
      RFND    !X      .       !U      .       .
      FAIL    !U      !U      .       !U      .
      EXP     !U      !U      .       !U      .
      CANC    !U      !U      .       !U      .
      """)

    static let callFailures = table("""
              xH      xP      xC      xQ      xF      xL      xR
      hold    hold+W  !U      !U      !U      !U      !U      !U
      hold~   .       !U      !U      !U      !U      !U      !U
      held    .       !U      !U      !U      !U      !U      !U
      held!   .       !U      !U      !U      !U      !U      !U
      pin     .       pin+W   !U      !U      !U      !U      !U
      pin~    .       .       !U      !U      !U      !U      !U
      chg     .       .       chg+W   !U      !U      !U      !U
      chg~    .       .       .       !U      !U      !U      !U
      wait    .       .       .       wait+W  !U      !U      !U
      wait~   .       .       .       .       !U      !U      !U
      conf    .       .       .       .       conf+W  !U      !U
      conf~   .       .       .       .       .       !U      !U
      rfnd    .       .       .       .       .       !U      rfnd+W
      rfnd~   .       .       .       .       .       !U      .
      relC    .       !U      !U      !U      !U      relC+W  !U
      relC~   .       !U      !U      !U      !U      .       !U
      relE    .       .       !U      !U      !U      relE+W  !U
      relE~   .       .       !U      !U      !U      .       !U
      relF    .       .       .       .       !U      relF+W  !U
      relF~   .       .       .       .       !U      .       !U
      REF     .       !U      !U      !U      !U      !U      !U
      CONF    .       .       .       .       .       !U      !U
      RFND    .       .       .       .       .       !U      .
      FAIL    .       .       .       .       !U      .       !U
      EXP     .       .       !U      !U      !U      .       !U
      CANC    .       !U      !U      !U      !U      .       !U
      """)

    /// Every table cell, keyed by row and column.
    static let cells: [String: String] = {
        var all: [String: String] = [:]
        for part in [userAndInventory, paymentReports, answersAndTimer, callFailures] {
            all.merge(part) { first, _ in first }
        }
        return all
    }()

    @Test("the tables cover every row × column exactly once")
    func tablesAreComplete() {
        let parts = [Self.userAndInventory, Self.paymentReports, Self.answersAndTimer, Self.callFailures]
        #expect(parts.map { $0.count }.reduce(0, +) == SagaRow.allCases.count * SagaColumn.allCases.count)
        for row in SagaRow.allCases {
            for column in SagaColumn.allCases {
                #expect(Self.cells["\(row.rawValue) \(column.rawValue)"] != nil, "missing \(row.rawValue) × \(column.rawValue)")
            }
        }
    }

    @Test("every state × event has the written answer", arguments: SagaRow.allCases, SagaColumn.allCases)
    func transition(row: SagaRow, column: SagaColumn) throws {
        let cell = try #require(Self.cells["\(row.rawValue) \(column.rawValue)"])
        let (before, now) = try row.make()
        let event = column.event(now: now)
        var saga = before
        let result: Result<SagaTransition, SagaRejection>
        do {
            result = .success(try saga.handle(event, now: now, policy: Fixture.policy))
        } catch {
            result = .failure(error)
        }

        switch result {
        case .failure(let rejection):
            #expect(cell == "!" + Self.rejectionCode(rejection.reason), "\(row.rawValue) × \(event) was rejected: \(rejection)")
            #expect(saga == before, "a rejected event must not change the saga")
        case .success(let transition) where cell == ".":
            #expect(transition == .unchanged)
            #expect(saga == before, "an ignored event must not change the saga")
        case .success(let transition):
            #expect(!cell.hasPrefix("!") && cell != ".", "\(row.rawValue) × \(event) was accepted, table says \(cell)")
            let parts = cell.split(separator: "+").map(String.init)
            let expectedStep = try #require(SagaStep.byTableName[parts[0]], "bad table cell \(cell)")
            #expect(saga.step == expectedStep)
            #expect(transition.mustPersist)
            #expect(saga.version == before.version + 1)
            #expect(saga.updatedAt == now)
            let actionCode = parts.count > 1 ? parts[1] : ""
            try Self.checkActions(transition.actions, code: actionCode, before: before, after: saga, now: now)
        }
    }

    /// Checks the actions against the cell's code and the rules every transition keeps.
    static func checkActions(_ actions: [SagaAction], code: String, before: BookingSaga, after: BookingSaga,
                             now: SagaInstant) throws {
        let calls = actions.compactMap { action -> SagaCall? in
            if case .call(let call) = action { return call }
            return nil
        }
        let wakeUps = actions.compactMap { action -> SagaInstant? in
            if case .wakeUp(let at) = action { return at }
            return nil
        }
        switch code {
        case "C":
            let call = try #require(calls.first)
            #expect(calls.count == 1)
            #expect(call.kind == after.step.callKind)
            #expect(call.idempotencyKey == "bk-1:\(call.kind.rawValue)")
            #expect(call.deadline > now)
            let previous = before.call.flatMap { $0.kind == call.kind ? $0.attempt : nil } ?? 0
            #expect(call.attempt == previous + 1, "a repeated call counts its attempts")
            #expect(after.call?.phase == .inFlight(deadline: call.deadline))
            #expect(wakeUps == [call.deadline + Fixture.policy.lostCallGrace])
        case "W":
            #expect(calls.isEmpty)
            #expect(wakeUps.count == 1)
            #expect(wakeUps.first.map { $0 > now } == true, "a wake-up lies in the future")
        default:
            #expect(actions.isEmpty)
            #expect(after.step.isTerminal, "only a move to a terminal step has no follow-up")
        }
        #expect(wakeUps.last == after.wakeUpAt)
        if after.step.isTerminal {
            #expect(after.call == nil && after.wakeUpAt == nil)
        }
    }

    static func rejectionCode(_ reason: SagaRejection.Reason) -> String {
        switch reason {
        case .holdNotGranted: "H"
        case .bookingExpired: "E"
        case .bookingCancelled: "C"
        case .paymentStarted: "P"
        case .unexpectedAnswer: "U"
        case .contradictsRecordedOutcome: "X"
        case .inconsistentState: "?"
        }
    }

    /// Parses a table: the first line names the columns, each further line is a row name and its cells.
    static func table(_ text: String) -> [String: String] {
        let lines = text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        guard let header = lines.first else { return [:] }
        var cells: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let row = line.first else { continue }
            for (column, cell) in zip(header, line.dropFirst()) {
                cells["\(row) \(column)"] = cell
            }
        }
        return cells
    }
}

import Foundation
import XCTest
@testable import TBotCore

/// The budgets inside the real pipeline (bundled plugins, paper broker, paper books on disk):
/// paused bots, approvals sent by a later session, the emergency stop closing positions.
final class BudgetPipelineTests: XCTestCase {
    private func folder(autotrade: Bool = true, accountExtra: String = "", accountDailyLoss: String = "2000.00") throws -> OperatorFolder {
        let folder = try OperatorFolder()
        try folder.install("tbot_sma_cross_c")
        try folder.install("tbot_paper_broker")
        try FileManager.default.createDirectory(at: folder.root.appendingPathComponent("state"), withIntermediateDirectories: true)
        try folder.writeManifest(id: "paper_broker", library: "libtbot_paper_broker.so", kind: "broker",
                                 params: "state_file = \"\(folder.root.path)/state/paper.json\"")
        try folder.writeStrategy(id: "sma_cross_c", library: "libtbot_sma_cross_c.so", budget: "40000.00", bots: [
            TestBot(id: "c_synth", symbols: ["SYNTH"], budget: "20000.00", autotrade: autotrade),
            TestBot(id: "c_other", symbols: ["OTHER"], budget: "20000.00"),
        ])
        try folder.writeAccount(reserve: "60000.00", dailyLoss: accountDailyLoss, extra: accountExtra)
        return folder
    }

    private func run(_ folder: OperatorFolder, days: Int = 1) throws -> (PaperDemo.Report, OutputLayout) {
        var demo = PaperDemo()
        demo.days = days
        let layout = OutputLayout(config: .defaults, workingDirectory: folder.root.path, mode: .paper)
        let clock = SimulatedClock(startNanoseconds: demo.market.openNanoseconds)
        let report = try demo.run(catalog: folder.catalog(environment: TestHost.environment(clock: clock)), config: RuntimeConfigFixtures.looseRisk,
                                  clock: clock, layout: layout)
        return (report, layout)
    }

    private func budgets(_ folder: OperatorFolder, _ layout: OutputLayout) throws -> BudgetBook {
        let ledger = try Ledger(path: layout.ledgerFile.path, mode: .paper, identity: layout.identity, create: false)
        return try BudgetBook(ledger: ledger, plan: try folder.plan())
    }

    func testEveryClosedTradeSettlesAndTheLedgerStaysBalanced() throws {
        let folder = try folder()
        let (report, layout) = try run(folder, days: 2)
        XCTAssertGreaterThan(report.wins + report.losses, 10)
        let budgets = try budgets(folder, layout)
        let trades = try budgets.trades()
        XCTAssertEqual(trades.count, report.wins + report.losses, "one settlement per closed trade")
        XCTAssertEqual(Set(trades.map(\.bot)), ["c_synth", "c_other"])
        // Every result is in the books: capital moved by exactly the net results.
        XCTAssertEqual(budgets.accountCapital, Money(units: 1_000_000_000) + trades.reduce(.zero) { $0 + $1.pnl })
        XCTAssertEqual(budgets.accountCapital, report.finalCash, "flat at the end: capital equals the broker's cash")
        let invariant = try budgets.invariant()
        XCTAssertEqual(invariant.parts, invariant.capital)
        XCTAssertEqual(try budgets.ledger.verify(), [])
        XCTAssertTrue(report.lines.contains { $0.hasSuffix("budgets: reserve + module and bot budgets \(report.finalCash) = account capital \(report.finalCash)") })
    }

    func testPausedBotIsRejectedAndTheOtherBotTrades() throws {
        let folder = try folder()
        _ = try run(folder)
        let (_, layout) = try run(folder) // books exist; pause before the next day
        try budgets(folder, layout).pause(bot: "c_synth", at: 0)
        let (report, _) = try run(folder)
        XCTAssertTrue(report.lines.contains { $0.hasSuffix("budget c_synth reject SYNTH BOT_PAUSED: bot c_synth is paused: paused by the operator") },
                      report.lines.joined(separator: "\n"))
        XCTAssertFalse(report.lines.contains { $0.contains("budget c_synth allow") })
        XCTAssertTrue(report.lines.contains { $0.contains("budget c_other allow OTHER") })
        XCTAssertGreaterThan(report.counts.budgetRejections, 0)
    }

    func testApprovalQueuedInOneSessionIsSentByTheNext() throws {
        let folder = try folder(autotrade: false, accountExtra: "approval_expiry_minutes = 10080")
        let (first, layout) = try run(folder)
        XCTAssertGreaterThan(first.counts.approvalsQueued, 0)
        XCTAssertFalse(first.lines.contains { $0.contains("budget c_synth allow") }, "nothing of c_synth is sent without approval")
        let budgets = try budgets(folder, layout)
        let pending = try budgets.approvals(states: [.pending])
        XCTAssertEqual(pending.count, first.counts.approvalsQueued)
        XCTAssertEqual(pending[0].bot, "c_synth")
        XCTAssertEqual(pending[0].symbol, "SYNTH")
        try budgets.approve(pending[0].id, at: 0)
        try budgets.reject(pending[1].id, at: 0)

        let (second, _) = try run(folder)
        let sent = "approval \(pending[0].id) approved: sending BUY \(pending[0].quantity) SYNTH for bot c_synth"
        XCTAssertTrue(second.lines.contains { $0.hasSuffix(sent) }, second.lines.joined(separator: "\n"))
        let states = Dictionary(uniqueKeysWithValues: try budgets.approvals().map { ($0.id, $0.state) })
        XCTAssertEqual(states[pending[0].id], .submitted)
        XCTAssertEqual(states[pending[1].id], .rejected)
        // The approved order was filled and is booked under its bot.
        let fills = try budgets.ledger.transactions().filter { $0.transaction.kind == .fill && $0.transaction.audit.tags.contains("APPROVED_\(pending[0].id)") }
        XCTAssertEqual(fills.count, 1)
        XCTAssertEqual(fills[0].transaction.audit.bot, "c_synth")
    }

    func testApprovalsExpireByTheSessionClock() throws {
        let folder = try folder(autotrade: false, accountExtra: "approval_expiry_minutes = 5")
        let (_, layout) = try run(folder)
        let budgets = try budgets(folder, layout)
        let all = try budgets.approvals()
        XCTAssertFalse(all.isEmpty)
        // All but the ones queued in the session's last five minutes expired within the session.
        XCTAssertTrue(all.dropLast().allSatisfy { $0.state == .expired }, "\(all.map(\.state))")
        let events = try budgets.events().filter { $0.title == "Approval expired" }
        XCTAssertGreaterThanOrEqual(events.count, all.count - 1)
    }

    func testEmergencyStopClosesTheRiskiestPositionAndStopsEntries() throws {
        // A drawdown limit of 0.01% of capital: the second loss of the day trips it.
        let folder = try folder(accountExtra: "close_riskiest_on_emergency = 1\nmax_drawdown = 0.0001")
        let (report, layout) = try run(folder)
        let text = report.lines.joined(separator: "\n")
        let stop = try XCTUnwrap(report.lines.firstIndex { $0.contains("notify CRITICAL account: Emergency stop") }, text)
        let after = report.lines[stop...]
        XCTAssertFalse(after.contains { $0.contains(" allow ") }, "no entry is allowed after the stop")
        XCTAssertTrue(after.contains { $0.contains("reject") && $0.contains("ACCOUNT_PAUSED") }, text)
        let budgets = try budgets(folder, layout)
        XCTAssertTrue(budgets.accountState?.pause.reason?.hasPrefix("emergency stop: drawdown ") ?? false, "\(budgets.accountState!)")
        let exits = try budgets.ledger.transactions().filter { $0.transaction.audit.tags.contains("EMERGENCY_STOP_EXIT") }
        if report.lines.contains(where: { $0.contains("emergency stop: closing") }) {
            XCTAssertEqual(Set(exits.map(\.transaction.kind)), [.fill])
        }
        XCTAssertEqual(try budgets.ledger.verify(), [])
    }

    /// Two bots on two symbols: A keeps rising (held), B enters and falls (a loss). The loss
    /// trips a tiny drawdown limit; the session closes A, the largest position, at once.
    func testEmergencyStopFromALossClosesTheHeldPosition() throws {
        let folder = try OperatorFolder()
        try folder.install("tbot_sma_cross_c")
        try folder.install("tbot_paper_broker")
        try folder.writeManifest(id: "paper_broker", library: "libtbot_paper_broker.so", kind: "broker")
        try folder.writeStrategy(id: "sma_cross_c", library: "libtbot_sma_cross_c.so", budget: "40000.00",
                                 params: "fast = 2\nslow = 3\nstop_pct = 0.01\ntarget_pct = 0.02", bots: [
            TestBot(id: "bot_a", symbols: ["AAA"], budget: "20000.00"),
            TestBot(id: "bot_b", symbols: ["BBB"], budget: "20000.00"),
        ])
        try folder.writeAccount(reserve: "60000.00", extra: "close_riskiest_on_emergency = 1\nmax_drawdown = 0.00001")
        let open = UTCTimestamp.nanoseconds(year: 2024, month: 1, day: 2, hour: 14, minute: 30)
        let clock = SimulatedClock(startNanoseconds: open)
        let catalog = folder.catalog(environment: TestHost.environment(clock: clock))
        let plan = try folder.plan()
        let bots = StrategyBots.make(plan: plan, catalog: catalog).bots
        XCTAssertEqual(bots.map(\.id), ["bot_a", "bot_b"])
        let broker = try XCTUnwrap(BrokerPlugin(try XCTUnwrap(catalog.entry(id: "paper_broker")?.instance)))
        // A dip at minute 2 gives each fast average a last non-zero difference below the slow one.
        let a: [Double] = [10, 10, 9.9, 11, 12, 13, 14, 15]
        let b: [Double] = [20, 20, 19.8, 22, 24, 16, 16, 16]
        var bars: [Bar] = []
        for minute in 0..<a.count {
            let start = open + Int64(minute) * 60_000_000_000
            bars.append(Bar(symbol: "AAA", startNanoseconds: start, intervalSeconds: 60, open: a[minute], high: a[minute], low: a[minute], close: a[minute], volume: 1000))
            bars.append(Bar(symbol: "BBB", startNanoseconds: start, intervalSeconds: 60, open: b[minute], high: b[minute], low: b[minute], close: b[minute], volume: 1000))
        }
        let session = SessionWindow(name: "test", startNanoseconds: open, endNanoseconds: open + Int64(a.count) * 60_000_000_000)
        let layout = OutputLayout(config: .defaults, workingDirectory: folder.root.path, mode: .paper)
        let report = try RecordedSession(layout: layout, config: .defaults)
            .run(bots: bots, plan: plan, filters: [], broker: broker, session: session, bars: bars, clock: clock)
        let lines = report.pipeline.transcript
        let text = lines.joined(separator: "\n")
        let stop = try XCTUnwrap(lines.firstIndex { $0.contains("notify CRITICAL account: Emergency stop") }, text)
        XCTAssertTrue(lines[..<stop].contains { $0.contains("budget bot_b LOSS_CHARGED") }, text)
        let closing = try XCTUnwrap(lines.firstIndex { $0.contains("emergency stop: closing AAA") }, text)
        XCTAssertGreaterThan(closing, stop)
        XCTAssertTrue(lines[closing...].contains { $0.contains("order") && $0.contains("SELL") && $0.contains("AAA") }, text)
        let ledger = try Ledger(path: layout.ledgerFile.path, mode: .paper, identity: layout.identity, create: false)
        let exits = try ledger.transactions().filter { $0.transaction.kind == .fill && $0.transaction.audit.tags.contains("EMERGENCY_STOP_EXIT") }
        XCTAssertEqual(exits.map(\.transaction.audit.ticker), ["AAA"])
        XCTAssertEqual(exits.map(\.transaction.audit.bot), ["bot_a"])
        XCTAssertEqual(report.budgetInvariant.parts, report.budgetInvariant.capital)
        XCTAssertEqual(try ledger.verify(), [])
    }
}

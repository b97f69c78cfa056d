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
        let report = try demo.run(catalog: folder.catalog(environment: TestHost.environment(clock: clock)), config: .defaults,
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
}

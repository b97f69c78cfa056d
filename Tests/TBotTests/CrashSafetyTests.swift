import Foundation
import GRDB
import XCTest
@testable import TBotCore

/// A paper session that posts continuously is killed with SIGKILL at varied points, 20 times.
/// After every kill the ledger verifies, nothing is half-written, and every fill the broker
/// acknowledged is in the books, directly or recovered by reconciliation.
final class CrashSafetyTests: XCTestCase {
    func testLedgerSurvivesTwentyKills() throws {
        let folder = try OperatorFolder()
        try folder.install("tbot_sma_cross_c")
        try folder.install("tbot_paper_broker")
        try folder.writeDemoStrategy(id: "sma_cross_c", library: "libtbot_sma_cross_c.so", params: "fast = 2\nslow = 3")
        try folder.writeDemoAccount(modules: 1)
        try FileManager.default.createDirectory(at: folder.root.appendingPathComponent("state"), withIntermediateDirectories: true)
        try folder.writeManifest(id: "paper_broker", library: "libtbot_paper_broker.so", kind: "broker",
                                 params: "state_file = \"state/paper_broker.json\"\ncommission_per_order = \"0.35\"")
        let cli = CLIRunner(folder: folder)
        let layout = OutputLayout(config: .defaults, workingDirectory: folder.root.path, mode: .paper)
        var killedWhileRunning = 0, recoveredTotal = 0
        // Varied kill points: a fixed spread of delays after the session has opened its books,
        // so the test is repeatable in intent. Counted from the ledger's creation, not from the
        // launch: on a loaded machine a start-up can outlast the shortest delay, and a kill before
        // any book exists leaves nothing to check.
        let delays = (0..<20).map { 40 + ($0 * 137) % 900 }
        for (round, delay) in delays.enumerated() {
            let process = try cli.start("demo", "--days", "40")
            let opened = Date()
            while process.isRunning, !FileManager.default.fileExists(atPath: layout.ledgerFile.path), Date().timeIntervalSince(opened) < 30 {
                usleep(2000)
            }
            usleep(useconds_t(delay * 1000))
            if process.isRunning { killedWhileRunning += 1 }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let reconcile = try cli.run("ledger", "reconcile", "--mode", "paper")
            XCTAssertEqual(reconcile.status, 0, "round \(round): \(reconcile.stdout)\(reconcile.stderr)")
            recoveredTotal += reconcile.stdout.split(separator: "\n").filter { $0.hasPrefix("recovered fill") }.count
            let verify = try cli.run("ledger", "verify", "--mode", "paper")
            XCTAssertEqual(verify.status, 0, "round \(round): \(verify.stdout)\(verify.stderr)")
            try assertBrokerFillsAreBooked(folder: folder, layout: layout, round: round)
            try assertBudgetsBalance(folder: folder, layout: layout, round: round)
        }
        XCTAssertGreaterThanOrEqual(killedWhileRunning, 15, "most kills must land while the session is posting")
        print("crash safety: \(killedWhileRunning) of 20 kills landed mid-session; \(recoveredTotal) fill(s) recovered by reconciliation")
    }

    /// Every fill in the broker's state is in the ledger, and cash agrees to the 1/10000.
    private func assertBrokerFillsAreBooked(folder: OperatorFolder, layout: OutputLayout, round: Int) throws {
        guard FileManager.default.fileExists(atPath: layout.ledgerFile.path) else { return }
        let broker = try XCTUnwrap(BrokerPlugin(TestHost.instance("tbot_paper_broker", parameters: [
            .init(key: "state_file", value: folder.root.appendingPathComponent("state/paper_broker.json").path),
            .init(key: "commission_per_order", value: "0.35")])))
        let ledger = try Ledger(path: layout.ledgerFile.path, mode: .paper, identity: layout.identity, create: false)
        for fill in try broker.fills(since: 0) {
            XCTAssertTrue(try ledger.hasFill(broker: "paper_broker", confirmation: fill.fillID), "round \(round): \(fill.fillID) missing")
        }
        let cash = try ledger.trialBalance().first { $0.account.code == "Assets:Brokers:PAPER:Cash" }?.balance
        XCTAssertEqual(cash, try broker.account().cash, "round \(round)")
    }

    /// Reserve plus every budget equals the account capital after any kill, and every trade the
    /// budgets settled is one closing fill in the books.
    private func assertBudgetsBalance(folder: OperatorFolder, layout: OutputLayout, round: Int) throws {
        guard FileManager.default.fileExists(atPath: layout.ledgerFile.path) else { return }
        let ledger = try Ledger(path: layout.ledgerFile.path, mode: .paper, identity: layout.identity, create: false)
        let budgets = try BudgetBook(ledger: ledger, plan: try folder.plan())
        guard budgets.accountState != nil else { return }
        let invariant = try budgets.invariant()
        XCTAssertEqual(invariant.parts, invariant.capital, "round \(round)")
        let settled = Set(try budgets.trades().map(\.tradeUUID))
        let closed = try ledger.transactions().filter { $0.transaction.kind == .fill && $0.transaction.audit.pnl != nil }
        XCTAssertTrue(settled.isSubset(of: Set(closed.compactMap(\.transaction.audit.tradeUUID))), "round \(round)")
    }
}

import Foundation
import XCTest
@testable import TBotCore

/// The budget commands end to end, through the built `tbot`, on books a demo session made.
final class BudgetCLITests: XCTestCase {
    private var folder: OperatorFolder!

    override func setUpWithError() throws {
        folder = try OperatorFolder()
        try folder.install("tbot_sma_cross_c")
        try folder.install("tbot_paper_broker")
        try folder.writeManifest(id: "paper_broker", library: "libtbot_paper_broker.so", kind: "broker")
        try folder.writeStrategy(id: "sma_cross_c", library: "libtbot_sma_cross_c.so", budget: "40000.00", bots: [
            TestBot(id: "c_synth", symbols: ["SYNTH"], budget: "20000.00", compounded: true, cap: "25000.00"),
            TestBot(id: "c_other", symbols: ["OTHER"], budget: "15000.00", autotrade: false),
        ])
        try folder.writeAccount(reserve: "60000.00")
        // Budgets are under test here: risk limits that let both bots reach them.
        try RuntimeConfigFixtures.text(RuntimeConfigFixtures.looseRiskValues)
            .write(to: folder.root.appendingPathComponent(".env_bot"), atomically: true, encoding: .utf8)
    }

    private func tbot(_ arguments: String...) throws -> CLIRunner.Run { try CLIRunner(folder: folder).run(arguments) }

    func testBudgetShowBeforeAnySessionSaysSo() throws {
        let run = try tbot("budget", "show", "--mode", "paper")
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.hasSuffix("TBOT_US_PAPER_001_BOT_ledger_paper.db not found\n"), run.stderr)
    }

    func testInvalidPlanStopsTheDemoAndTheBudgetCommands() throws {
        try folder.writeAccount(reserve: "50000.00")
        let demo = try tbot("demo")
        XCTAssertEqual(demo.status, 2)
        XCTAssertEqual(demo.stderr, "demo failed: the budgets do not validate:\n\(folder.manifestPath("account.toml")): account.total_capital "
            + "100000.00 must equal the module budgets 40000.00 (sma_cross_c 40000.00) plus reserve_cash 50000.00 = 90000.00\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.root.appendingPathComponent("output").path), "nothing written")
        try FileManager.default.removeItem(atPath: folder.manifestPath("account.toml"))
        let show = try tbot("budget", "show", "--mode", "paper")
        XCTAssertEqual(show.status, 2)
        XCTAssertTrue(show.stderr.hasPrefix("\(folder.manifestPath("account.toml")): cannot be read; the account declaration is required"), show.stderr)
    }

    func testShowListPauseReallocateCloneDecisionsAndApprovals() throws {
        XCTAssertEqual(try tbot("demo").status, 0)

        let show = try tbot("budget", "show", "--mode", "paper", "--json")
        XCTAssertEqual(show.status, 0, show.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        let account = try XCTUnwrap(report["account"] as? [String: Any])
        XCTAssertEqual(account["declared_capital"] as? String, "100000.0000")
        XCTAssertEqual(report["ledger_balanced"] as? Bool, true)
        let modules = try XCTUnwrap(report["modules"] as? [[String: Any]])
        XCTAssertEqual(modules.map { $0["id"] as? String }, ["sma_cross_c"])
        let bots = try XCTUnwrap(modules[0]["bots"] as? [[String: Any]])
        XCTAssertEqual(bots.map { $0["id"] as? String }, ["c_other", "c_synth"])
        XCTAssertEqual(bots[1]["max_budget_cap"] as? String, "25000.0000")
        let pendingCount = try XCTUnwrap(account["pending_approvals"] as? Int)
        XCTAssertGreaterThan(pendingCount, 0, "c_other does not autotrade: its orders wait")

        let text = try tbot("budget", "show", "--mode", "paper")
        XCTAssertTrue(text.stdout.hasPrefix("ACCOUNT Test account  status ACTIVE\n"), text.stdout)
        XCTAssertTrue(text.stdout.contains("MODULE sma_cross_c  status ACTIVE  autotrade on"), text.stdout)
        XCTAssertTrue(text.stdout.contains("  [" + String(repeating: "#", count: 16)), "ASCII bars when not a terminal: \(text.stdout)")
        XCTAssertTrue(text.stdout.hasSuffix("ledger: reserve + module and bot budgets equal the account capital\n"))

        XCTAssertEqual(try tbot("bots", "pause", "c_synth", "--mode", "paper").stdout, "bot c_synth paused\n")
        let list = try tbot("bots", "list", "--mode", "paper")
        XCTAssertTrue(list.stdout.split(separator: "\n").contains { $0.hasPrefix("c_synth") && $0.contains("PAUSED") }, list.stdout)
        XCTAssertTrue(list.stdout.hasSuffix("c_synth: paused by the operator\n"), list.stdout)
        XCTAssertEqual(try tbot("bots", "resume", "c_synth", "--mode", "paper").status, 0)
        let unknown = try tbot("bots", "pause", "nobody", "--mode", "paper")
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.stderr, "no strategy bot 'nobody' in the budgets\n")

        let decisions = try tbot("bots", "decisions", "c_synth", "--mode", "paper")
        XCTAssertEqual(decisions.status, 0, decisions.stderr)
        XCTAssertTrue(decisions.stdout.contains("REJECT_COMPOUND") || decisions.stdout.contains("LOSS_CHARGED"), decisions.stdout)
        XCTAssertTrue(decisions.stdout.contains("  skip vix no VIX series configured (< 30): skipped") || !decisions.stdout.contains("REJECT"))

        let realloc = try tbot("budget", "reallocate", "sma_cross_c=45000.00", "--mode", "paper")
        XCTAssertEqual(realloc.status, 0, realloc.stderr)
        XCTAssertTrue(realloc.stdout.hasPrefix("module sma_cross_c budget 40000.00 -> 45000.00\n"), realloc.stdout)
        XCTAssertTrue(try String(contentsOfFile: folder.manifestPath("account.toml"), encoding: .utf8).contains("reserve_cash = \"55000.00\""))
        let refused = try tbot("budget", "reallocate", "sma_cross_c=30000.00", "--mode", "paper")
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("bot budgets 35000.00 (c_synth 20000.00 + c_other 15000.00) exceed module budget 30000.00"), refused.stderr)
        XCTAssertEqual(try tbot("budget", "reallocate", "oops", "--mode", "paper").status, 64)

        let clone = try tbot("bots", "clone", "c_synth", "c_synth2", "--budget", "5000.00", "--mode", "paper")
        XCTAssertEqual(clone.status, 0, clone.stderr)
        XCTAssertEqual(clone.stdout, "bot c_synth2 initial budget 0.00 -> 5000.00\nbot c_synth2 cloned from c_synth; it trades from the next session\n")

        let approvals = try tbot("approvals", "list", "--mode", "paper", "--json")
        let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(approvals.stdout.utf8)) as? [[String: Any]])
        let id = try XCTUnwrap(rows.first?["id"] as? Int)
        XCTAssertEqual(rows.first?["bot"] as? String, "c_other")
        let approved = try tbot("approvals", "approve", "\(id)", "--mode", "paper")
        XCTAssertEqual(approved.status, 0, approved.stderr)
        let again = try tbot("approvals", "approve", "\(id)", "--mode", "paper")
        XCTAssertEqual(again.status, 1)
        XCTAssertEqual(again.stderr, "approval \(id) is approved, not pending\n")

        XCTAssertEqual(try tbot("emergency-stop", "--mode", "paper", "--reason", "drill").stdout, "emergency stop: every module paused (drill)\n")
        let stopped = try tbot("budget", "show", "--mode", "paper")
        XCTAssertTrue(stopped.stdout.hasPrefix("ACCOUNT Test account  status PAUSED (emergency stop: drill)\n"), stopped.stdout)
        let next = try tbot("demo")
        XCTAssertEqual(next.status, 0, next.stderr)
        XCTAssertTrue(next.stdout.contains("reject SYNTH ACCOUNT_PAUSED: account Test account is paused: emergency stop: drill"), next.stdout)
        XCTAssertFalse(next.stdout.contains(" allow "), "no entry while stopped")
        XCTAssertEqual(try tbot("emergency-stop", "--release", "--mode", "paper").stdout, "emergency stop released\n")
        XCTAssertEqual(try tbot("ledger", "verify", "--mode", "paper").status, 0)
    }
}

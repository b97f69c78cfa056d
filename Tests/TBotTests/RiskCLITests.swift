import Foundation
import XCTest
@testable import TBotCore

/// `tbot risk explain` and `tbot risk limits` end to end, on books a demo session made.
final class RiskCLITests: XCTestCase {
    private var folder: OperatorFolder!

    override func setUpWithError() throws {
        folder = try OperatorFolder()
        for (id, product, kind) in [("price_band", "tbot_price_band_filter", "filter"), ("paper_broker", "tbot_paper_broker", "broker")] {
            try folder.install(product)
            try folder.writeManifest(id: id, library: "lib\(product).so", kind: kind)
        }
        try folder.install("tbot_sma_cross_c")
        try folder.writeDemoStrategy(id: "sma_cross_c", library: "libtbot_sma_cross_c.so")
        try folder.writeDemoAccount(modules: 1)
    }

    private func tbot(_ arguments: String...) throws -> CLIRunner.Run { try CLIRunner(folder: folder).run(arguments) }

    func testExplainShowsEveryRuleOfTheLastSession() throws {
        XCTAssertEqual(try tbot("demo").status, 0)
        let all = try tbot("risk", "explain", "--mode", "paper")
        XCTAssertEqual(all.status, 0, all.stderr)
        let lines = all.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "session demo from 2024-01-02T14:30:00Z: 9 decision(s), 4 approved, 5 rejected")
        // A rejected decision lists the rules up to the one that refused it; the columns align per decision.
        XCTAssertEqual(lines.filter { $0 == "  MAX_TRADES          FAIL SESSION_TRADE_LIMIT: the session has used all MAX_TRADES 4 trades" }.count, 5,
                       all.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("  MIN_REWARD_RISK                   pass: reward:risk 2.00 (") }, all.stdout)

        let one = try tbot("risk", "explain", "--mode", "paper", "--decision", "1", "--json")
        XCTAssertEqual(one.status, 0, one.stderr)
        let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows[0]["outcome"] as? String, "APPROVED")
        XCTAssertEqual(rows[0]["pool_rank"] as? Int, 1)
        XCTAssertEqual(rows[0]["fallback_level"] as? Int, 0)
        XCTAssertEqual(rows[0]["risk_amount"] as? String, "100.0000")
        let checks = try XCTUnwrap(rows[0]["checks"] as? [[String: Any]])
        XCTAssertEqual(checks.first?["rule"] as? String, "DISABLE_ALL_TRADES")
        XCTAssertEqual(checks.last?["rule"] as? String, "MAX_PORTFOLIO_HEAT")
        XCTAssertTrue(checks.allSatisfy { $0["passed"] as? Bool == true })

        let missing = try tbot("risk", "explain", "--mode", "paper", "--decision", "999")
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.hasPrefix("no risk decision #999 in "), missing.stderr)
    }

    func testTheDailyHistoryCarriesFromOneSessionToTheNext() throws {
        // The market checks on in paper mode: the first day has no completed day of volume; the
        // second reads the first day's volume. No broker quotes, so the spread rule then refuses.
        try RuntimeConfigFixtures.text(["MARKET_CHECKS_IN_TEST_MODE": "true", "MIN_VOLUME_THRESHOLD": "1000"])
            .write(to: folder.root.appendingPathComponent(".env_bot"), atomically: true, encoding: .utf8)
        let demo = try tbot("demo", "--days", "2")
        XCTAssertEqual(demo.status, 0, demo.stderr)
        XCTAssertTrue(demo.stdout.contains("LOW_VOLUME (rank 1 fallback 0): no completed day of SYNTH volume to compare with MIN_VOLUME_THRESHOLD 1000"),
                      demo.stdout)
        let explain = try tbot("risk", "explain", "--mode", "paper")
        XCTAssertTrue(explain.stdout.hasPrefix("session demo from 2024-01-03T14:30:00Z:"), explain.stdout)
        let volume = explain.stdout.split(separator: "\n").filter { $0.hasPrefix("  MIN_VOLUME_THRESHOLD") }
        XCTAssertFalse(volume.isEmpty, explain.stdout)
        XCTAssertTrue(volume.allSatisfy { $0.contains("pass: average daily volume ") && $0.hasSuffix("meets MIN_VOLUME_THRESHOLD 1000") }, "\(volume)")
        XCTAssertTrue(explain.stdout.contains("FAIL NO_QUOTE: no bid/ask quote for SYNTH: the spread cannot be checked before a live order"), explain.stdout)
    }

    func testMalformedSectorMapStopsTheDemoBeforeAnythingIsWritten() throws {
        let map = folder.manifestPath("sectors.csv")
        try "symbol,sector\nSPY,US Large Cap Blend\nspy,Other\n".write(toFile: map, atomically: true, encoding: .utf8)
        let demo = try tbot("demo")
        XCTAssertEqual(demo.status, 2)
        XCTAssertEqual(demo.stderr, "demo failed: \(map):3: symbol SPY is listed twice (first on line 2)\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.root.appendingPathComponent("output/ledgers").path), "nothing written")
    }

    func testLimitsShowTheDefenseModeReductions() throws {
        let normal = try tbot("risk", "limits", "--mode", "paper")
        XCTAssertEqual(normal.status, 0, normal.stderr)
        XCTAssertTrue(normal.stdout.hasPrefix("normal limits (Defense Mode inactive)\n"), normal.stdout)
        XCTAssertTrue(normal.stdout.contains("\nMAX_TRADES                        4\n"), normal.stdout)

        try RuntimeConfigFixtures.text(["DEFENSE_MODE_ACTIVE": "true"])
            .write(to: folder.root.appendingPathComponent(".env_bot"), atomically: true, encoding: .utf8)
        let defense = try tbot("risk", "limits", "--mode", "paper")
        XCTAssertEqual(defense.status, 0, defense.stderr)
        XCTAssertTrue(defense.stdout.hasPrefix("Defense Mode ACTIVE: DEFENSE_MODE_ACTIVE=true in the configuration\n"), defense.stdout)
        XCTAssertTrue(defense.stdout.contains("\nTOTAL_ALLOCATION                  0.01  (normal 0.02)\n"), defense.stdout)
        XCTAssertTrue(defense.stdout.contains("\nMAX_TRADES                        2  (normal 4)\n"), defense.stdout)
        XCTAssertTrue(defense.stdout.contains("\nWEIGHTS                           0.6,0.4  (normal 0.4,0.2,0.2,0.2)\n"), defense.stdout)
        XCTAssertTrue(defense.stdout.contains("\nMAX_CONCURRENT_TRADES_PER_BROKER  1  (normal 3)\n"), defense.stdout)

        let json = try tbot("risk", "limits", "--mode", "paper", "--json")
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["mode"] as? String, "defense")
        XCTAssertEqual((report["limits"] as? [String: String])?["MAX_TRADES"], "2")
    }
}

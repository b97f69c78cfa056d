import Foundation
import XCTest
@testable import TBotCore

/// `tbot backtest` end to end: the JSON summary, --param, a bad data row, and a sweep.
final class BacktestCLITests: XCTestCase {
    private func tbot(_ folder: OperatorFolder, _ arguments: [String]) throws -> CLIRunner.Run {
        try CLIRunner(folder: folder).run(arguments)
    }

    private func fidelityArguments(out: String) throws -> [String] {
        let fixture = try BacktestFidelityTests.fixture
        return ["backtest", "--config", fixture + "/env_bot", "--manifests-dir", fixture + "/manifests",
                "--plugins-dir", TestPaths.buildDirectory, "--strategy", "sma_cross_c", "--cash", "10000", "--out", out]
    }

    func testJSONSummaryHasTheRequiredKeysAndParamOverrides() throws {
        let folder = try OperatorFolder()
        let out = folder.root.appendingPathComponent("bt").path
        let run = try tbot(folder, try fidelityArguments(out: out) + ["--data", try BacktestFidelityTests.orcl, "--json",
                                                                        "--param", "fast=20", "--param", "slow=50"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        for key in ["bars", "trades", "final_value", "net_pnl", "sharpe", "max_drawdown", "seconds", "bars_per_second"] {
            XCTAssertNotNil(summary[key], key)
        }
        XCTAssertEqual(summary["bars"] as? Int, 5036)
        let parameters = try XCTUnwrap(summary["parameters"] as? [String: String])
        XCTAssertEqual(parameters["fast"], "20")
        XCTAssertEqual(parameters["slow"], "50")
        XCTAssertEqual(parameters["size"], "10")
        let reference = try BacktestFidelityTests.backtrader(fast: 20, slow: 50, size: 10)
        XCTAssertEqual(summary["trades"] as? Int, reference.trades.count)
        // The summary file is the same object without the timing keys.
        let file = try String(contentsOfFile: out + "/summary_backtest.json", encoding: .utf8)
        XCTAssertFalse(file.contains("\"seconds\""))
        XCTAssertTrue(file.contains("\"final_value\""))
    }

    func testABadRowStopsTheRunWithItsLineAndWritesNothing() throws {
        let folder = try OperatorFolder()
        let data = folder.root.appendingPathComponent("orcl-bad.txt")
        var lines = try String(contentsOfFile: try BacktestFidelityTests.orcl, encoding: .utf8).components(separatedBy: "\n")
        let fields = lines[101].components(separatedBy: ",")
        lines[101] = [fields[0], fields[1], "1.0", "2.0", fields[4], fields[5], fields[6]].joined(separator: ",")  // high below low
        try lines.joined(separator: "\n").write(to: data, atomically: true, encoding: .utf8)
        let out = folder.root.appendingPathComponent("bt").path
        let run = try tbot(folder, try fidelityArguments(out: out) + ["--data", data.path])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("\(data.path):102: "), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/trade_history_backtest.csv"))
        // The run had begun its books when it met the row: they are removed, not left half-written.
        let ledgers = (try? FileManager.default.contentsOfDirectory(atPath: out + "/ledgers")) ?? []
        XCTAssertEqual(ledgers, [])
    }

    func testSweepRanksEveryPointAndWritesCSV() throws {
        let folder = try OperatorFolder()
        let out = folder.root.appendingPathComponent("sweep").path
        let run = try tbot(folder, try fidelityArguments(out: out) + ["--data", try BacktestFidelityTests.orcl,
                                                                        "--sweep", "fast=10:20:10", "--sweep", "slow=30:50:20", "--jobs", "2"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.components(separatedBy: "\n").filter { !$0.isEmpty }
        XCTAssertTrue(lines[0].hasPrefix("rank  fast  slow  trades"), lines[0])
        XCTAssertEqual(lines.count, 1 + 4 + 1, run.stdout)
        let csv = try String(contentsOfFile: out + "/sweep.csv", encoding: .utf8).components(separatedBy: "\n").filter { !$0.isEmpty }
        XCTAssertEqual(csv[0], "rank,fast,slow,trades,net_pnl,final_value,sharpe,max_drawdown,win_rate")
        XCTAssertEqual(csv.count, 5)
        // fast=10 slow=30 is the fidelity run: 97 trades, 264.61 net.
        let point = try XCTUnwrap(csv.first { $0.split(separator: ",")[1...2] == ["10", "30"] })
        let cells = point.split(separator: ",")
        XCTAssertEqual(cells[3], "97")
        XCTAssertEqual(cells[4], "264.6063")
        // Ranked by net P&L, best first.
        let pnls = csv.dropFirst().map { Double($0.split(separator: ",")[4])! }
        XCTAssertEqual(pnls, pnls.sorted(by: >))
    }
}

import Foundation
import XCTest
@testable import TBotCore

/// The SMA-cross example against backtrader's default broker on ../shared/data's ORCL file:
/// market orders at the next bar's open, no commission, 10 shares, with the fixture config of
/// Tests/Fixtures/BacktestFidelity in which no budget or risk limit binds. Trade by trade, and
/// the final portfolio value to the cent.
final class BacktestFidelityTests: XCTestCase {
    static var fixture: String { get throws { try TestPaths.sourceRoot + "/Tests/Fixtures/BacktestFidelity" } }
    static var orcl: String { get throws { try TestPaths.sourceRoot + "/../shared/data/orcl-1995-2014.txt" } }

    struct Reference: Decodable {
        struct Trade: Decodable {
            let entry_day: String, exit_day: String
            let entry_price: Double, exit_price: Double, pnl: Double
            let size: Double
        }
        let trades: [Trade]
        let open_fills: Int
        let final_value: Double
    }

    static func backtest(out: URL, parameters: [ManifestParameter] = []) throws -> BacktestResult {
        let setup = try HostSetup(configPath: fixture + "/env_bot", pluginsDirectory: TestPaths.buildDirectory,
                                  manifestsDirectory: fixture + "/manifests")
        var options = BacktestOptions(strategyID: "sma_cross_c", dataPath: try orcl, outputDirectory: out.path)
        options.cash = Money(text: "10000.00")
        options.parameters = parameters
        return try Backtester(setup: setup).run(options)
    }

    static func backtrader(fast: Int, slow: Int, size: Int) throws -> Reference {
        let script = try TestPaths.sourceRoot + "/Tests/Reference/backtrader_sma_cross.py"
        let run = try ToolProcess.python([script, try orcl, "\(fast)", "\(slow)", "\(size)", "10000"])
        guard run.status == 0 else {
            throw TestSupportError("backtrader run failed (\(run.status)): \(run.stderr); install it with scripts/install-deps.sh")
        }
        return try JSONDecoder().decode(Reference.self, from: Data(run.stdout.utf8))
    }

    func testSMACrossMatchesBacktraderTradeByTrade() throws {
        let scratch = try ScratchFolder()
        let result = try Self.backtest(out: scratch.url)
        let reference = try Self.backtrader(fast: 10, slow: 30, size: 10)

        XCTAssertEqual(result.bars, 5036)
        XCTAssertEqual(reference.trades.count, 97)
        XCTAssertEqual(result.trades.count, reference.trades.count)
        for (index, (ours, theirs)) in zip(result.trades, reference.trades).enumerated() {
            let context = "trade \(index + 1)"
            XCTAssertEqual(UTCDate.day(of: ours.entryNanoseconds), theirs.entry_day, context)
            XCTAssertEqual(UTCDate.day(of: ours.exitNanoseconds), theirs.exit_day, context)
            XCTAssertEqual(ours.quantity, Quantity(shares: Int64(theirs.size)), context)
            // The file quotes 6 decimals; backtrader's executed price is a float of that quote.
            XCTAssertEqual(ours.entryPrice.map { Self.quote($0) }, Self.quote(Decimal(theirs.entry_price)), context)
            XCTAssertEqual(Self.quote(ours.exitPrice), Self.quote(Decimal(theirs.exit_price)), context)
            XCTAssertEqual(Self.cents(ours.pnl.decimal), Self.cents(Decimal(theirs.pnl)), context)
        }
        // One position is still open at the end in both: valued at the last close.
        XCTAssertEqual(reference.open_fills, 1)
        XCTAssertEqual(Self.cents(result.finalValue.decimal), Self.cents(Decimal(reference.final_value)))
        // Exact books: each fill's value is rounded to 1/10000 USD (backtrader's float sum is 10264.60652).
        XCTAssertEqual(result.finalValue.exactDescription, "10264.6063")
        XCTAssertEqual(result.metrics.trades, 97)
        XCTAssertEqual(result.counts.riskRejections, 0)
        XCTAssertEqual(result.counts.budgetRejections, 0)
    }

    func testOtherWindowsMatchBacktraderToo() throws {
        let scratch = try ScratchFolder()
        let result = try Self.backtest(out: scratch.url, parameters: [ManifestParameter(key: "fast", value: "20"),
                                                                     ManifestParameter(key: "slow", value: "50")])
        let reference = try Self.backtrader(fast: 20, slow: 50, size: 10)
        XCTAssertEqual(result.trades.map { UTCDate.day(of: $0.entryNanoseconds) }, reference.trades.map(\.entry_day))
        XCTAssertEqual(result.trades.map { UTCDate.day(of: $0.exitNanoseconds) }, reference.trades.map(\.exit_day))
        XCTAssertEqual(Self.cents(result.finalValue.decimal), Self.cents(Decimal(reference.final_value)))
    }

    func testSameInputsGiveByteIdenticalFiles() throws {
        let first = try ScratchFolder(), second = try ScratchFolder()
        let a = try Self.backtest(out: first.url), b = try Self.backtest(out: second.url)
        let names = ["trade_history_backtest.csv", "trade_history_backtest.json", "daily_summary_backtest.json",
                     "summary_backtest.json", "equity_backtest.svg", "backtest.log"]
        for name in names {
            let x = try Data(contentsOf: first.url.appendingPathComponent(name))
            let y = try Data(contentsOf: second.url.appendingPathComponent(name))
            XCTAssertFalse(x.isEmpty, name)
            XCTAssertEqual(x, y, "\(name) differs between two runs")
        }
        XCTAssertEqual(a.summaryJSON(timing: false), b.summaryJSON(timing: false))
        // The books balance and their hash chain holds.
        let ledger = try Ledger(path: first.url.appendingPathComponent("ledgers").appendingPathComponent(
            "\(LedgerIdentity(entity: "TBOT", jurisdiction: "US", broker: "PAPER", bot: "001").stem)_ledger_backtest.db").path,
            mode: .backtest, identity: LedgerIdentity(entity: "TBOT", jurisdiction: "US", broker: "PAPER", bot: "001"), create: false)
        XCTAssertEqual(try ledger.verify(), [])
    }

    static func quote(_ price: Decimal) -> String { DecimalText.format(price, fractionDigits: 6) }

    static func cents(_ value: Decimal) -> String { DecimalText.format(value, fractionDigits: 2) }
}

/// A temporary folder removed when the test ends.
final class ScratchFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tbot-scratch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}

import Foundation
import GRDB
import XCTest
@testable import TBotCore

/// Trade history, daily summary, session logs and ledger backups, checked as whole files.
final class ReportTests: XCTestCase {
    private let identity = LedgerIdentity(entity: "TBOT", jurisdiction: "US", broker: "PAPER", bot: "001")
    private var folder: OperatorFolder!
    private var layout: OutputLayout!
    private let day = UTCTimestamp.nanoseconds(year: 2024, month: 1, day: 2, hour: 14, minute: 30)

    override func setUpWithError() throws {
        folder = try OperatorFolder()
        layout = layout(.paper)
    }

    override func tearDown() { folder = nil }

    private func layout(_ mode: LedgerMode) -> OutputLayout {
        OutputLayout(outputDirectory: folder.root.appendingPathComponent("output"),
                     backupDirectory: folder.root.appendingPathComponent("backups"), identity: identity, mode: mode)
    }

    private func text(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    private func record(_ seconds: Int64, _ strategy: String, _ ticker: String, pnl: Int64?, ms: Double? = nil,
                        error: String? = nil, mode: LedgerMode = .paper) -> TradeRecord {
        TradeRecord(timeNanoseconds: day + seconds * 1_000_000_000, strategyName: strategy, ticker: ticker, side: "long",
                    size: Quantity(shares: 1), entryPrice: nil, exitPrice: nil, pnl: pnl.map { Money(units: $0) },
                    broker: "paper", mode: mode, errorCode: error, executionMilliseconds: ms)
    }

    // MARK: Trade history

    private var history: [TradeRecord] {
        [
            TradeRecord(timeNanoseconds: day + 123_000_000, strategyName: "open", ticker: "AAPL", side: "long",
                        size: Quantity(shares: 10), entryPrice: DecimalText.parse("49.99"), exitPrice: DecimalText.parse("50.10"),
                        pnl: Money(units: 1_110_000), broker: "paper", mode: .paper, tradeUUID: "T-1",
                        executionMilliseconds: 12.5, tags: ["orb", "gap,up"], fallbackLevel: 1),
            TradeRecord(timeNanoseconds: day + 60_000_000_000, strategyName: "open", ticker: "MSFT", side: "short",
                        size: Quantity(units: 500_000_000), entryPrice: nil, exitPrice: nil, pnl: nil, broker: "paper",
                        mode: .paper, errorCode: "ORDER_REJECTED", executionMilliseconds: 3.25, tags: ["no \"buying\" power"]),
            TradeRecord(timeNanoseconds: day + 90_000_000_000, strategyName: "mid", ticker: "SPY", side: "short",
                        size: Quantity(shares: 2), entryPrice: DecimalText.parse("470.1234"), exitPrice: DecimalText.parse("470.74"),
                        pnl: Money(units: -12_345), broker: "paper", mode: .paper),
        ]
    }

    func testTradeHistoryCSVIsExact() throws {
        let files = try TradeHistoryWriter.write(history, session: "demo", date: "2024-01-02", layout: layout)
        XCTAssertEqual(files.csv.lastPathComponent, "TBOT_US_PAPER_001_BOT_2024-01-02_demo_trade_history_paper.csv")
        XCTAssertEqual(try text(files.csv), """
            timestamp,strategy_name,ticker,side,size,entry_price,exit_price,PnL,broker,mode,error_code,trade_uuid,execution_ms,tags,fallback_level
            2024-01-02T14:30:00.123Z,open,AAPL,long,10,49.99,50.1,111.00,paper,paper,,T-1,12.500,"orb;gap,up",1
            2024-01-02T14:31:00.000Z,open,MSFT,short,0.5,,,,paper,paper,ORDER_REJECTED,,3.250,"no ""buying"" power",
            2024-01-02T14:31:30.000Z,mid,SPY,short,2,470.1234,470.74,-1.2345,paper,paper,,,,,

            """)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: files.csv.deletingLastPathComponent().path)
        XCTAssertEqual(leftovers.sorted(), [files.csv.lastPathComponent, files.json.lastPathComponent], "no temporary files left")
    }

    func testTradeHistoryJSONIsExactAndErrorCodeOnlyWhenSet() throws {
        let files = try TradeHistoryWriter.write(history, session: "demo", date: "2024-01-02", layout: layout)
        XCTAssertEqual(try text(files.json), """
            [
              {
                "timestamp": "2024-01-02T14:30:00.123Z",
                "strategy_name": "open",
                "ticker": "AAPL",
                "side": "long",
                "size": 10,
                "entry_price": 49.99,
                "exit_price": 50.1,
                "PnL": 111.00,
                "broker": "paper",
                "mode": "paper",
                "trade_uuid": "T-1",
                "execution_ms": 12.500,
                "tags": [
                  "orb",
                  "gap,up"
                ],
                "fallback_level": 1
              },
              {
                "timestamp": "2024-01-02T14:31:00.000Z",
                "strategy_name": "open",
                "ticker": "MSFT",
                "side": "short",
                "size": 0.5,
                "entry_price": null,
                "exit_price": null,
                "PnL": null,
                "broker": "paper",
                "mode": "paper",
                "error_code": "ORDER_REJECTED",
                "trade_uuid": null,
                "execution_ms": 3.250,
                "tags": [
                  "no \\"buying\\" power"
                ],
                "fallback_level": null
              },
              {
                "timestamp": "2024-01-02T14:31:30.000Z",
                "strategy_name": "mid",
                "ticker": "SPY",
                "side": "short",
                "size": 2,
                "entry_price": 470.1234,
                "exit_price": 470.74,
                "PnL": -1.2345,
                "broker": "paper",
                "mode": "paper",
                "trade_uuid": null,
                "execution_ms": null,
                "tags": [],
                "fallback_level": null
              }
            ]

            """)
        let parsed = try JSONSerialization.jsonObject(with: Data(contentsOf: files.json)) as? [[String: Any]]
        XCTAssertEqual(parsed?.map { $0["error_code"] as? String }, [nil, "ORDER_REJECTED", nil])
    }

    func testEmptyHistoryAndModeCrossingIsRefused() throws {
        XCTAssertEqual(TradeHistoryWriter.csvText([]), TradeHistoryWriter.csvHeader + "\n")
        XCTAssertEqual(TradeHistoryWriter.jsonText([]), "[]\n")
        XCTAssertThrowsError(try TradeHistoryWriter.write([record(0, "open", "AAPL", pnl: 1, mode: .live)], session: "demo",
                                                          date: "2024-01-02", layout: layout)) {
            XCTAssertEqual("\($0)", "a live record cannot be written to paper output")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: layout.outputDirectory.appendingPathComponent("trades").path))
    }

    // MARK: Daily summary

    private var tradingDay: [TradeRecord] {
        [
            record(0, "open", "AAPL", pnl: 1_000_000, ms: 10),
            record(60, "open", "AAPL", pnl: -300_000, ms: 20),
            record(120, "mid", "MSFT", pnl: 505_000, ms: 30),
            record(180, "mid", "TSLA", pnl: -802_500, ms: 40),
            record(240, "close", "NVDA", pnl: 0),
            record(300, "close", "SPY", pnl: 123_456),
            record(360, "open", "MSFT", pnl: nil, ms: 5, error: "ORDER_REJECTED"),
            record(420, "mid", "AMD", pnl: nil, ms: 7.5, error: "PARTIAL_FILL"),
        ]
    }

    func testDailySummaryValues() throws {
        let summary = try DailySummary(records: tradingDay, date: "2024-01-02", identity: identity, mode: .paper)
        XCTAssertEqual([summary.records, summary.closedTrades, summary.wins, summary.losses, summary.breakeven], [8, 6, 3, 2, 1])
        XCTAssertEqual(summary.errorCodes.map(\.code), ["ORDER_REJECTED", "PARTIAL_FILL"])
        XCTAssertEqual(summary.winLossRatio, "1.5000")
        XCTAssertEqual(summary.winRate, "0.5000")
        XCTAssertEqual([summary.grossProfit, summary.grossLoss, summary.netPnL].map(\.units), [1_628_456, -1_102_500, 525_956])
        XCTAssertEqual(summary.mostProfitable, DailySummary.SymbolResult(ticker: "AAPL", pnl: Money(units: 700_000)))
        XCTAssertEqual(summary.leastProfitable, DailySummary.SymbolResult(ticker: "TSLA", pnl: Money(units: -802_500)))
        XCTAssertEqual(summary.executionSpeed, DailySummary.ExecutionSpeed(samples: 6, meanMilliseconds: 18.75,
                                                                           medianMilliseconds: 15, maxMilliseconds: 40))
        XCTAssertEqual(summary.strategies.map(\.name), ["close", "mid", "open"])
    }

    func testDailySummaryFileIsExact() throws {
        let url = try DailySummary.write(tradingDay.reversed(), date: "2024-01-02", layout: layout)
        XCTAssertEqual(url.lastPathComponent, "TBOT_US_PAPER_001_BOT_2024-01-02_daily_summary_paper.json")
        XCTAssertEqual(try text(url), """
            {
              "date": "2024-01-02",
              "identity": "TBOT_US_PAPER_001_BOT",
              "mode": "paper",
              "trade_counts": {
                "records": 8,
                "closed_trades": 6,
                "wins": 3,
                "losses": 2,
                "breakeven": 1,
                "by_error_code": {
                  "ORDER_REJECTED": 1,
                  "PARTIAL_FILL": 1
                }
              },
              "win_loss_ratio": "1.5000",
              "win_rate": "0.5000",
              "pnl": {
                "gross_profit": 162.8456,
                "gross_loss": -110.25,
                "net": 52.5956
              },
              "execution_speed": {
                "samples": 6,
                "mean_ms": 18.750,
                "median_ms": 15.000,
                "max_ms": 40.000
              },
              "most_profitable_symbol": {
                "ticker": "AAPL",
                "pnl": 70.00
              },
              "least_profitable_symbol": {
                "ticker": "TSLA",
                "pnl": -80.25
              },
              "strategies_triggered": [
                {
                  "name": "close",
                  "records": 2,
                  "closed_trades": 2,
                  "net_pnl": 12.3456
                },
                {
                  "name": "mid",
                  "records": 3,
                  "closed_trades": 2,
                  "net_pnl": -29.75
                },
                {
                  "name": "open",
                  "records": 3,
                  "closed_trades": 2,
                  "net_pnl": 70.00
                }
              ]
            }

            """, "input order does not matter")
    }

    func testDailySummaryWithoutLossesOrTradesAndOutsideTheDay() throws {
        let quiet = try DailySummary(records: [record(0, "open", "AAPL", pnl: 5)], date: "2024-01-02", identity: identity, mode: .paper)
        XCTAssertNil(quiet.winLossRatio)
        XCTAssertEqual(quiet.winRate, "1.0000")
        XCTAssertNil(quiet.executionSpeed)
        let empty = try DailySummary(records: [], date: "2024-01-02", identity: identity, mode: .paper)
        XCTAssertTrue(empty.jsonText.contains("\"win_rate\": null,\n  \"pnl\": {\n    \"gross_profit\": 0.00,"), empty.jsonText)
        XCTAssertNil(empty.mostProfitable)
        XCTAssertThrowsError(try DailySummary(records: [record(86_400, "open", "AAPL", pnl: 5)], date: "2024-01-02",
                                              identity: identity, mode: .paper)) {
            XCTAssertEqual("\($0)", "a record of 2024-01-03 cannot be part of the 2024-01-02 daily summary")
        }
    }

    // MARK: Session log

    func testSessionLogJSONLines() throws {
        let clock = SimulatedClock(startNanoseconds: day + 5_000_000)
        let log = try SessionLog(layout: layout, name: "open", format: .json, clock: clock)
        try log.write(.info, "entered \"AAPL\"", fields: ["symbol": "AAPL", "qty": "10"])
        clock.advance(to: day + 1_000_000_000)
        try log.write(.error, "broker down\nretrying")
        XCTAssertEqual(log.url.path, layout.outputDirectory.appendingPathComponent("logs/open_paper.log").path)
        XCTAssertEqual(try text(log.url), """
            {"timestamp":"2024-01-02T14:30:00.005Z","level":"info","source":"open","message":"entered \\"AAPL\\"","fields":{"qty":"10","symbol":"AAPL"}}
            {"timestamp":"2024-01-02T14:30:01.000Z","level":"error","source":"open","message":"broker down\\nretrying"}

            """)
    }

    func testSessionLogCSVAppendsWithOneHeader() throws {
        let clock = SimulatedClock(startNanoseconds: day)
        try SessionLog(layout: layout, name: "mid", format: .csv, clock: clock).write(.warning, "slow fill, 2s", fields: ["symbol": "AAPL"])
        let reopened = try SessionLog(layout: layout, name: "mid", format: .csv, clock: clock, source: "mid/session-2")
        try reopened.write(.info, "said \"hi\"")
        XCTAssertEqual(try text(reopened.url), """
            timestamp,level,source,message
            "2024-01-02T14:30:00.000Z","warning","mid","slow fill, 2s symbol=AAPL"
            "2024-01-02T14:30:00.000Z","info","mid/session-2","said ""hi\""\"

            """)
        XCTAssertThrowsError(try SessionLog(layout: layout, name: "mid", format: .json, clock: clock)) {
            XCTAssertEqual("\($0)", "\(reopened.url.path) holds lines of another format than LOG_FORMAT=json; move it aside or change LOG_FORMAT")
        }
    }

    // MARK: Ledger backups

    private func deposit(_ amount: Int64, at time: Int64 = 1_000) -> NewTransaction {
        NewTransaction(kind: .openingBalance, type: .credit, postedNanoseconds: time, memo: "opening balance",
                       entries: [.debit(ChartOfAccounts.brokerCash("PAPER"), Money(units: amount)),
                                 .credit(ChartOfAccounts.openingBalance, Money(units: amount))])
    }

    /// Opens the layout's ledger with the broker accounts and posts `amounts`, one transaction each.
    private func ledger(_ layout: OutputLayout, posting amounts: [Int64] = []) throws -> Ledger {
        let ledger = try Ledger(path: layout.ledgerFile.path, mode: layout.mode, identity: identity)
        try ledger.ensureAccounts(ChartOfAccounts.brokerAccounts("PAPER"))
        try ledger.post(amounts.enumerated().map { deposit($0.element, at: Int64($0.offset + 1) * 1_000) })
        return ledger
    }

    private func backups() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: layout.backupDirectory.path).sorted()
    }

    func testBackupIsAVerifiedCopyWithTheSameTransactions() throws {
        let ledger = try ledger(layout, posting: [500, 700])
        let first = try LedgerBackup.backup(ledger, layout: layout, now: day + 250_000_000)
        let second = try LedgerBackup.backup(ledger, layout: layout, now: day)
        XCTAssertEqual(first.lastPathComponent, "TBOT_US_PAPER_001_BOT_ledger_paper_20240102T143000Z.db")
        XCTAssertEqual(second.lastPathComponent, "TBOT_US_PAPER_001_BOT_ledger_paper_20240102T143000Z-1.db")
        XCTAssertEqual(try backups(), [first.lastPathComponent, second.lastPathComponent].sorted(), "one file each, no journals")
        XCTAssertEqual(try LedgerBackup.verify(backup: first, layout: layout), [])
        let copy = try Ledger(path: first.path, mode: .paper, identity: identity, create: false)
        XCTAssertEqual(try copy.verify(), [])
        XCTAssertEqual(try copy.transactions(), try ledger.transactions())
        XCTAssertEqual(try copy.transactions().count, 2)
        XCTAssertThrowsError(try LedgerBackup.backup(ledger, layout: self.layout(.live), now: day)) {
            XCTAssertEqual("\($0)", "cannot back up the TBOT_US_PAPER_001_BOT paper ledger into the TBOT_US_PAPER_001_BOT live layout")
        }
    }

    func testPruneRemovesOnlyOldBackupsOfThisLedger() throws {
        try FileManager.default.createDirectory(at: layout.backupDirectory, withIntermediateDirectories: true)
        let names = [
            "TBOT_US_PAPER_001_BOT_ledger_paper_20231201T000000Z.db",
            "TBOT_US_PAPER_001_BOT_ledger_paper_20231225T120000Z-1.db",
            "TBOT_US_PAPER_001_BOT_ledger_paper_20231227T000000Z.db",
            "TBOT_US_PAPER_001_BOT_ledger_paper_20240101T000000Z.db",
            "TBOT_US_PAPER_002_BOT_ledger_paper_20231201T000000Z.db",
            "TBOT_US_PAPER_001_BOT_ledger_live_20231201T000000Z.db",
            "TBOT_US_PAPER_001_BOT_ledger_paper_notastamp.db",
            "TBOT_US_PAPER_001_BOT_ledger_paper_20231301T000000Z.db",
            "TBOT_US_PAPER_001_BOT_ledger_paper_20231201T000000Z.db-wal",
        ]
        for name in names {
            _ = FileManager.default.createFile(atPath: layout.backupDirectory.appendingPathComponent(name).path, contents: Data())
        }
        let removed = try LedgerBackup.prune(layout: layout, retentionDays: 7, now: day)
        XCTAssertEqual(removed.map(\.lastPathComponent), [names[0], names[1]])
        XCTAssertEqual(try backups(), names[2...].sorted())
        // Everything is old a year later, but the newest copy of this ledger stays.
        let later = try LedgerBackup.prune(layout: layout, retentionDays: 30, now: day + 365 * 86_400 * 1_000_000_000)
        XCTAssertEqual(later.map(\.lastPathComponent), [names[2]])
        XCTAssertEqual(try backups(), names[3...].sorted())
    }

    func testRestoreRefusesATamperedBackup() throws {
        let backup = try LedgerBackup.backup(ledger(layout, posting: [500, 700, 900]), layout: layout, now: day)
        let tampered = try DatabaseQueue(path: backup.path)
        try tampered.write { db in
            try db.execute(sql: "DROP TRIGGER entries_immutable")
            try db.execute(sql: "UPDATE entries SET amount = amount * 2 WHERE transaction_id = 2")
        }
        try tampered.close()
        XCTAssertThrowsError(try LedgerBackup.restore(backup: backup, layout: layout, now: day + 60_000_000_000)) { error in
            XCTAssertEqual("\(error)", """
                \(backup.path) fails ledger verification:
                  - schema: trigger entries_immutable is missing
                  - transaction 2: hash chain broken: stored hash does not match the transaction's contents
                """)
        }
        XCTAssertEqual(try backups(), [backup.lastPathComponent], "nothing restored, so nothing backed up")
        XCTAssertEqual(try ledger(layout).transactions().map(\.transaction.entries[0].amount.units), [500, 700, 900])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: layout.ledgerFile.deletingLastPathComponent().path)
            .filter { $0.contains("restore") }, [], "the checked copy is removed")
    }

    func testRestoreRefusesAnotherModesBackup() throws {
        let backup = try LedgerBackup.backup(ledger(layout, posting: [500]), layout: layout, now: day)
        let live = layout(.live)
        XCTAssertThrowsError(try LedgerBackup.restore(backup: backup, layout: live, now: day)) {
            XCTAssertEqual("\($0)", "\(backup.path) is a paper ledger, not live")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: live.ledgerFile.path))
    }

    func testRestoreOfAGoodBackupReplacesTheLedgerAndCanBeUndone() throws {
        let good: URL
        do {
            let ledger = try ledger(layout, posting: [500, 700])
            good = try LedgerBackup.backup(ledger, layout: layout, now: day)
            try ledger.post(deposit(900, at: 9_000))
        }
        let undo = try XCTUnwrap(LedgerBackup.restore(backup: good, layout: layout, now: day + 60_000_000_000))
        XCTAssertEqual(undo.lastPathComponent, "TBOT_US_PAPER_001_BOT_ledger_paper_20240102T143100Z.db")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: layout.ledgerFile.deletingLastPathComponent().path),
                       [layout.ledgerFile.lastPathComponent], "no temporary copy or stale journal beside the ledger")
        let restored = try ledger(layout)
        XCTAssertEqual(try restored.verify(), [])
        XCTAssertEqual(try restored.transactions().map(\.transaction.entries[0].amount.units), [500, 700])
        try restored.post(deposit(300, at: 10_000))
        XCTAssertEqual(try restored.verify(), [], "the restored books take new postings")
        let previous = try Ledger(path: undo.path, mode: .paper, identity: identity, create: false)
        XCTAssertEqual(try previous.transactions().map(\.transaction.entries[0].amount.units), [500, 700, 900])
    }
}

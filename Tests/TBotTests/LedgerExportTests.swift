import Foundation
import XCTest
@testable import TBotCore

/// `tbot ledger export`, checked by the tools that read the files: hledger must read the
/// journal and agree with the trial balance; ofxtools must parse the statement with FITIDs
/// and amounts intact. Missing tools fail the test: they are part of the contract.
final class LedgerExportTests: XCTestCase {
    private let identity = LedgerIdentity(entity: "TBOT", jurisdiction: "US", broker: "PAPER", bot: "001")
    private var folder: OperatorFolder!
    private var path: String { folder.root.appendingPathComponent("ledgers/export_ledger_paper.db").path }
    private let tradeUUID = "6F1C2A1E-3B4D-4E5F-8A9B-0C1D2E3F4A5B"

    private let cash = ChartOfAccounts.brokerCash("PAPER")
    private let positions = ChartOfAccounts.brokerPositions("PAPER")
    private static let buyTime = UTCTimestamp.nanoseconds(year: 2024, month: 1, day: 3, hour: 14, minute: 35)
    private static let sellTime = UTCTimestamp.nanoseconds(year: 2024, month: 1, day: 4, hour: 15, minute: 59, second: 59) + 999_000_000

    override func setUpWithError() throws { folder = try OperatorFolder() }
    override func tearDown() { folder = nil }

    // MARK: The books

    private func money(_ text: String) -> Money { Money(text: text)! }

    /// A session's worth of postings: opening cash, a round trip in AAPL with fee and
    /// slippage, a reserve transfer, and a duplicated fee corrected by a reversal.
    private func books() throws -> Ledger {
        let ledger = try Ledger(path: path, mode: .paper, identity: identity)
        try ledger.ensureAccounts(ChartOfAccounts.brokerAccounts("PAPER") + ChartOfAccounts.budgetAccounts(module: "momentum", bots: ["sma1"]))
        let trade = TransactionAudit(broker: "paper", strategy: "sma_cross", module: "momentum", bot: "sma1", ticker: "AAPL",
                                     side: "buy", size: 10, entryPrice: Decimal(string: "187.1234"), tradeUUID: tradeUUID,
                                     brokerConfirmation: "PB-0001", tags: ["ENTRY", "SMA"])
        var sell = trade
        sell.side = "sell"
        sell.exitPrice = 190.5
        sell.pnl = money("33.8894")
        sell.brokerConfirmation = "PB-0002"
        sell.tags = ["EXIT"]
        var duplicate = trade
        duplicate.errorCode = "E_DUP_FEE"
        try ledger.post([
            NewTransaction(kind: .openingBalance, type: .credit,
                           postedNanoseconds: UTCTimestamp.nanoseconds(year: 2024, month: 1, day: 2, hour: 14, minute: 30) + 123_456_789,
                           memo: "opening balance; cash at PAPER", audit: TransactionAudit(broker: "paper"),
                           entries: [.debit(cash, money("100000.1234")), .credit(ChartOfAccounts.openingBalance, money("100000.1234"))]),
            NewTransaction(kind: .fill, type: .buy, postedNanoseconds: Self.buyTime,
                           memo: "buy 10 AAPL @ 187.1234  \"limit\",\nday order", audit: trade,
                           entries: [.debit(positions, money("1871.2340")), .credit(cash, money("1871.2340"))]),
            NewTransaction(kind: .fee, type: .fee, postedNanoseconds: Self.buyTime + 1_000_000, memo: "fee on buy AAPL", audit: trade,
                           entries: [.debit(ChartOfAccounts.brokerFees("PAPER"), money("0.0001")), .credit(cash, money("0.0001"))]),
            NewTransaction(kind: .slippage, type: .other, postedNanoseconds: Self.buyTime + 2_000_000,
                           memo: "slippage on buy AAPL: filled 187.1234, expected 187.11", audit: trade,
                           entries: [.debit(ChartOfAccounts.slippage("PAPER"), money("0.1234")), .credit(positions, money("0.1234"))]),
            NewTransaction(kind: .fill, type: .sell, postedNanoseconds: Self.sellTime, memo: "sell 10 AAPL @ 190.5", audit: sell,
                           entries: [.debit(cash, money("1905.0000")), .credit(positions, money("1871.1106")),
                                     .credit(ChartOfAccounts.realizedGains("PAPER"), money("33.8894"))]),
            NewTransaction(kind: .reserveTransfer, type: .transfer,
                           postedNanoseconds: UTCTimestamp.nanoseconds(year: 2024, month: 1, day: 5, hour: 21),
                           memo: "skim to réserve & <cash>", audit: TransactionAudit(broker: "paper", module: "momentum"),
                           entries: [.debit(ChartOfAccounts.reserveCash, money("500.0050")), .credit(cash, money("500.0050"))]),
            NewTransaction(kind: .fee, type: .fee, postedNanoseconds: UTCTimestamp.nanoseconds(year: 2024, month: 1, day: 5, hour: 21, second: 1),
                           memo: "fee on sell AAPL", audit: duplicate,
                           entries: [.debit(ChartOfAccounts.brokerFees("PAPER"), money("12.3456")), .credit(cash, money("12.3456"))]),
        ])
        try ledger.reverse(7, at: UTCTimestamp.nanoseconds(year: 2024, month: 1, day: 8, hour: 9), reason: "duplicate fee; refunded")
        return ledger
    }

    private func write(_ text: String, _ name: String) throws -> String {
        let file = folder.root.appendingPathComponent(name).path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    // MARK: hledger

    func testHledgerReadsTheJournalAndAgreesWithTheTrialBalance() throws {
        let hledger = try tool("/usr/bin/hledger", probe: ["--version"])
        let ledger = try books()
        let journal = try write(try LedgerExporter.export(ledger, format: .hledger, from: nil, to: nil), "books.journal")

        // --strict: every account and commodity used must be declared.
        let check = try run(hledger, ["-f", journal, "check", "--strict"])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertEqual(check.stderr, "")

        let report = try run(hledger, ["-f", journal, "balance", "--flat", "--no-total", "-O", "csv"])
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertEqual(report.stderr, "")
        let rows = parseCSV(report.stdout)
        XCTAssertEqual(rows.first, ["account", "balance"])
        var reported: [String: Decimal] = [:]
        for row in rows.dropFirst() {
            XCTAssertTrue(row[1].hasSuffix(" USD"), "single commodity, symbol on the right: \(row)")
            reported[row[0]] = try XCTUnwrap(DecimalText.parse(String(row[1].dropLast(4))), "\(row)")
        }
        var expected: [String: Decimal] = [:]
        for line in try ledger.trialBalance() { expected[line.account.code] = line.balance.decimal }
        XCTAssertEqual(Set(reported.keys), Set(expected.keys))
        XCTAssertEqual(reported, expected)
        XCTAssertEqual(reported[cash], Decimal(string: "99533.8843"))

        // The audit fields are real hledger tags: the trade's two fills are found by them.
        let trade = try run(hledger, ["-f", journal, "register", "tag:trade_uuid=\(tradeUUID)", "tag:kind=fill", "-O", "csv"])
        XCTAssertEqual(trade.status, 0, trade.stderr)
        let register = parseCSV(trade.stdout)
        let code = try XCTUnwrap(register.first?.firstIndex(of: "code"), "\(register.first ?? [])")
        XCTAssertEqual(Set(register.dropFirst().map { $0[code] }),
                       ["TBOT_US_PAPER_001_BOT-PAPER-0000000002", "TBOT_US_PAPER_001_BOT-PAPER-0000000005"])
    }

    // MARK: OFX

    func testOFXParsesWithOfxtoolsAndRoundTripsFitidsAndAmounts() throws {
        let python = try tool("/usr/bin/env", probe: ["python3", "-c", "import ofxtools"])
        let ledger = try books()
        let statement = try write(try LedgerExporter.export(ledger, format: .ofx, from: nil, to: nil), "books.ofx")
        // -W error: a length or format ofxtools only warns about fails the test too.
        let script = """
            import sys
            from ofxtools.Parser import OFXTree
            tree = OFXTree()
            tree.parse(sys.argv[1])
            statement = tree.convert().statements[0]
            for t in statement.banktranlist:
                print(t.fitid, t.trntype, t.trnamt, t.dtposted.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z', t.name, sep='\\t')
            print('LEDGERBAL', statement.ledgerbal.balamt, statement.account.acctid, statement.curdef, sep='\\t')
            """
        let result = try run(python, ["python3", "-W", "error", "-c", script, statement])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "")
        let lines = result.stdout.split(separator: "\n").map { $0.components(separatedBy: "\t") }

        let cashMoves = try ledger.transactions().compactMap { posted -> [String]? in
            let moves = posted.transaction.entries.filter { $0.account == cash }
            guard !moves.isEmpty else { return nil }
            return [posted.fitid, moves.reduce(Money.zero) { $0 + $1.amount }.exactDescription,
                    UTCTimestamp.iso8601(nanoseconds: posted.transaction.postedNanoseconds, fractional: true)]
        }
        XCTAssertEqual(cashMoves.count, 7, "the slippage reclass does not touch cash")
        let parsed = lines.dropLast()
        XCTAssertEqual(parsed.map { $0[0] }, cashMoves.map { $0[0] }, "FITIDs round-trip in order")
        XCTAssertEqual(parsed.map { Money(text: $0[2])?.units }, cashMoves.map { Money(text: $0[1])?.units }, "amounts round-trip")
        for line in parsed {
            XCTAssertNotNil(line[2].range(of: #"^-?[0-9]+\.[0-9]{2,4}$"#, options: .regularExpression), "2 to 4 decimals: \(line)")
        }
        XCTAssertEqual(parsed.map { $0[3] }, cashMoves.map { $0[2] }, "DTPOSTED in UTC")
        XCTAssertEqual(parsed.map { $0[1] }, ["CREDIT", "DEBIT", "FEE", "CREDIT", "XFER", "FEE", "CREDIT"], "a reversed fee moves cash back in")
        XCTAssertEqual(parsed.first { $0[0].hasSuffix("0000000003") }?[2], "-0.0001")
        XCTAssertEqual(parsed.first { $0[0].hasSuffix("0000000006") }?[4], "skim to réserve & <cash>", "escaped, UTF-8 intact")
        XCTAssertEqual(parsed.first { $0[0].hasSuffix("0000000002") }?[4], "buy 10 AAPL @ 187.1234 \"limit\",", "one line, 32 characters")
        XCTAssertEqual(lines.last, ["LEDGERBAL", "99533.8843", "TBOT_US_PAPER_001_BOT", "USD"])
    }

    func testAnEmptyLedgerStillExportsFilesTheToolsRead() throws {
        let hledger = try tool("/usr/bin/hledger", probe: ["--version"])
        let python = try tool("/usr/bin/env", probe: ["python3", "-c", "import ofxtools"])
        let ledger = try Ledger(path: path, mode: .paper, identity: identity)
        let journal = try write(try LedgerExporter.export(ledger, format: .hledger), "empty.journal")
        let check = try run(hledger, ["-f", journal, "check", "--strict"])
        XCTAssertEqual(check.status, 0, check.stderr)
        let statement = try write(try LedgerExporter.export(ledger, format: .ofx), "empty.ofx")
        let script = """
            import sys
            from ofxtools.Parser import OFXTree
            tree = OFXTree()
            tree.parse(sys.argv[1])
            statement = tree.convert().statements[0]
            print(len(statement.banktranlist), statement.ledgerbal.balamt)
            """
        let parsed = try run(python, ["python3", "-W", "error", "-c", script, statement])
        XCTAssertEqual(parsed.status, 0, parsed.stderr)
        XCTAssertEqual(parsed.stdout, "0 0.00\n")
        XCTAssertEqual(try LedgerExporter.export(ledger, format: .json), "[]\n")
        XCTAssertEqual(parseCSV(try LedgerExporter.export(ledger, format: .csv)).count, 1, "the header alone")
    }

    // MARK: CSV and JSON

    func testCSVHasOneQuotedRowPerEntryWithEveryAuditField() throws {
        let ledger = try books()
        let text = try LedgerExporter.export(ledger, format: .csv, from: nil, to: nil)
        let rows = parseCSV(text)
        XCTAssertEqual(rows.first, ["transaction_id", "fitid", "dtposted", "posted_ns", "trntype", "kind", "memo", "account", "amount",
                                    "broker", "strategy", "module", "bot", "ticker", "side", "size", "entry_price", "exit_price", "pnl",
                                    "mode", "trade_uuid", "broker_confirmation", "tags", "error_code", "reverses"])
        XCTAssertEqual(rows.count - 1, try ledger.transactions().reduce(0) { $0 + $1.transaction.entries.count })
        XCTAssertTrue(rows.allSatisfy { $0.count == 25 })
        let header = rows[0]
        let buy = rows.filter { $0[1] == "TBOT_US_PAPER_001_BOT-PAPER-0000000002" }.map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
        XCTAssertEqual(buy.map { $0["account"] }, [positions, cash])
        XCTAssertEqual(buy.map { $0["amount"] }, ["1871.2340", "-1871.2340"])
        XCTAssertEqual(buy[0]["memo"], "buy 10 AAPL @ 187.1234  \"limit\",\nday order", "quotes, commas and newlines survive")
        XCTAssertEqual(buy[0]["dtposted"], "2024-01-03T14:35:00.000Z")
        XCTAssertEqual(buy[0]["trntype"], "BUY")
        XCTAssertEqual(buy[0]["tags"], "ENTRY,SMA")
        XCTAssertEqual(buy[0]["entry_price"], "187.1234")
        XCTAssertEqual(buy[0]["pnl"], "")
        XCTAssertEqual(buy[0]["mode"], "paper")
        XCTAssertEqual(buy[0]["trade_uuid"], tradeUUID)
        let reversal = try XCTUnwrap(rows.last.map { Dictionary(uniqueKeysWithValues: zip(header, $0)) })
        XCTAssertEqual(reversal["reverses"], "7")
        XCTAssertEqual(reversal["error_code"], "E_DUP_FEE")
        XCTAssertEqual(reversal["account"], cash)
        XCTAssertEqual(reversal["amount"], "12.3456", "the reversal gives the cash back")
    }

    func testJSONHasEveryTransactionWithExactDecimalStrings() throws {
        let ledger = try books()
        let text = try LedgerExporter.export(ledger, format: .json, from: nil, to: nil)
        let array = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        XCTAssertEqual(array.count, 8)
        let sell = try XCTUnwrap(array.first { $0["fitid"] as? String == "TBOT_US_PAPER_001_BOT-PAPER-0000000005" })
        let entries = try XCTUnwrap(sell["entries"] as? [[String: Any]])
        XCTAssertEqual(entries.compactMap { $0["amount"] as? String }, ["1905.0000", "-1871.1106", "-33.8894"], "amounts are strings")
        XCTAssertEqual(sell["pnl"] as? String, "33.8894")
        XCTAssertEqual(sell["exit_price"] as? String, "190.5")
        XCTAssertEqual(sell["posted_ns"] as? String, String(Self.sellTime))
        XCTAssertEqual(sell["dtposted"] as? String, "2024-01-04T15:59:59.999Z")
        XCTAssertEqual(sell["tags"] as? [String], ["EXIT"])
        XCTAssertTrue(sell["reverses"] is NSNull)
        XCTAssertTrue(sell["error_code"] is NSNull)
        XCTAssertEqual(array.last?["reverses"] as? Int, 7)
        XCTAssertEqual((sell["hash"] as? String)?.count, 64)
    }

    // MARK: Range and stability

    func testFromToSelectsAHalfOpenRange() throws {
        let ledger = try books()
        let text = try LedgerExporter.export(ledger, format: .json, from: Self.buyTime, to: Self.sellTime)
        let array = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        XCTAssertEqual(array.compactMap { $0["id"] as? Int }, [2, 3, 4], "from is included, to is not")
        let after = try LedgerExporter.export(ledger, format: .csv, from: Self.sellTime, to: nil)
        XCTAssertEqual(Set(parseCSV(after).dropFirst().map { $0[0] }), ["5", "6", "7", "8"])
        let before = try LedgerExporter.export(ledger, format: .hledger, from: nil, to: Self.buyTime)
        XCTAssertTrue(before.contains("-PAPER-0000000001)"))
        XCTAssertFalse(before.contains("-PAPER-0000000002"))
        // The statement lists the range, but its closing balance counts everything before `to`.
        let statement = try LedgerExporter.export(ledger, format: .ofx, from: Self.buyTime, to: Self.sellTime)
        XCTAssertEqual(statement.components(separatedBy: "<FITID>").dropFirst().map { String($0.prefix(38)) },
                       ["TBOT_US_PAPER_001_BOT-PAPER-0000000002", "TBOT_US_PAPER_001_BOT-PAPER-0000000003"])
        XCTAssertTrue(statement.contains("<DTSTART>20240103143500.000[+0:UTC]</DTSTART>"))
        XCTAssertTrue(statement.contains("<DTEND>20240104155959.999[+0:UTC]</DTEND>"))
        XCTAssertTrue(statement.contains("<BALAMT>98128.8893</BALAMT>"))
    }

    func testExportsAreByteIdentical() throws {
        let first = try books()
        let again = try Ledger(path: path, mode: .paper, identity: identity, create: false)
        for format in LedgerExportFormat.allCases {
            for range in [(nil, nil), (Self.buyTime, Self.sellTime)] as [(Int64?, Int64?)] {
                let one = try LedgerExporter.export(first, format: format, from: range.0, to: range.1)
                let two = try LedgerExporter.export(again, format: format, from: range.0, to: range.1)
                XCTAssertEqual(Data(one.utf8), Data(two.utf8), "\(format)")
                XCTAssertFalse(one.isEmpty)
            }
        }
    }

    // MARK: Helpers

    /// The tool at `path`, after a probe run succeeds; otherwise the test fails, never skips.
    private func tool(_ path: String, probe: [String]) throws -> String {
        let result = FileManager.default.isExecutableFile(atPath: path) ? try? run(path, probe) : nil
        guard let result, result.status == 0 else {
            let message = "\(path) \(probe.joined(separator: " ")) failed: run scripts/install-deps.sh (hledger, python3 with ofxtools)"
            XCTFail(message)
            throw TestSupportError(message)
        }
        return path
    }

    /// Runs a tool to completion; its output goes through files, so neither stream can fill
    /// a pipe and stall it.
    private func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let base = folder.root.appendingPathComponent("run-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        defer { try? out.close(); try? err.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOfFile: base + ".out", encoding: .utf8),
                try String(contentsOfFile: base + ".err", encoding: .utf8))
    }

    /// RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks.
    private func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = String.UnicodeScalarView()
        var quoted = false, afterQuote = false
        for scalar in text.unicodeScalars {
            if quoted {
                if scalar == "\"" { quoted = false; afterQuote = true } else { field.append(scalar) }
                continue
            }
            switch scalar {
            case "\"":
                if afterQuote { field.append(scalar) }
                quoted = true
            case ",": row.append(String(field)); field = String.UnicodeScalarView()
            case "\r": break
            case "\n": row.append(String(field)); field = String.UnicodeScalarView(); rows.append(row); row = []
            default: field.append(scalar)
            }
            afterQuote = false
        }
        if !field.isEmpty || !row.isEmpty { row.append(String(field)); rows.append(row) }
        return rows
    }
}

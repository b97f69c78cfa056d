import Foundation
import XCTest
@testable import TBotCore
import TBotPluginAPI

/// `tbot ledger export`: every format read back by a real reader (hledger, ofxtools, a CSV
/// parser, JSONSerialization) must give the ledger's own FITIDs, amounts and balances.
final class LedgerExportTests: XCTestCase {
    private let identity = LedgerIdentity(entity: "TBOT", jurisdiction: "US", broker: "PAPER", bot: "001")
    private let cash = ChartOfAccounts.brokerCash("PAPER")
    private var folder: OperatorFolder!

    // Five days, so a range can cut between them; times carry milliseconds and sub-millisecond
    // nanoseconds (DTPOSTED keeps the milliseconds).
    private let opened = UTCTimestamp.nanoseconds(year: 2024, month: 3, day: 4, hour: 14, minute: 30) + 123_456_789
    private let bought = UTCTimestamp.nanoseconds(year: 2024, month: 3, day: 5, hour: 14, minute: 35) + 250_000_000
    private let sold = UTCTimestamp.nanoseconds(year: 2024, month: 3, day: 5, hour: 19, minute: 59, second: 59) + 999_000_000
    private let transferred = UTCTimestamp.nanoseconds(year: 2024, month: 3, day: 6, hour: 21)
    private let mistaken = UTCTimestamp.nanoseconds(year: 2024, month: 3, day: 6, hour: 21, minute: 5)
    private let reversed = UTCTimestamp.nanoseconds(year: 2024, month: 3, day: 7, hour: 13) + 1_000_000
    /// Memo of the reserve transfer: everything that would break a journal line or a CSV row.
    private let awkwardMemo = "move to reserve; Q1,  ops\nsecond line & <ok> \"quoted\""

    override func setUpWithError() throws { folder = try OperatorFolder() }
    override func tearDown() { folder = nil }

    // MARK: The books

    private func fill(_ id: Int, _ side: TradeSide, _ shares: Int64, _ price: Double, fee: Int64 = 0) -> BrokerFill {
        TestFills.fill(id, side, shares, price, fee: fee)
    }

    /// Opening balance, a buy and a sell at a gain (each with a fee and slippage), a reserve
    /// transfer, and a mistaken transfer with its reversal.
    private func ledger() throws -> Ledger {
        let ledger = try Ledger(path: folder.root.appendingPathComponent("ledgers/export_paper.db").path, mode: .paper, identity: identity)
        try ledger.ensureAccounts(ChartOfAccounts.budgetAccounts(module: "core", bots: ["alpha"]))
        let poster = try LedgerPoster(ledger: ledger, brokerCode: "PAPER", brokerID: "paper_broker")
        var book = PositionBook(uuidNamespace: "export")
        try poster.postOpeningBalance(Money(units: 1_000_001_234), at: opened)
        let buy = fill(1, .buy, 7, 100.0537, fee: 12_345)
        try poster.post(fill: buy, outcome: book.apply(buy, strategy: "sma"),
                        context: .init(strategy: "sma", expectedPrice: 100.0, tags: ["open", "momentum"]), book: &book, at: bought)
        let sell = fill(2, .sell, 7, 101.1234, fee: 5_678)
        try poster.post(fill: sell, outcome: book.apply(sell, strategy: "sma"),
                        context: .init(strategy: "sma", expectedPrice: 101.2), book: &book, at: sold)
        let audit = TransactionAudit(broker: "paper_broker", module: "core", bot: "alpha", tags: ["ops", "q1"])
        try ledger.post(NewTransaction(kind: .reserveTransfer, type: .transfer, postedNanoseconds: transferred, memo: awkwardMemo,
                                       audit: audit, entries: [.debit(ChartOfAccounts.reserveCash, Money(units: 2_505_005)),
                                                               .credit(cash, Money(units: 2_505_005))]))
        let mistake = try ledger.post(NewTransaction(kind: .reserveTransfer, type: .transfer, postedNanoseconds: mistaken,
                                                     memo: "transfer to reserve", audit: audit,
                                                     entries: [.debit(ChartOfAccounts.reserveCash, Money(units: 100_001)),
                                                               .credit(cash, Money(units: 100_001))]))
        try ledger.reverse(mistake.id, at: reversed, reason: "posted twice")
        XCTAssertEqual(try ledger.verify(), [])
        return ledger
    }

    private func trialBalance(_ ledger: Ledger) throws -> [String: Decimal] {
        Dictionary(uniqueKeysWithValues: try ledger.trialBalance().map { ($0.account.code, $0.balance.decimal) })
    }

    // MARK: hledger

    func testHledgerReadsTheJournalAndItsBalancesMatchTheLedger() throws {
        guard let hledger = Tools.hledger() else { return XCTFail(Tools.missing("hledger (Debian package hledger)")) }
        let ledger = try ledger()
        let journal = try write(LedgerExporter.export(ledger, format: .hledger), "books.journal")

        // --strict: every account and commodity must be declared by a directive.
        let check = try Tools.run(hledger, ["-f", journal, "check", "--strict"])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertEqual(check.stderr, "")

        let report = try Tools.run(hledger, ["-f", journal, "balance", "--flat", "--layout=bare", "--no-total", "-O", "csv"])
        XCTAssertEqual(report.status, 0, report.stderr)
        let rows = CSV.parse(report.stdout)
        XCTAssertEqual(rows.first, ["account", "commodity", "balance"])
        var balances: [String: Decimal] = [:]
        for row in rows.dropFirst() {
            XCTAssertEqual(row[1], "USD", "\(row)")
            balances[row[0]] = try XCTUnwrap(DecimalText.parse(row[2]), "\(row)")
        }
        let expected = try trialBalance(ledger)
        XCTAssertEqual(Set(balances.keys), Set(expected.keys))
        for (account, balance) in expected { XCTAssertEqual(balances[account], balance, account) }
        XCTAssertEqual(expected[cash], Decimal(string: "99755.3085"))

        // Every posting with its FITID (the transaction code) and exact amount.
        let print = try Tools.run(hledger, ["-f", journal, "print", "-O", "csv"])
        XCTAssertEqual(print.status, 0, print.stderr)
        let printed = CSV.parse(print.stdout)
        let header = printed[0]
        let code = try XCTUnwrap(header.firstIndex(of: "code")), account = try XCTUnwrap(header.firstIndex(of: "account"))
        let amount = try XCTUnwrap(header.firstIndex(of: "amount"))
        let postings = try ledger.transactions().flatMap { posted in posted.transaction.entries.map { [posted.fitid, $0.account, $0.amount.exactDescription] } }
        XCTAssertEqual(printed.dropFirst().map { [$0[code], $0[account], $0[amount]] }, postings)

        let tags = try Tools.run(hledger, ["-f", journal, "tags"])
        let names = Set(tags.stdout.split(separator: "\n").map(String.init))
        XCTAssertTrue(names.isSuperset(of: ["fitid", "dtposted", "trntype", "kind", "broker", "strategy", "ticker", "side", "size",
                                            "entry_price", "exit_price", "pnl", "mode", "trade_uuid", "broker_confirmation", "tags", "reverses"]),
                      "\(names.sorted())")
        let declared = try Tools.run(hledger, ["-f", journal, "accounts", "--types"])
        XCTAssertTrue(declared.stdout.contains("Assets:Budgets:core:alpha"), "unused accounts of the chart are declared")
    }

    // MARK: OFX

    func testOfxtoolsParsesTheStatementWithTheLedgersFitidsAndAmounts() throws {
        guard Tools.hasOfxtools() else { return XCTFail(Tools.missing("ofxtools (PyPI)")) }
        let ledger = try ledger()
        let statement = try ofx(ledger)
        let moves = try ledger.transactions().compactMap { posted -> (String, Decimal, Int64)? in
            let amounts = posted.transaction.entries.filter { $0.account == cash }
            return amounts.isEmpty ? nil : (posted.fitid, amounts.reduce(Money.zero) { $0 + $1.amount }.decimal, posted.transaction.postedNanoseconds)
        }
        XCTAssertEqual(moves.count, 8, "opening, 2 fills, 2 fees, 2 transfers, 1 reversal; slippage moves no cash")
        XCTAssertEqual(statement.fitids, moves.map(\.0))
        XCTAssertEqual(statement.amounts, moves.map(\.1))
        XCTAssertEqual(statement.dtposted, moves.map { UTCTimestamp.iso8601(nanoseconds: $0.2, fractional: true) })
        XCTAssertEqual(statement.trntypes, ["CREDIT", "DEBIT", "FEE", "CREDIT", "FEE", "XFER", "XFER", "XFER"])
        XCTAssertEqual(statement.ledgerbal, try trialBalance(ledger)[cash])
        XCTAssertEqual(statement.header, ["USD", "US", "TBOT_US_PAPER_001_BOT", "CHECKING"])
        XCTAssertTrue(statement.names.allSatisfy { $0.unicodeScalars.count <= 32 }, "\(statement.names)")
        XCTAssertTrue(statement.memos[1].contains("trade_uuid="), statement.memos[1])
    }

    // MARK: CSV and JSON

    func testCSVParsesBackOneRowPerEntryWithExactFields() throws {
        let ledger = try ledger()
        let rows = CSV.parse(try LedgerExporter.export(ledger, format: .csv))
        let header = rows[0]
        XCTAssertEqual(Array(header.prefix(9)), ["transaction_id", "fitid", "dtposted", "posted_ns", "trntype", "kind", "memo", "account", "amount"])
        XCTAssertTrue(header.contains("trade_uuid") && header.contains("error_code") && header.contains("broker_confirmation"))
        XCTAssertTrue(rows.allSatisfy { $0.count == header.count })
        let transactions = try ledger.transactions()
        XCTAssertEqual(rows.count - 1, transactions.reduce(0) { $0 + $1.transaction.entries.count })

        let transfer = try XCTUnwrap(transactions.first { $0.transaction.memo == awkwardMemo })
        let column = { (name: String) in header.firstIndex(of: name)! }
        let lines = rows.filter { $0[column("fitid")] == transfer.fitid }
        XCTAssertEqual(lines.map { $0[column("account")] }, [ChartOfAccounts.reserveCash, cash])
        XCTAssertEqual(lines.map { $0[column("amount")] }, ["250.5005", "-250.5005"])
        XCTAssertEqual(lines[0][column("memo")], awkwardMemo, "quoting keeps newlines, commas and quotes")
        XCTAssertEqual(lines[0][column("tags")], "ops,q1")
        XCTAssertEqual(lines[0][column("trntype")], "XFER")
        XCTAssertEqual(lines[0][column("dtposted")], "2024-03-06T21:00:00.000Z")

        let buy = try XCTUnwrap(rows.first { $0[column("kind")] == "fill" && $0[column("side")] == "buy" && $0[column("account")] == cash })
        XCTAssertEqual(buy[column("amount")], "-700.3759")
        XCTAssertEqual(buy[column("entry_price")], "100.0537")
        XCTAssertEqual(buy[column("broker_confirmation")], "f1")
    }

    func testJSONParsesBackWithAllFieldsAndExactAmounts() throws {
        let ledger = try ledger()
        let objects = try json(LedgerExporter.export(ledger, format: .json))
        let transactions = try ledger.transactions()
        XCTAssertEqual(objects.map { $0["fitid"] as? String }, transactions.map(\.fitid))
        let keys = Set(objects[0].keys)
        XCTAssertTrue(objects.allSatisfy { Set($0.keys) == keys }, "every transaction has every key")
        XCTAssertTrue(keys.isSuperset(of: ["id", "fitid", "dtposted", "posted_ns", "trntype", "kind", "memo", "entries", "hash"]
                                            + LedgerExportText.auditFieldNames))

        let sell = try XCTUnwrap(objects.first { $0["kind"] as? String == "fill" && $0["side"] as? String == "sell" })
        let entries = try XCTUnwrap(sell["entries"] as? [[String: String]])
        let posted = try XCTUnwrap(transactions.first { $0.fitid == sell["fitid"] as? String })
        XCTAssertEqual(entries.map { $0["account"]! }, posted.transaction.entries.map(\.account))
        XCTAssertEqual(entries.map { $0["amount"]! }, posted.transaction.entries.map(\.amount.exactDescription))
        XCTAssertEqual(sell["posted_ns"] as? String, String(sold))
        XCTAssertEqual(sell["exit_price"] as? String, "101.1234")
        XCTAssertEqual(sell["pnl"] as? String, posted.transaction.audit.pnl?.exactDescription)
        XCTAssertTrue(sell["error_code"] is NSNull)

        let reversal = try XCTUnwrap(objects.last)
        XCTAssertEqual(reversal["kind"] as? String, "reversal")
        XCTAssertEqual((reversal["reverses"] as? NSNumber)?.int64Value, transactions[transactions.count - 2].id)
        XCTAssertEqual(reversal["tags"] as? [String], ["ops", "q1"])
    }

    // MARK: Range and stability

    func testRangeIsHalfOpenInEveryFormat() throws {
        let ledger = try ledger()
        // From the buy exactly (included) to the transfer exactly (excluded): the two fills
        // with their fees and slippage.
        let from = bought, to = transferred
        let expected = try ledger.transactions().filter { $0.transaction.postedNanoseconds >= from && $0.transaction.postedNanoseconds < to }
        XCTAssertEqual(expected.count, 6)
        let objects = try json(LedgerExporter.export(ledger, format: .json, from: from, to: to))
        XCTAssertEqual(objects.map { $0["fitid"] as? String }, expected.map(\.fitid))
        let rows = CSV.parse(try LedgerExporter.export(ledger, format: .csv, from: from, to: to))
        XCTAssertEqual(Set(rows.dropFirst().map { $0[1] }), Set(expected.map(\.fitid)))
        let journal = try LedgerExporter.export(ledger, format: .hledger, from: from, to: to)
        XCTAssertEqual(expected.map { journal.contains("(\($0.fitid))") }, Array(repeating: true, count: expected.count))
        XCTAssertEqual(journal.components(separatedBy: "\n    ; id:").count - 1, expected.count)
        XCTAssertTrue(try LedgerExporter.export(ledger, format: .json, from: to, to: to).hasPrefix("["), "an empty range is an empty array")
        XCTAssertEqual(try json(LedgerExporter.export(ledger, format: .json, from: reversed + 1)).count, 0)

        guard Tools.hasOfxtools() else { return XCTFail(Tools.missing("ofxtools (PyPI)")) }
        let statement = try ofx(ledger, from: from, to: to)
        XCTAssertEqual(statement.fitids, expected.filter { $0.transaction.entries.contains { $0.account == cash } }.map(\.fitid))
        // The closing balance counts everything before the end of the range.
        XCTAssertEqual(statement.ledgerbal, Decimal(string: "100005.8090"))
        XCTAssertEqual(statement.range, ["2024-03-05T14:35:00.250Z", "2024-03-06T21:00:00.000Z"])
    }

    func testEveryFormatIsByteStable() throws {
        let first = try ledger()
        let reopened = try Ledger(path: first.path, mode: .paper, identity: identity, create: false)
        for format in LedgerExportFormat.allCases {
            let text = try LedgerExporter.export(first, format: format)
            XCTAssertFalse(text.isEmpty, format.rawValue)
            XCTAssertEqual(text, try LedgerExporter.export(first, format: format), format.rawValue)
            XCTAssertEqual(text, try LedgerExporter.export(reopened, format: format), format.rawValue)
        }
    }

    // MARK: Helpers

    private func write(_ text: String, _ name: String) throws -> String {
        let path = folder.root.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func json(_ text: String) throws -> [[String: Any]] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }

    /// What ofxtools read from the OFX export, after its own validation (`convert()`).
    private struct Statement {
        var header: [String], range: [String], fitids: [String], amounts: [Decimal], dtposted: [String]
        var trntypes: [String], names: [String], memos: [String], ledgerbal: Decimal?
    }

    private func ofx(_ ledger: Ledger, from: Int64? = nil, to: Int64? = nil) throws -> Statement {
        let file = try write(LedgerExporter.export(ledger, format: .ofx, from: from, to: to), "statement.ofx")
        let script = """
            import json, sys
            from ofxtools.Parser import OFXTree
            def when(d):
                assert d.utcoffset().total_seconds() == 0
                return d.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (d.microsecond // 1000)
            tree = OFXTree()
            tree.parse(sys.argv[1])
            s = tree.convert().statements[0]
            t = s.banktranlist
            print(json.dumps({
                'header': [s.curdef, s.account.bankid, s.account.acctid, s.account.accttype],
                'range': [when(t.dtstart), when(t.dtend)],
                'fitids': [x.fitid for x in t], 'amounts': [str(x.trnamt) for x in t],
                'dtposted': [when(x.dtposted) for x in t], 'trntypes': [x.trntype for x in t],
                'names': [x.name or '' for x in t], 'memos': [x.memo or '' for x in t],
                'ledgerbal': str(s.ledgerbal.balamt)}))
            """
        let run = try Tools.run("/usr/bin/env", ["python3", "-c", script, file])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
        let strings = { (key: String) in object[key] as? [String] ?? [] }
        return Statement(header: strings("header"), range: strings("range"), fitids: strings("fitids"),
                         amounts: strings("amounts").compactMap(DecimalText.parse), dtposted: strings("dtposted"),
                         trntypes: strings("trntypes"), names: strings("names"), memos: strings("memos"),
                         ledgerbal: (object["ledgerbal"] as? String).flatMap(DecimalText.parse))
    }
}

/// The external readers, found on PATH; missing ones fail the test with how to install them.
private enum Tools {
    static func missing(_ tool: String) -> String {
        "\(tool) is not installed: run scripts/install-deps.sh"
    }

    static func hledger() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/hledger" } + ["/usr/bin/hledger"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func hasOfxtools() -> Bool {
        (try? run("/usr/bin/env", ["python3", "-c", "import ofxtools.Parser"]).status) == 0
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try ToolProcess.run(executable, arguments)
    }
}

/// An RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks.
private enum CSV {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = String.UnicodeScalarView()
        var quoted = false, afterQuote = false
        var scalars = text.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            if quoted {
                if scalar == "\"" { quoted = false; afterQuote = true } else { field.append(scalar) }
                continue
            }
            switch scalar {
            case "\"":
                if afterQuote { field.append("\"") }  // a doubled quote inside a quoted field
                quoted = true
                afterQuote = false
            case ",":
                row.append(String(field)); field = String.UnicodeScalarView(); afterQuote = false
            case "\r":
                afterQuote = false
            case "\n":
                row.append(String(field)); field = String.UnicodeScalarView(); afterQuote = false
                rows.append(row); row = []
            default:
                field.append(scalar); afterQuote = false
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(String(field)); rows.append(row) }
        return rows
    }
}

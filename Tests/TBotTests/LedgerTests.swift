import Foundation
import GRDB
import XCTest
@testable import TBotCore

/// The SQLite ledger as a real file: balanced postings only, immutable once posted,
/// reversals for corrections, and a verifier that recomputes everything.
final class LedgerTests: XCTestCase {
    private let identity = LedgerIdentity(entity: "TBOT", jurisdiction: "US", broker: "PAPER", bot: "001")
    private var folder: OperatorFolder!
    private var path: String { folder.root.appendingPathComponent("ledgers/test_ledger_paper.db").path }

    override func setUpWithError() throws { folder = try OperatorFolder() }
    override func tearDown() { folder = nil }

    private func ledger(_ mode: LedgerMode = .paper) throws -> Ledger {
        let ledger = try Ledger(path: path, mode: mode, identity: identity)
        try ledger.ensureAccounts(ChartOfAccounts.brokerAccounts("PAPER"))
        return ledger
    }

    private func deposit(_ amount: Int64, at time: Int64 = 1_000) -> NewTransaction {
        NewTransaction(kind: .openingBalance, type: .credit, postedNanoseconds: time, memo: "opening balance",
                       entries: [.debit(ChartOfAccounts.brokerCash("PAPER"), Money(units: amount)),
                                 .credit(ChartOfAccounts.openingBalance, Money(units: amount))])
    }

    func testPostedTransactionsReadBackWithFitidAndBalances() throws {
        let ledger = try ledger()
        let posted = try ledger.post(deposit(1_000_000_000))
        XCTAssertEqual(posted.id, 1)
        XCTAssertEqual(posted.fitid, "TBOT_US_PAPER_001_BOT-PAPER-0000000001")
        XCTAssertEqual(try ledger.transaction(id: 1)?.transaction, deposit(1_000_000_000))
        let balances = try ledger.trialBalance().map { ($0.account.code, $0.balance.description) }
        XCTAssertEqual(balances.map(\.0), ["Assets:Brokers:PAPER:Cash", "Equity:OpeningBalance"])
        XCTAssertEqual(balances.map(\.1), ["100000.00", "-100000.00"])
        XCTAssertEqual(try ledger.verify(), [])
    }

    func testUnbalancedTransactionIsRefusedBeforeAnythingIsWritten() throws {
        let ledger = try ledger()
        var bad = deposit(100)
        bad.entries[1] = .credit(ChartOfAccounts.openingBalance, Money(units: 90))
        XCTAssertThrowsError(try ledger.post(bad)) { XCTAssertEqual("\($0)", "unbalanced transaction: debits 0.0100 != credits 0.0090") }
        XCTAssertThrowsError(try ledger.post([deposit(5), bad]))
        XCTAssertEqual(try ledger.transactions().count, 0, "a batch is all or nothing")
    }

    func testDatabaseRefusesUnbalancedPostingThroughRawSQL() throws {
        _ = try ledger()
        let db = try DatabaseQueue(path: path)
        let row = "INSERT INTO transactions (id, fitid, trntype, dtposted, posted_ns, kind, memo, mode, hash) VALUES (7, 'raw', 'OTHER', 'x', 0, 'fill', 'raw', 'paper', 'h')"
        XCTAssertThrowsError(try db.write { db in
            try db.execute(sql: "INSERT INTO entries (transaction_id, line, account, amount) VALUES (7, 1, 'Assets:Reserve:Cash', 100), (7, 2, 'Equity:OpeningBalance', -90)")
            try db.execute(sql: row)
        }) { XCTAssertTrue("\($0)".contains("unbalanced transaction: debits must equal credits"), "\($0)") }
        XCTAssertThrowsError(try db.write { try $0.execute(sql: row) }) {
            XCTAssertTrue("\($0)".contains("a transaction needs at least two entries"), "\($0)")
        }
        XCTAssertThrowsError(try db.write { db in
            try db.execute(sql: "INSERT INTO entries (transaction_id, line, account, amount) VALUES (9, 1, 'Assets:Reserve:Cash', 100), (9, 2, 'Equity:OpeningBalance', -100)")
        }) { XCTAssertTrue("\($0)".contains("FOREIGN KEY constraint failed"), "entries without their transaction never commit: \($0)") }
        XCTAssertEqual(try ledger().verify(), [])
        XCTAssertEqual(try ledger().transactions().count, 0)
    }

    func testDatabaseRefusesUpdateAndDeleteOfPostedEntries() throws {
        try ledger().post(deposit(500))
        let db = try DatabaseQueue(path: path)
        let attempts = [
            ("UPDATE entries SET amount = 999 WHERE transaction_id = 1 AND amount > 0", "entries of a posted transaction are immutable"),
            ("DELETE FROM entries WHERE transaction_id = 1", "entries of a posted transaction cannot be deleted"),
            ("UPDATE transactions SET memo = 'edited' WHERE id = 1", "posted transactions are immutable; post a reversing entry"),
            ("DELETE FROM transactions WHERE id = 1", "posted transactions cannot be deleted; post a reversing entry"),
            ("INSERT INTO entries (transaction_id, line, account, amount) VALUES (1, 3, 'Assets:Reserve:Cash', 1)", "entries cannot be added to a posted transaction"),
        ]
        for (sql, message) in attempts {
            XCTAssertThrowsError(try db.write { try $0.execute(sql: sql) }, sql) { XCTAssertTrue("\($0)".contains(message), "\($0)") }
        }
        XCTAssertEqual(try ledger().transaction(id: 1)?.transaction, deposit(500))
    }

    func testCorrectionsAreReversingEntries() throws {
        let ledger = try ledger()
        try ledger.post(deposit(500))
        let reversal = try ledger.reverse(1, at: 2_000, reason: "typed the wrong amount")
        XCTAssertEqual(reversal.transaction.kind, .reversal)
        XCTAssertEqual(reversal.transaction.reverses, 1)
        XCTAssertEqual(reversal.transaction.memo, "reversal of TBOT_US_PAPER_001_BOT-PAPER-0000000001: typed the wrong amount")
        XCTAssertEqual(reversal.transaction.entries.map(\.amount.units), [-500, 500])
        XCTAssertEqual(try ledger.trialBalance().count, 0, "every account back to zero")
        XCTAssertThrowsError(try ledger.reverse(1, at: 3_000, reason: "again")) { XCTAssertEqual("\($0)", "transaction 1 is already reversed") }
        XCTAssertEqual(try ledger.verify(), [])
    }

    func testHashChainDetectsTampering() throws {
        let ledger = try ledger()
        try ledger.post([deposit(500), deposit(700, at: 2_000), deposit(900, at: 3_000)])
        XCTAssertEqual(try ledger.verify(), [])
        // Tampering needs the triggers gone: exactly what verify must still catch.
        let db = try DatabaseQueue(path: path)
        try db.write { db in
            try db.execute(sql: "DROP TRIGGER entries_immutable")
            try db.execute(sql: "UPDATE entries SET amount = amount * 2 WHERE transaction_id = 2")
        }
        XCTAssertEqual(try ledger.verify().map(\.description),
                       ["transaction 2: hash chain broken: stored hash does not match the transaction's contents"])
    }

    func testUnknownAccountIsRefused() throws {
        let ledger = try ledger()
        let stray = NewTransaction(kind: .fee, type: .fee, postedNanoseconds: 0, memo: "x",
                                   entries: [.debit("Expenses:Nowhere", Money(units: 5)), .credit(ChartOfAccounts.reserveCash, Money(units: 5))])
        XCTAssertThrowsError(try ledger.post(stray)) { XCTAssertEqual("\($0)", "unknown account Expenses:Nowhere") }
    }

    func testAPaperFileCannotBeOpenedAsLiveOrForAnotherBot() throws {
        _ = try ledger(.paper)
        XCTAssertThrowsError(try Ledger(path: path, mode: .live, identity: identity)) {
            XCTAssertEqual("\($0)", "\(self.path) is a paper ledger, not live")
        }
        let other = LedgerIdentity(entity: "TBOT", jurisdiction: "US", broker: "PAPER", bot: "002")
        XCTAssertThrowsError(try Ledger(path: path, mode: .paper, identity: other)) {
            XCTAssertEqual("\($0)", "\(self.path) belongs to TBOT_US_PAPER_001_BOT, not TBOT_US_PAPER_002_BOT")
        }
    }

    func testFileIsInWALMode() throws {
        _ = try ledger()
        let mode = try DatabaseQueue(path: path).read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        XCTAssertEqual(mode, "wal")
    }
}

extension LedgerTests {
    func testTagsAndAccountCodesThatWouldNotRoundTripAreRefused() throws {
        let ledger = try ledger()
        var tagged = deposit(5)
        tagged.audit.tags = ["DEFENSE_MODE_ACTIVE", "a,b"]
        XCTAssertThrowsError(try ledger.post(tagged)) { XCTAssertEqual("\($0)", "tag 'a,b' is empty or contains a comma") }
        XCTAssertThrowsError(try ledger.ensureAccounts([LedgerAccount(code: "Assets:My  Cash", type: .asset, name: "x")])) {
            XCTAssertEqual("\($0)", "account code 'Assets:My  Cash' must be colon-separated names of letters, digits, '_', '.' and '-'")
        }
    }

    func testReversalFlipsTheOFXType() throws {
        let ledger = try ledger()
        try ledger.post(deposit(500))
        XCTAssertEqual(try ledger.reverse(1, at: 2, reason: "x").transaction.type, .debit)
    }
}

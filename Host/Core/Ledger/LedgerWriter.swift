import Foundation
import GRDB

/// The statements a posting runs, prepared once per ledger connection. One row per
/// statement: SQLite runs a multi-row INSERT into a table with triggers through a temporary
/// table, which costs more than the statements it saves.
final class LedgerStatements {
    let savepoint: RawStatement
    let release: RawStatement
    let rollback: RawStatement
    let tip: RawStatement
    let insertEntry: RawStatement
    let insertTransaction: RawStatement

    init(_ db: Database) throws {
        guard let connection = db.sqliteConnection else { throw LedgerError.storage("the ledger connection is closed") }
        savepoint = try RawStatement(connection: connection, sql: "SAVEPOINT ledger_post")
        release = try RawStatement(connection: connection, sql: "RELEASE SAVEPOINT ledger_post")
        rollback = try RawStatement(connection: connection, sql: "ROLLBACK TO SAVEPOINT ledger_post")
        tip = try RawStatement(connection: connection, sql: "SELECT id, hash FROM transactions ORDER BY id DESC LIMIT 1")
        insertEntry = try RawStatement(connection: connection, sql: "INSERT INTO entries (transaction_id, line, account, amount) VALUES (?, ?, ?, ?)")
        insertTransaction = try RawStatement(connection: connection, sql: """
            INSERT INTO transactions (id, fitid, trntype, dtposted, posted_ns, kind, memo, mode,
                broker, strategy, module, bot, ticker, side, size, entry_price, exit_price, pnl,
                trade_uuid, broker_confirmation, tags, error_code, reverses, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }
}

/// Inserts transactions the way the schema demands: each one's entries, then its row with its
/// hash, chained from `previousHash`. A row is refused unless its entries balance; entries
/// cannot join a transaction that exists; all of it inside the caller's one atomic write.
enum LedgerWriter {
    /// `firstID` is the next free id (the caller holds the write lock); `accounts` the chart's codes.
    static func insert(_ transactions: [NewTransaction], firstID: Int64, fitidPrefix: String, mode: LedgerMode,
                       previousHash: String, accounts: Set<String>, statements: LedgerStatements) throws -> [PostedTransaction] {
        var posted: [PostedTransaction] = []
        posted.reserveCapacity(transactions.count)
        var chain = previousHash
        for (offset, transaction) in transactions.enumerated() {
            if let unknown = transaction.entries.first(where: { !accounts.contains($0.account) }) {
                throw LedgerError.unknownAccount(unknown.account)
            }
            let row = TransactionRow(transaction, id: firstID + Int64(offset), fitidPrefix: fitidPrefix, mode: mode, previousHash: chain)
            let entry = statements.insertEntry
            for (line, item) in transaction.entries.enumerated() {
                entry.bind(1, row.id)
                entry.bind(2, Int64(line + 1))
                entry.bind(4, item.amount.units)
                try entry.run(binding: item.account, at: 3)
            }
            try row.insert(with: statements.insertTransaction, mode: mode)
            chain = row.hash
            posted.append(PostedTransaction(id: row.id, fitid: row.fitid, mode: mode, hash: row.hash, transaction: transaction))
        }
        return posted
    }
}

/// One transaction row as stored: its derived columns and the hash that chains it.
private struct TransactionRow {
    let transaction: NewTransaction
    let id: Int64
    let fitid: String
    let dtposted: String
    let audit: LedgerAuditColumns
    let hash: String

    init(_ transaction: NewTransaction, id: Int64, fitidPrefix: String, mode: LedgerMode, previousHash: String) {
        self.transaction = transaction
        self.id = id
        fitid = fitidPrefix + zeroPadded(id, width: 10)
        dtposted = UTCTimestamp.iso8601(nanoseconds: transaction.postedNanoseconds, fractional: true)
        audit = LedgerAuditColumns(transaction.audit, reverses: transaction.reverses)
        hash = LedgerHashChain.hash(
            previous: previousHash, id: id, fitid: fitid, trntype: transaction.type.rawValue, dtposted: dtposted,
            postedNanoseconds: transaction.postedNanoseconds, kind: transaction.kind.rawValue, memo: transaction.memo,
            mode: mode.rawValue, audit: audit.texts, entries: transaction.entries)
    }

    /// Binds the row's 24 columns and inserts it.
    func insert(with statement: RawStatement, mode: LedgerMode) throws {
        var texts = TextArguments(capacity: 512)
        statement.bind(1, id)
        texts.bind(2, fitid)
        texts.bind(3, transaction.type.rawValue)
        texts.bind(4, dtposted)
        statement.bind(5, transaction.postedNanoseconds)
        texts.bind(6, transaction.kind.rawValue)
        texts.bind(7, transaction.memo)
        texts.bind(8, mode.rawValue)
        for (offset, text) in audit.texts.enumerated() {
            let index = 9 + Int32(offset)
            switch offset {
            case LedgerAuditColumns.pnlIndex: statement.bind(index, audit.pnl)
            case LedgerAuditColumns.reversesIndex: statement.bind(index, audit.reverses)
            default: texts.bind(index, text)
            }
        }
        texts.bind(24, hash)
        try statement.run(texts)
    }
}

/// Decimal digits of a non-negative id, left-padded with zeros (String(format:) is slow here).
func zeroPadded(_ value: Int64, width: Int) -> String {
    let digits = String(value)
    let count = digits.utf8.count
    guard count < width else { return digits }
    return String(unsafeUninitializedCapacity: width) { text in
        for index in 0..<(width - count) { text[index] = UInt8(ascii: "0") }
        for (offset, byte) in digits.utf8.enumerated() { text[width - count + offset] = byte }
        return width
    }
}

/// The audit columns in storage order, as the text the hash covers; pnl and reverses are
/// also kept as integers, the type they are stored with.
struct LedgerAuditColumns {
    static let names = ["broker", "strategy", "module", "bot", "ticker", "side", "size", "entry_price", "exit_price", "pnl",
                        "trade_uuid", "broker_confirmation", "tags", "error_code", "reverses"]
    static let pnlIndex = 9
    static let reversesIndex = 14

    let texts: [String?]
    let pnl: Int64?
    let reverses: Int64?

    init(_ audit: TransactionAudit, reverses: Int64?) {
        let decimal: (Decimal?) -> String? = { $0.map(DecimalText.description) }
        pnl = audit.pnl?.units
        self.reverses = reverses
        texts = [audit.broker, audit.strategy, audit.module, audit.bot, audit.ticker, audit.side,
                 decimal(audit.size), decimal(audit.entryPrice), decimal(audit.exitPrice), pnl.map { String($0) },
                 audit.tradeUUID, audit.brokerConfirmation, audit.tags.joined(separator: ","), audit.errorCode,
                 reverses.map { String($0) }]
    }
}

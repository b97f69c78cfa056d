import Foundation
import GRDB

/// The two statements a posting runs, prepared once per ledger connection.
final class LedgerStatements {
    let insertEntry: RawStatement
    let insertTransaction: RawStatement

    init(_ db: Database) throws {
        insertEntry = try RawStatement(db, sql: "INSERT INTO entries (transaction_id, line, account, amount) VALUES (?, ?, ?, ?)")
        insertTransaction = try RawStatement(db, sql: """
            INSERT INTO transactions (id, fitid, trntype, dtposted, posted_ns, kind, memo, mode,
                broker, strategy, module, bot, ticker, side, size, entry_price, exit_price, pnl,
                trade_uuid, broker_confirmation, tags, error_code, reverses, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }
}

/// Inserts one transaction the way the schema demands: its entries, then the row with its hash.
enum LedgerWriter {
    /// `id` is the next free id (the caller holds the write lock); `accounts` the chart's codes.
    static func insert(_ transaction: NewTransaction, id: Int64, mode: LedgerMode, identity: LedgerIdentity,
                       previousHash: String, accounts: Set<String>, statements: LedgerStatements) throws -> PostedTransaction {
        if let unknown = transaction.entries.first(where: { !accounts.contains($0.account) }) {
            throw LedgerError.unknownAccount(unknown.account)
        }
        let fitid = "\(identity.stem)-\(mode.rawValue.uppercased())-" + zeroPadded(id, width: 10)
        let dtposted = UTCTimestamp.iso8601(nanoseconds: transaction.postedNanoseconds, fractional: true)
        let audit = LedgerAuditColumns(transaction.audit, reverses: transaction.reverses)

        let entry = statements.insertEntry
        for (line, item) in transaction.entries.enumerated() {
            entry.bind(1, id)
            entry.bind(2, Int64(line + 1))
            entry.bind(3, item.account)
            entry.bind(4, item.amount.units)
            try entry.run()
        }
        let hash = LedgerHashChain.hash(
            previous: previousHash, id: id, fitid: fitid, trntype: transaction.type.rawValue, dtposted: dtposted,
            postedNanoseconds: transaction.postedNanoseconds,
            kind: transaction.kind.rawValue, memo: transaction.memo, mode: mode.rawValue, audit: audit.texts,
            entries: transaction.entries.map { ($0.account, $0.amount.units) })

        let row = statements.insertTransaction
        row.bind(1, id)
        row.bind(2, fitid)
        row.bind(3, transaction.type.rawValue)
        row.bind(4, dtposted)
        row.bind(5, transaction.postedNanoseconds)
        row.bind(6, transaction.kind.rawValue)
        row.bind(7, transaction.memo)
        row.bind(8, mode.rawValue)
        for (offset, text) in audit.texts.enumerated() {
            let index = Int32(9 + offset)
            switch offset {
            case LedgerAuditColumns.pnlIndex: row.bind(index, audit.pnl)
            case LedgerAuditColumns.reversesIndex: row.bind(index, audit.reverses)
            default: row.bind(index, text)
            }
        }
        row.bind(24, hash)
        try row.run()
        return PostedTransaction(id: id, fitid: fitid, mode: mode, hash: hash, transaction: transaction)
    }
}

/// Decimal digits of a non-negative id, left-padded with zeros (String(format:) is slow here).
func zeroPadded(_ value: Int64, width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
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
        let decimal: (Decimal?) -> String? = { $0.map { "\($0)" } }
        pnl = audit.pnl?.units
        self.reverses = reverses
        texts = [audit.broker, audit.strategy, audit.module, audit.bot, audit.ticker, audit.side,
                 decimal(audit.size), decimal(audit.entryPrice), decimal(audit.exitPrice), pnl.map { "\($0)" },
                 audit.tradeUUID, audit.brokerConfirmation, audit.tags.joined(separator: ","), audit.errorCode,
                 reverses.map { "\($0)" }]
    }
}

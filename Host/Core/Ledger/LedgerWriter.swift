import Foundation
import GRDB

/// Inserts one transaction the way the schema demands: open, entries, then posted with its hash.
enum LedgerWriter {
    /// `id` is the next free id (the caller holds the write lock); `accounts` the chart's codes.
    static func insert(_ transaction: NewTransaction, id: Int64, mode: LedgerMode, identity: LedgerIdentity,
                       previousHash: String, accounts: Set<String>, in db: Database) throws -> PostedTransaction {
        let fitid = "\(identity.stem)-\(mode.rawValue.uppercased())-" + zeroPadded(id, width: 10)
        let dtposted = UTCTimestamp.iso8601(nanoseconds: transaction.postedNanoseconds, fractional: true)
        let audit = LedgerAuditColumns(transaction.audit, reverses: transaction.reverses)
        if let unknown = transaction.entries.first(where: { !accounts.contains($0.account) }) {
            throw LedgerError.unknownAccount(unknown.account)
        }
        try db.cachedStatement(sql: """
            INSERT INTO transactions (id, fitid, trntype, dtposted, posted_ns, kind, memo, mode,
                broker, strategy, module, bot, ticker, side, size, entry_price, exit_price, pnl,
                trade_uuid, broker_confirmation, tags, error_code, reverses, state)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')
            """).execute(arguments: StatementArguments([id, fitid, transaction.type.rawValue, dtposted, transaction.postedNanoseconds,
                                                transaction.kind.rawValue, transaction.memo, mode.rawValue] as [(any DatabaseValueConvertible)?])
                + StatementArguments(audit.databaseValues))
        let insertEntry = try db.cachedStatement(sql: "INSERT INTO entries (transaction_id, account, amount) VALUES (?, ?, ?)")
        for entry in transaction.entries {
            try insertEntry.execute(arguments: [id, entry.account, entry.amount.units])
        }
        let canonical = LedgerHashChain.canonical(
            id: id, fitid: fitid, trntype: transaction.type.rawValue, dtposted: dtposted, kind: transaction.kind.rawValue,
            memo: transaction.memo, mode: mode.rawValue, audit: audit.texts,
            entries: transaction.entries.map { ($0.account, $0.amount.units) })
        let hash = LedgerHashChain.hash(previous: previousHash, canonical: canonical)
        try db.cachedStatement(sql: "UPDATE transactions SET state = 'posted', prev_hash = ?, hash = ? WHERE id = ?")
            .execute(arguments: [previousHash, hash, id])
        return PostedTransaction(id: id, fitid: fitid, mode: mode, hash: hash, transaction: transaction)
    }
}

/// Decimal digits of a non-negative id, left-padded with zeros (String(format:) is slow here).
func zeroPadded(_ value: Int64, width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

/// The audit columns in storage order, as database values and as the text the hash covers.
struct LedgerAuditColumns {
    let texts: [String?]
    let databaseValues: [(any DatabaseValueConvertible)?]

    init(_ audit: TransactionAudit, reverses: Int64?) {
        let decimal: (Decimal?) -> String? = { $0.map { "\($0)" } }
        let pnl = audit.pnl?.units
        texts = [audit.broker, audit.strategy, audit.module, audit.bot, audit.ticker, audit.side,
                 decimal(audit.size), decimal(audit.entryPrice), decimal(audit.exitPrice), pnl.map { "\($0)" },
                 audit.tradeUUID, audit.brokerConfirmation, audit.tags.joined(separator: ","), audit.errorCode,
                 reverses.map { "\($0)" }]
        databaseValues = [audit.broker, audit.strategy, audit.module, audit.bot, audit.ticker, audit.side,
                          decimal(audit.size), decimal(audit.entryPrice), decimal(audit.exitPrice), pnl,
                          audit.tradeUUID, audit.brokerConfirmation, audit.tags.joined(separator: ","), audit.errorCode,
                          reverses]
    }
}

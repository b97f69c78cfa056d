import Foundation
import GRDB

/// Inserts one transaction the way the schema demands: open, entries, then posted with its hash.
enum LedgerWriter {
    static func insert(_ transaction: NewTransaction, mode: LedgerMode, identity: LedgerIdentity,
                       previousHash: String, in db: Database) throws -> PostedTransaction {
        let id = (try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) + 1 FROM transactions")) ?? 1
        let fitid = "\(identity.stem)-\(mode.rawValue.uppercased())-\(String(format: "%010lld", id))"
        let dtposted = UTCTimestamp.iso8601(nanoseconds: transaction.postedNanoseconds, fractional: true)
        let audit = LedgerAuditColumns(transaction.audit, reverses: transaction.reverses)
        for entry in transaction.entries {
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM accounts WHERE code = ?)", arguments: [entry.account]) == true else {
                throw LedgerError.unknownAccount(entry.account)
            }
        }
        try db.execute(sql: """
            INSERT INTO transactions (id, fitid, trntype, dtposted, posted_ns, kind, memo, mode,
                broker, strategy, module, bot, ticker, side, size, entry_price, exit_price, pnl,
                trade_uuid, broker_confirmation, tags, error_code, reverses, state)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')
            """, arguments: StatementArguments([id, fitid, transaction.type.rawValue, dtposted, transaction.postedNanoseconds,
                                                transaction.kind.rawValue, transaction.memo, mode.rawValue] as [(any DatabaseValueConvertible)?])
                + StatementArguments(audit.databaseValues))
        for entry in transaction.entries {
            try db.execute(sql: "INSERT INTO entries (transaction_id, account, amount) VALUES (?, ?, ?)",
                           arguments: [id, entry.account, entry.amount.units])
        }
        let canonical = LedgerHashChain.canonical(
            id: id, fitid: fitid, trntype: transaction.type.rawValue, dtposted: dtposted, kind: transaction.kind.rawValue,
            memo: transaction.memo, mode: mode.rawValue, audit: audit.texts,
            entries: transaction.entries.map { ($0.account, $0.amount.units) })
        let hash = LedgerHashChain.hash(previous: previousHash, canonical: canonical)
        try db.execute(sql: "UPDATE transactions SET state = 'posted', prev_hash = ?, hash = ? WHERE id = ?",
                       arguments: [previousHash, hash, id])
        return PostedTransaction(id: id, fitid: fitid, mode: mode, hash: hash, transaction: transaction)
    }
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

import Foundation
import GRDB

/// One thing wrong with a ledger file, in words an operator can act on.
public struct LedgerFault: Equatable, Sendable, CustomStringConvertible {
    public let transactionID: Int64?
    public let message: String

    public var description: String { transactionID.map { "transaction \($0): \(message)" } ?? message }
}

/// Re-checks everything the schema promises, from the stored bytes: balance of every
/// transaction, no entries without their transaction, FITID uniqueness, account existence,
/// reversal references and the hash chain.
enum LedgerVerifier {
    static func faults(_ db: Database) throws -> [LedgerFault] {
        var faults: [LedgerFault] = []
        // Entries whose transaction row never committed (only possible with foreign keys off).
        for row in try Row.fetchAll(db, sql: """
            SELECT e.transaction_id, COUNT(*) AS lines FROM entries e LEFT JOIN transactions t ON t.id = e.transaction_id
            WHERE t.id IS NULL GROUP BY e.transaction_id ORDER BY e.transaction_id
            """) {
            faults.append(LedgerFault(transactionID: row["transaction_id"], message: "half-written: \(row["lines"] as Int) entries without their transaction"))
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT t.id, COALESCE(SUM(e.amount), 0) AS total, COUNT(e.line) AS lines
            FROM transactions t LEFT JOIN entries e ON e.transaction_id = t.id
            GROUP BY t.id HAVING total <> 0 OR lines < 2 ORDER BY t.id
            """) {
            let total: Int64 = row["total"], lines: Int = row["lines"]
            let message = lines < 2 ? "has \(lines) entries, needs at least two" : "debits and credits differ by \(Money(units: total).exactDescription)"
            faults.append(LedgerFault(transactionID: row["id"], message: message))
        }
        for row in try Row.fetchAll(db, sql: "SELECT fitid, COUNT(*) AS uses FROM transactions GROUP BY fitid HAVING uses > 1") {
            faults.append(LedgerFault(transactionID: nil, message: "FITID \(row["fitid"] as String) is used \(row["uses"] as Int) times"))
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT e.transaction_id, e.account FROM entries e LEFT JOIN accounts a ON a.code = e.account WHERE a.code IS NULL ORDER BY e.transaction_id, e.line
            """) {
            faults.append(LedgerFault(transactionID: row["transaction_id"], message: "entry names unknown account \(row["account"] as String)"))
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT t.id, t.reverses FROM transactions t LEFT JOIN transactions o ON o.id = t.reverses
            WHERE t.reverses IS NOT NULL AND o.id IS NULL
            """) {
            faults.append(LedgerFault(transactionID: row["id"], message: "reverses transaction \(row["reverses"] as Int64), which does not exist"))
        }
        faults += try chainFaults(db)
        return faults
    }

    /// Recomputes every hash from the stored fields.
    private static func chainFaults(_ db: Database) throws -> [LedgerFault] {
        var previous = LedgerHashChain.genesis
        var entries: [Int64: [(String, Int64)]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT transaction_id, account, amount FROM entries ORDER BY transaction_id, line") {
            entries[row["transaction_id"], default: []].append((row["account"], row["amount"]))
        }
        let auditColumns = LedgerAuditColumns.names
        for row in try Row.fetchAll(db, sql: "SELECT * FROM transactions ORDER BY id") {
            let id: Int64 = row["id"]
            let audit: [String?] = auditColumns.map { column in
                let value = row[column] as DatabaseValue
                switch value.storage {
                case .null: return nil
                case .int64(let number): return "\(number)"
                case .string(let text): return text
                default: return "\(value)"
                }
            }
            let expected = LedgerHashChain.hash(
                previous: previous, id: id, fitid: row["fitid"], trntype: row["trntype"], dtposted: row["dtposted"],
                postedNanoseconds: row["posted_ns"], kind: row["kind"],
                memo: row["memo"], mode: row["mode"], audit: audit,
                entries: (entries[id] ?? []).map { LedgerEntry(account: $0.0, amount: Money(units: $0.1)) })
            let stored: String? = row["hash"]
            if stored != expected {
                return [LedgerFault(transactionID: id, message: "hash chain broken: stored hash does not match the transaction's contents")]
            }
            previous = expected
        }
        return []
    }
}

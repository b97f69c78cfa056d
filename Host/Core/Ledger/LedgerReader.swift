import Foundation
import GRDB

/// Reads posted transactions with their entries back into Swift values.
enum LedgerReader {
    static func transactions(_ db: Database, where condition: String, arguments: StatementArguments) throws -> [PostedTransaction] {
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM transactions t WHERE \(condition) ORDER BY t.id"),
                                    arguments: arguments)
        guard !rows.isEmpty else { return [] }
        let ids = rows.map { $0["id"] as Int64 }
        var entries: [Int64: [LedgerEntry]] = [:]
        let placeholders = databaseQuestionMarks(count: ids.count)
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT transaction_id, account, amount FROM entries WHERE transaction_id IN (\(placeholders)) ORDER BY transaction_id, line"),
                                    arguments: StatementArguments(ids)) {
            entries[row["transaction_id"], default: []].append(LedgerEntry(account: row["account"], amount: Money(units: row["amount"])))
        }
        return rows.map { row in
            let id: Int64 = row["id"]
            return PostedTransaction(id: id, fitid: row["fitid"], mode: LedgerMode(rawValue: row["mode"]) ?? .paper, hash: row["hash"] ?? "",
                                     transaction: transaction(row, entries: entries[id] ?? []))
        }
    }

    private static func transaction(_ row: Row, entries: [LedgerEntry]) -> NewTransaction {
        let decimal: (String?) -> Decimal? = { $0.flatMap(DecimalText.parse) }
        let tags: String = row["tags"] ?? ""
        let audit = TransactionAudit(
            broker: row["broker"], strategy: row["strategy"], module: row["module"], bot: row["bot"], ticker: row["ticker"],
            side: row["side"], size: decimal(row["size"]), entryPrice: decimal(row["entry_price"]), exitPrice: decimal(row["exit_price"]),
            pnl: (row["pnl"] as Int64?).map(Money.init(units:)), tradeUUID: row["trade_uuid"], brokerConfirmation: row["broker_confirmation"],
            tags: tags.isEmpty ? [] : tags.components(separatedBy: ","), errorCode: row["error_code"])
        return NewTransaction(kind: TransactionKind(rawValue: row["kind"]) ?? .fill, type: OFXTransactionType(rawValue: row["trntype"]) ?? .other,
                              postedNanoseconds: row["posted_ns"], memo: row["memo"], audit: audit, entries: entries,
                              reverses: row["reverses"])
    }
}

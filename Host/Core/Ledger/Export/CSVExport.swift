import Foundation

/// One CSV row per ledger entry, with its transaction's fields repeated, RFC 4180 quoted
/// (CRLF line ends, a header row). Missing audit fields are empty cells.
enum CSVExport {
    static let header = ["transaction_id", "fitid", "dtposted", "posted_ns", "trntype", "kind", "memo", "account", "amount"]
        + LedgerExportText.auditFieldNames

    static func render(_ transactions: [PostedTransaction]) -> String {
        var text = row(header)
        for posted in transactions {
            let transaction = posted.transaction
            let head = [String(posted.id), posted.fitid, LedgerExportText.timestamp(transaction.postedNanoseconds),
                        String(transaction.postedNanoseconds), transaction.type.rawValue, transaction.kind.rawValue, transaction.memo]
            let audit = LedgerExportText.auditValues(posted).map { $0 ?? "" }
            for entry in transaction.entries {
                text += row(head + [entry.account, LedgerExportText.amount(entry.amount)] + audit)
            }
        }
        return text
    }

    private static func row(_ fields: [String]) -> String {
        fields.map(quoted).joined(separator: ",") + "\r\n"
    }

    /// Quotes only where RFC 4180 requires it; a quote inside is doubled. Scalars, not
    /// Characters, are checked: "\r\n" is one Character.
    private static func quoted(_ field: String) -> String {
        guard field.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

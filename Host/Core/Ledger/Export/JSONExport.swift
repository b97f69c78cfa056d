import Foundation

/// A JSON array of transactions, each with every field and its entries. Amounts are exact
/// decimal strings and posted_ns a string too (readers that hold numbers as doubles would
/// round both); absent fields are null, so every object has the same keys. Keys are sorted.
enum JSONExport {
    static func render(_ transactions: [PostedTransaction]) throws -> String {
        let objects: [[String: Any]] = transactions.map { posted in
            let transaction = posted.transaction
            var object: [String: Any] = [
                "id": posted.id,
                "fitid": posted.fitid,
                "hash": posted.hash,
                "dtposted": LedgerExportText.timestamp(transaction.postedNanoseconds),
                "posted_ns": String(transaction.postedNanoseconds),
                "trntype": transaction.type.rawValue,
                "kind": transaction.kind.rawValue,
                "memo": transaction.memo,
                "entries": transaction.entries.map { ["account": $0.account, "amount": LedgerExportText.amount($0.amount)] },
            ]
            for (name, value) in LedgerExportText.auditFields(posted) { object[name] = value ?? NSNull() }
            // Tags and the reversal link keep their own types rather than the text the other formats use.
            object["tags"] = transaction.audit.tags
            object["reverses"] = transaction.reverses.map { $0 as Any } ?? NSNull()
            return object
        }
        // Foundation pretty-prints an empty array with a blank line inside.
        if objects.isEmpty { return "[]\n" }
        let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

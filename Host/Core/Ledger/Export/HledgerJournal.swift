/// An hledger journal, written for hledger 1.25: typed account directives for the whole
/// chart, a commodity directive that fixes four decimals, then one entry per transaction with
/// the FITID as its code, the memo as its description and every other field as a tag.
enum HledgerJournal {
    static func render(identity: LedgerIdentity, mode: LedgerMode, accounts: [LedgerAccount],
                       transactions: [PostedTransaction]) -> String {
        let currency = LedgerExportText.currency
        var lines = [
            "; TBot ledger export of \(identity.stem) (\(mode.rawValue))",
            "; Exact amounts in \(currency): debits positive, credits negative.",
            // Stated so no amount is read with a thousands separator.
            "decimal-mark .",
            "commodity 1000.0000 \(currency)",
            "",
        ]
        for account in accounts {
            lines.append("account \(accountName(account.code))  ; type: \(typeCode(account)), name: \(tagValue(account.name))")
        }
        for posted in transactions {
            let transaction = posted.transaction
            let date = String(LedgerExportText.timestamp(transaction.postedNanoseconds).prefix(10))
            let description = description(transaction.memo)
            lines.append("")
            lines.append("\(date) (\(code(posted.fitid)))" + (description.isEmpty ? "" : " \(description)"))
            lines.append("    ; " + tags(posted).map { "\($0.name):\(tagValue($0.value))" }.joined(separator: ", "))
            for entry in transaction.entries {
                lines.append("    \(accountName(entry.account))  \(LedgerExportText.amount(entry.amount)) \(currency)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// hledger 1.25's account type codes; C (cash, a kind of asset) feeds its cashflow report.
    private static func typeCode(_ account: LedgerAccount) -> String {
        switch account.type {
        case .asset: return account.code.hasSuffix(":Cash") ? "C" : "A"
        case .liability: return "L"
        case .equity: return "E"
        case .income: return "R"
        case .expense: return "X"
        }
    }

    /// Transaction tags; fields the transaction does not record are left out.
    private static func tags(_ posted: PostedTransaction) -> [(name: String, value: String)] {
        let transaction = posted.transaction
        let head: [(name: String, value: String?)] = [
            ("id", String(posted.id)), ("fitid", posted.fitid),
            ("dtposted", LedgerExportText.timestamp(transaction.postedNanoseconds)),
            ("posted_ns", String(transaction.postedNanoseconds)),
            ("trntype", transaction.type.rawValue), ("kind", transaction.kind.rawValue),
        ]
        return (head + LedgerExportText.auditFields(posted)).compactMap { field in field.value.map { (field.name, $0) } }
    }

    // Two spaces end an account name, ';' starts a comment, ',' ends a tag value and ')'
    // ends the code: each is replaced where it would change how the line reads.

    private static func accountName(_ code: String) -> String {
        LedgerExportText.singleLine(code).replacingOccurrences(of: ";", with: ",")
    }

    private static func description(_ memo: String) -> String {
        LedgerExportText.singleLine(memo).replacingOccurrences(of: ";", with: ",")
    }

    private static func code(_ fitid: String) -> String {
        LedgerExportText.singleLine(fitid).replacingOccurrences(of: ")", with: "_")
    }

    /// Tag lists keep their items apart with '|'.
    private static func tagValue(_ value: String) -> String {
        LedgerExportText.singleLine(value).replacingOccurrences(of: ",", with: "|")
    }
}

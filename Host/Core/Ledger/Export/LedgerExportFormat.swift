import Foundation

/// The file formats `tbot ledger export` writes.
public enum LedgerExportFormat: String, CaseIterable, Sendable {
    case hledger, ofx, csv, json
}

/// Renders a ledger's posted transactions in one of the export formats. Output depends only
/// on the ledger's contents and the range (never on the wall clock), so it is byte-stable.
public enum LedgerExporter {
    /// `from` and `to` are UTC nanoseconds of DTPOSTED, half-open: [from, to).
    public static func export(_ ledger: Ledger, format: LedgerExportFormat, from: Int64? = nil, to: Int64? = nil) throws -> String {
        let transactions = try ledger.transactions(from: from, to: to)
        switch format {
        case .hledger:
            return HledgerJournal.render(identity: ledger.identity, mode: ledger.mode, accounts: try ledger.accounts(),
                                         transactions: transactions)
        case .ofx:
            // The closing balance counts everything before the end, not only the range.
            let upToEnd = from == nil ? transactions : try ledger.transactions(to: to)
            return OFXStatement.render(identity: ledger.identity, transactions: transactions, balanceTransactions: upToEnd,
                                       from: from, to: to)
        case .csv:
            return CSVExport.render(transactions)
        case .json:
            return try JSONExport.render(transactions)
        }
    }
}

/// Text pieces every format shares.
enum LedgerExportText {
    static let currency = "USD"

    /// Names of `auditFields`, in the same order: the audit fields, then the reversal link.
    static let auditFieldNames = ["broker", "strategy", "module", "bot", "ticker", "side", "size", "entry_price", "exit_price",
                                  "pnl", "mode", "trade_uuid", "broker_confirmation", "tags", "error_code", "reverses"]

    /// Exact decimal text of a Money, straight from its integer units (no rounding path):
    /// `minimumFractionDigits` 4 gives "-12.5000", 2 gives "-12.50", and "0.0001" stays whole.
    static func amount(_ money: Money, minimumFractionDigits: Int = 4) -> String {
        precondition(Money.scale == 10_000, "export assumes four decimal places")
        let magnitude = money.units.magnitude
        var fraction = String(magnitude % 10_000)
        fraction = String(repeating: "0", count: 4 - fraction.count) + fraction
        while fraction.count > minimumFractionDigits, fraction.last == "0" { fraction.removeLast() }
        return (money.units < 0 ? "-" : "") + String(magnitude / 10_000) + (fraction.isEmpty ? "" : "." + fraction)
    }

    /// DTPOSTED as ISO 8601 UTC with milliseconds, the form the ledger stores.
    static func timestamp(_ nanoseconds: Int64) -> String {
        UTCTimestamp.iso8601(nanoseconds: nanoseconds, fractional: true)
    }

    /// Values of `auditFieldNames`, nil when not recorded. Tags are comma-joined, the form
    /// the ledger stores them in.
    static func auditValues(_ posted: PostedTransaction) -> [String?] {
        let audit = posted.transaction.audit
        let decimal: (Decimal?) -> String? = { $0.map { "\($0)" } }
        return [
            audit.broker, audit.strategy, audit.module, audit.bot, audit.ticker, audit.side, decimal(audit.size),
            decimal(audit.entryPrice), decimal(audit.exitPrice), audit.pnl.map { amount($0) }, posted.mode.rawValue,
            audit.tradeUUID, audit.brokerConfirmation, audit.tags.isEmpty ? nil : audit.tags.joined(separator: ","),
            audit.errorCode, posted.transaction.reverses.map { String($0) },
        ]
    }

    static func auditFields(_ posted: PostedTransaction) -> [(name: String, value: String?)] {
        Array(zip(auditFieldNames, auditValues(posted)))
    }

    /// One line of plain text: control characters (newlines, tabs) become spaces and runs of
    /// spaces collapse, since several formats give two spaces or a newline a meaning.
    static func singleLine(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        var lastWasSpace = false
        for scalar in text.unicodeScalars {
            let category = scalar.properties.generalCategory
            let space = [.spaceSeparator, .control, .lineSeparator, .paragraphSeparator].contains(category)
            if space {
                if !lastWasSpace { result.append(" ") }
            } else {
                result.append(scalar)
            }
            lastWasSpace = space
        }
        return String(result).trimmingCharacters(in: .whitespaces)
    }

    /// At most `limit` Unicode scalars: OFX readers count code points, not graphemes.
    static func truncated(_ text: String, to limit: Int) -> String {
        var result = String.UnicodeScalarView()
        result.append(contentsOf: text.unicodeScalars.prefix(limit))
        return String(result)
    }
}

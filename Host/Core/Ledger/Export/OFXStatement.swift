import Crypto
import Foundation

/// An OFX 2.2 (XML) bank statement of the ledger's broker cash account: one STMTTRN per
/// transaction that moves that cash (its net cash amount), and the cash balance at the end.
/// Field limits are the spec's, as ofxtools enforces them (checked against ofxtools 1.1).
enum OFXStatement {
    static func render(identity: LedgerIdentity, transactions: [PostedTransaction], balanceTransactions: [PostedTransaction],
                       from: Int64?, to: Int64?) -> String {
        let cash = ChartOfAccounts.brokerCash(identity.broker)
        let moves = transactions.compactMap { posted -> (PostedTransaction, Money)? in
            let entries = posted.transaction.entries.filter { $0.account == cash }
            return entries.isEmpty ? nil : (posted, entries.reduce(Money.zero) { $0 + $1.amount })
        }
        let balance = balanceTransactions.flatMap(\.transaction.entries).filter { $0.account == cash }
            .reduce(Money.zero) { $0 + $1.amount }
        // No wall clock: the statement's times all come from the range or the transactions.
        let start = from ?? transactions.first.map(\.transaction.postedNanoseconds) ?? 0
        let end = to ?? transactions.map(\.transaction.postedNanoseconds).max() ?? start
        var xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="no"?>
            <?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
            <OFX>
            <SIGNONMSGSRSV1><SONRS>
            <STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
            <DTSERVER>\(dateTime(end))</DTSERVER>
            <LANGUAGE>ENG</LANGUAGE>
            </SONRS></SIGNONMSGSRSV1>
            <BANKMSGSRSV1><STMTTRNRS>
            <TRNUID>0</TRNUID>
            <STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
            <STMTRS>
            <CURDEF>\(LedgerExportText.currency)</CURDEF>
            <BANKACCTFROM>
            <BANKID>\(text(identity.jurisdiction, limit: 9))</BANKID>
            <ACCTID>\(text(accountID(identity), limit: 22))</ACCTID>
            <ACCTTYPE>CHECKING</ACCTTYPE>
            </BANKACCTFROM>
            <BANKTRANLIST>
            <DTSTART>\(dateTime(start))</DTSTART>
            <DTEND>\(dateTime(end))</DTEND>

            """
        for (posted, amount) in moves { xml += statementLine(posted, amount: amount) }
        xml += """
            </BANKTRANLIST>
            <LEDGERBAL><BALAMT>\(LedgerExportText.amount(balance, minimumFractionDigits: 2))</BALAMT><DTASOF>\(dateTime(end))</DTASOF></LEDGERBAL>
            </STMTRS>
            </STMTTRNRS></BANKMSGSRSV1>
            </OFX>

            """
        return xml
    }

    private static func statementLine(_ posted: PostedTransaction, amount: Money) -> String {
        let transaction = posted.transaction
        let memo = ([("kind", Optional(transaction.kind.rawValue)), ("trntype", transaction.type.rawValue)]
                    + LedgerExportText.auditFields(posted))
            .compactMap { field in field.value.map { "\(field.name)=\($0)" } }.joined(separator: "; ")
        var lines = [
            "<STMTTRN>",
            "<TRNTYPE>\(trnType(transaction.type, amount: amount))</TRNTYPE>",
            "<DTPOSTED>\(dateTime(transaction.postedNanoseconds))</DTPOSTED>",
            "<TRNAMT>\(LedgerExportText.amount(amount, minimumFractionDigits: 2))</TRNAMT>",
            "<FITID>\(text(posted.fitid, limit: 255))</FITID>",
        ]
        let name = text(transaction.memo, limit: 32)
        if !name.isEmpty { lines.append("<NAME>\(name)</NAME>") }
        lines.append("<MEMO>\(text(memo, limit: 255))</MEMO>")
        lines.append("</STMTTRN>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// BUY and SELL are investment types that a bank statement refuses; cash in is a CREDIT,
    /// cash out a DEBIT. The ledger's own TRNTYPE stays in MEMO.
    private static func trnType(_ type: OFXTransactionType, amount: Money) -> String {
        switch type {
        case .buy, .sell: return amount < .zero ? "DEBIT" : "CREDIT"
        case .fee, .transfer, .credit, .debit, .other: return type.rawValue
        }
    }

    /// The identity stem, which names the ledger file; OFX allows 22 characters, so a longer
    /// stem keeps its start and gains a hash of the whole to stay distinct.
    private static func accountID(_ identity: LedgerIdentity) -> String {
        let stem = identity.stem
        guard stem.unicodeScalars.count > 22 else { return stem }
        let digest = LedgerHashChain.hex(SHA256.hash(data: Array(stem.utf8))).prefix(8)
        return LedgerExportText.truncated(stem, to: 13) + "-" + digest
    }

    /// `YYYYMMDDHHMMSS.XXX[+0:UTC]`.
    private static func dateTime(_ nanoseconds: Int64) -> String {
        let iso = LedgerExportText.timestamp(nanoseconds)
        return iso.filter { $0.isNumber || $0 == "." } + "[+0:UTC]"
    }

    /// One line, cut to the element's limit (readers strip a space left at the cut), then
    /// escaped for XML.
    private static func text(_ value: String, limit: Int) -> String {
        let line = LedgerExportText.truncated(LedgerExportText.singleLine(value), to: limit).trimmingCharacters(in: .whitespaces)
        var escaped = ""
        for character in line {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}

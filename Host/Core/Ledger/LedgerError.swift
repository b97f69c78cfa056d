/// Why the ledger refused something. Nothing is written when one is thrown.
public enum LedgerError: Error, Equatable, CustomStringConvertible {
    case unbalanced(debits: Money, credits: Money)
    case tooFewEntries(Int)
    case zeroAmount(account: String)
    case unknownAccount(String)
    case wrongMode(file: String, expected: LedgerMode, found: String)
    case wrongIdentity(file: String, expected: String, found: String)
    case notFound(String)
    case alreadyReversed(Int64)
    case invalidTag(String)
    case invalidAccountCode(String)
    /// SQLite refused a statement (for example a schema trigger); the text is SQLite's.
    case storage(String)

    public var description: String {
        switch self {
        case .unbalanced(let debits, let credits): return "unbalanced transaction: debits \(debits.exactDescription) != credits \(credits.exactDescription)"
        case .tooFewEntries(let count): return "a transaction needs at least two entries, got \(count)"
        case .zeroAmount(let account): return "entry for \(account) has a zero amount"
        case .unknownAccount(let code): return "unknown account \(code)"
        case .wrongMode(let file, let expected, let found): return "\(file) is a \(found) ledger, not \(expected.rawValue)"
        case .wrongIdentity(let file, let expected, let found): return "\(file) belongs to \(found), not \(expected)"
        case .notFound(let what): return "\(what) not found"
        case .alreadyReversed(let id): return "transaction \(id) is already reversed"
        case .invalidTag(let tag): return "tag '\(tag)' is empty or contains a comma"
        case .invalidAccountCode(let code): return "account code '\(code)' must be colon-separated names of letters, digits, '_', '.' and '-'"
        case .storage(let message): return "ledger storage: \(message)"
        }
    }
}

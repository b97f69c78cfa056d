import Foundation
import GRDB

/// One bot identity's books in one mode: a SQLite file in WAL mode whose schema refuses
/// unbalanced or edited postings. All money is Money (int64 of 1/10000).
public final class Ledger {
    /// How each commit reaches the disk.
    public enum Durability: Sendable {
        /// synchronous=FULL: a committed posting survives power loss (live and paper sessions).
        case full
        /// synchronous=NORMAL: WAL keeps the file consistent; the last commits may be lost on
        /// power loss (bulk imports).
        case batch
        /// synchronous=OFF: no fsync at all, not even at checkpoints. For a backtest's own
        /// ledger, which the next run recreates; a crash may leave it unusable, never another file.
        case scratch
    }

    public let path: String
    public let mode: LedgerMode
    public let identity: LedgerIdentity
    let database: DatabaseQueue
    /// Codes of the chart, so a posting to an unknown account is refused before SQL runs.
    private var accountCodes: Set<String> = []
    /// Prepared on the first posting, on the queue's one connection.
    private var statements: LedgerStatements?
    /// With a sole writer (a backtest's own ledger), the fills in the books by broker and
    /// confirmation, so `hasFill` is answered without a query. Nil: ask the file.
    private var knownFills: Set<String>?
    /// No other process or object writes this file while this one lives.
    let soleWriter: Bool
    /// A sole writer's chain tip after its last posting; nil: read it from the file.
    private var knownTip: (id: Int64, hash: String)?
    /// FITIDs are this prefix and the zero-padded id.
    private let fitidPrefix: String

    /// Opens (creating when `create` is set) the ledger at `path`. A file written for
    /// another mode or identity is refused, so paper and live books cannot be crossed.
    /// `soleWriter`: no other process or object writes this file while this one lives.
    public init(path: String, mode: LedgerMode, identity: LedgerIdentity, durability: Durability = .full, create: Bool = true,
                soleWriter: Bool = false) throws {
        if !create, !FileManager.default.fileExists(atPath: path) { throw LedgerError.notFound("ledger \(path)") }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        // Operators' commands write the same file while a session runs: wait, do not fail.
        configuration.busyMode = .timeout(10)
        // A sole writer may hold a batch transaction open between accesses (Ledger.beginBatch).
        configuration.allowsUnsafeTransactions = soleWriter
        configuration.prepareDatabase { db in
            // Before the switch to WAL, which writes the new file's header: a scratch file
            // then costs no fsync at all.
            switch durability {
            case .full: try db.execute(sql: "PRAGMA synchronous = FULL")
            case .batch: try db.execute(sql: "PRAGMA synchronous = NORMAL")
            case .scratch: try db.execute(sql: "PRAGMA synchronous = OFF")
            }
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            // A savepoint's journal (every posting inside a batch is one) in memory, not in a
            // temporary file: it is only ever read to undo the savepoint, never after a crash,
            // and as files a backtest wrote tens of thousands of small blocks to /var/tmp.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // Batches touch many pages: a 64 MiB page cache keeps them from spilling mid-commit.
            // A backtest commits one fill at a time: 2 MiB holds its working set, and memory
            // stays flat however large its ledger grows.
            if durability == .batch { try db.execute(sql: "PRAGMA cache_size = -65536") }
            if durability == .scratch { try db.execute(sql: "PRAGMA cache_size = -2048") }
        }
        database = try DatabaseQueue(path: path, configuration: configuration)
        self.path = path
        self.mode = mode
        self.identity = identity
        self.soleWriter = soleWriter
        fitidPrefix = "\(identity.stem)-\(mode.rawValue.uppercased())-"
        try LedgerSchema.migrator.migrate(database)
        try database.writeAtomically { db in
            try Self.claim(db, key: "mode", value: mode.rawValue) { LedgerError.wrongMode(file: path, expected: mode, found: $0) }
            try Self.claim(db, key: "identity", value: identity.stem) { LedgerError.wrongIdentity(file: path, expected: identity.stem, found: $0) }
        }
        accountCodes = Set(try accounts().map(\.code))
        if soleWriter {
            knownFills = Set(try database.snapshot { db in
                try Row.fetchAll(db, sql: "SELECT broker, broker_confirmation FROM transactions WHERE kind = 'fill'").map {
                    Self.fillKey(broker: $0["broker"], confirmation: $0["broker_confirmation"])
                }
            })
        }
    }

    private static func fillKey(broker: String?, confirmation: String?) -> String {
        "\(broker ?? "")\u{1F}\(confirmation ?? "")"
    }

    /// The raw statements go before the connection they were prepared on closes.
    deinit { statements = nil }

    /// Records `value` under `key` in a new file, or checks it in an existing one.
    private static func claim(_ db: Database, key: String, value: String, mismatch: (String) -> LedgerError) throws {
        if let stored = try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM ledger_meta WHERE key = ?"), arguments: [key]) {
            guard stored == value else { throw mismatch(stored) }
        } else {
            try db.cachedStatement(sql: "INSERT INTO ledger_meta (key, value) VALUES (?, ?)").execute(arguments: [key, value])
        }
    }

    // MARK: Accounts

    /// Adds any of `accounts` not yet in the chart; existing ones are left as they are.
    public func ensureAccounts(_ accounts: [LedgerAccount]) throws {
        if let bad = accounts.first(where: { !Self.isValidAccountCode($0.code) }) { throw LedgerError.invalidAccountCode(bad.code) }
        try database.writeAtomically { db in
            for account in accounts {
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO accounts (code, type, name) VALUES (?, ?, ?)").execute(arguments: [account.code, account.type.rawValue, account.name])
            }
        }
        accountCodes.formUnion(accounts.map(\.code))
    }

    /// Colon-separated names of letters, digits, `_`, `.` and `-`: safe in every export format.
    static func isValidAccountCode(_ code: String) -> Bool {
        let parts = code.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count >= 2 && parts.allSatisfy { part in
            !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
        }
    }

    public func accounts() throws -> [LedgerAccount] {
        try database.snapshot { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT code, type, name FROM accounts ORDER BY code")).map {
                LedgerAccount(code: $0["code"], type: AccountType(rawValue: $0["type"]) ?? .asset, name: $0["name"])
            }
        }
    }

    // MARK: Posting

    /// Posts one transaction in its own commit.
    @discardableResult
    public func post(_ transaction: NewTransaction) throws -> PostedTransaction {
        try post([transaction])[0]
    }

    /// Posts several transactions in one commit: all or none.
    @discardableResult
    public func post(_ transactions: [NewTransaction]) throws -> [PostedTransaction] {
        try post(transactions, alongside: nil)
    }

    /// Posts `transactions` and runs `alongside` (state that must agree with the postings,
    /// such as budget records) in the same commit: both land or neither does.
    @discardableResult
    func post(_ transactions: [NewTransaction], alongside: ((Database) throws -> Void)?) throws -> [PostedTransaction] {
        for transaction in transactions { try Self.check(transaction) }
        let accounts = accountCodes
        let posted = try database.writeWithoutTransaction { db in
            let statements = try self.statements ?? LedgerStatements(db)
            self.statements = statements
            return try Self.atomically(db, statements) {
                // The chain's tip is read under the write lock: another process (an operator's
                // command during a session) may have posted since this one last did. A sole
                // writer's tip is the one its last posting left.
                let tip = try knownTip ?? statements.tip.runReturningRow { row in
                    (id: row.int64(0) ?? 0, hash: row.text(1) ?? LedgerHashChain.genesis)
                } ?? (id: 0, hash: LedgerHashChain.genesis)
                let results = try LedgerWriter.insert(transactions, firstID: tip.id + 1, fitidPrefix: fitidPrefix, mode: mode,
                                                      previousHash: tip.hash, accounts: accounts, statements: statements)
                try alongside?(db)
                return results
            }
        }
        if knownFills != nil {
            for transaction in transactions where transaction.kind == .fill {
                knownFills!.insert(Self.fillKey(broker: transaction.audit.broker, confirmation: transaction.audit.brokerConfirmation))
            }
        }
        if soleWriter, let last = posted.last { knownTip = (last.id, last.hash) }
        return posted
    }

    /// All of `body` or none of it: its own transaction, or inside a batch
    /// (`beginBatch`) a savepoint of that batch, as `writeAtomically` does, through statements
    /// prepared once.
    private static func atomically<T>(_ db: Database, _ statements: LedgerStatements, _ body: () throws -> T) throws -> T {
        guard db.isInsideTransaction else {
            var result: T?
            try db.inTransaction {
                result = try body()
                return .commit
            }
            return result!
        }
        try statements.savepoint.run()
        do {
            let value = try body()
            try statements.release.run()
            return value
        } catch {
            try? statements.rollback.run()
            try? statements.release.run()
            throw error
        }
    }

    /// Reads in one snapshot (for state kept beside the postings).
    func read<T>(_ body: (Database) throws -> T) throws -> T { try database.snapshot(body) }

    /// Writes state kept beside the postings, in one commit, without posting.
    func write<T>(_ body: (Database) throws -> T) throws -> T { try database.writeAtomically(body) }

    /// Balance of each of `codes` (debits positive); accounts never posted to are zero.
    public func balances(of codes: [String]) throws -> [String: Money] {
        guard !codes.isEmpty else { return [:] }
        let marks = BudgetStore.placeholders(codes.count)
        var result = Dictionary(uniqueKeysWithValues: codes.map { ($0, Money.zero) })
        try database.snapshot { db in
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT account, SUM(amount) AS balance FROM entries WHERE account IN (\(marks)) GROUP BY account"),
                                        arguments: StatementArguments(codes)) {
                result[row["account"]] = Money(units: row["balance"])
            }
        }
        return result
    }

    /// Posts the mirror image of transaction `id`: the correction for a posted mistake.
    @discardableResult
    public func reverse(_ id: Int64, at nanoseconds: Int64, reason: String) throws -> PostedTransaction {
        guard let original = try transaction(id: id) else { throw LedgerError.notFound("transaction \(id)") }
        let reversed = try database.snapshot { db in
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM transactions WHERE reverses = ?)"), arguments: [id]) ?? false
        }
        if reversed { throw LedgerError.alreadyReversed(id) }
        let mirror = NewTransaction(
            kind: .reversal, type: original.transaction.type.reversed, postedNanoseconds: nanoseconds,
            memo: "reversal of \(original.fitid): \(reason)", audit: original.transaction.audit,
            entries: original.transaction.entries.map { LedgerEntry(account: $0.account, amount: -$0.amount) },
            reverses: id)
        return try post(mirror)
    }

    /// The checks the database also makes, done first so the error is specific.
    static func check(_ transaction: NewTransaction) throws {
        // Tags are stored comma-joined: a comma or an empty tag would not come back as written.
        if let tag = transaction.audit.tags.first(where: { $0.isEmpty || hasComma($0) }) { throw LedgerError.invalidTag(tag) }
        guard transaction.entries.count >= 2 else { throw LedgerError.tooFewEntries(transaction.entries.count) }
        if let zero = transaction.entries.first(where: { $0.amount == .zero }) { throw LedgerError.zeroAmount(account: zero.account) }
        // One pass instead of the two filtered sums `debits` and `credits` make.
        var debits = Money.zero, credits = Money.zero
        for entry in transaction.entries {
            if entry.amount > .zero { debits = debits + entry.amount } else { credits = credits - entry.amount }
        }
        guard debits == credits else { throw LedgerError.unbalanced(debits: debits, credits: credits) }
    }

    /// `tag.contains(",")`; an ASCII tag is searched byte by byte, without Foundation's
    /// string search (thousands of instructions a call).
    private static func hasComma(_ tag: String) -> Bool {
        let bytes = tag.utf8
        if bytes.allSatisfy({ $0 < 0x80 }) { return bytes.contains(UInt8(ascii: ",")) }
        return tag.contains(",")
    }

    // MARK: Reading

    public func transaction(id: Int64) throws -> PostedTransaction? {
        try database.snapshot { db in try LedgerReader.transactions(db, where: "t.id = ?", arguments: [id]).first }
    }

    /// Posted transactions in id order, optionally within [from, to) in host nanoseconds.
    public func transactions(from: Int64? = nil, to: Int64? = nil) throws -> [PostedTransaction] {
        try database.snapshot { db in
            try LedgerReader.transactions(db, where: "t.posted_ns >= ? AND t.posted_ns < ?",
                                          arguments: [from ?? Int64.min, to ?? Int64.max])
        }
    }

    /// Balance of every account whose balance is not zero (debits positive), by account code.
    public func trialBalance() throws -> [(account: LedgerAccount, balance: Money)] {
        try database.snapshot { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT a.code, a.type, a.name, SUM(e.amount) AS balance
                FROM entries e JOIN transactions t ON t.id = e.transaction_id JOIN accounts a ON a.code = e.account
                GROUP BY a.code HAVING SUM(e.amount) <> 0 ORDER BY a.code
                """)).map {
                (LedgerAccount(code: $0["code"], type: AccountType(rawValue: $0["type"]) ?? .asset, name: $0["name"]),
                 Money(units: $0["balance"]))
            }
        }
    }

    /// DTPOSTED of the latest transaction, nil for empty books.
    public func lastPostedNanoseconds(kind: TransactionKind? = nil) throws -> Int64? {
        try database.snapshot { db in
            guard let kind else { return try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(posted_ns) FROM transactions")) }
            return try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(posted_ns) FROM transactions WHERE kind = ?"), arguments: [kind.rawValue])
        }
    }

    /// True when a fill with this broker confirmation is already in the books.
    public func hasFill(broker: String, confirmation: String) throws -> Bool {
        if let knownFills { return knownFills.contains(Self.fillKey(broker: broker, confirmation: confirmation)) }
        return try database.snapshot { db in
            try Bool.fetchOne(db.cachedStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM transactions WHERE kind = 'fill' AND broker = ? AND broker_confirmation = ?)
                """), arguments: [broker, confirmation]) ?? false
        }
    }

    public func verify() throws -> [LedgerFault] {
        try database.snapshot { db in try LedgerVerifier.faults(db) }
    }
}

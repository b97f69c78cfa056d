import Foundation
import GRDB

/// Timestamped copies of a ledger in the layout's backup folder, their pruning, and restoring
/// one. A copy is taken with SQLite's online backup API, so it is consistent even while the
/// ledger is open. Names are `{stem}_ledger_{mode}_{yyyyMMdd'T'HHmmss'Z'}[-n].db`.
public enum LedgerBackup {
    /// Copies `ledger` to a new file named by `now` (UTC); `-1`, `-2`... when that name is taken.
    @discardableResult
    public static func backup(_ ledger: Ledger, layout: OutputLayout, now: Int64) throws -> URL {
        guard ledger.mode == layout.mode, ledger.identity == layout.identity else {
            throw LedgerBackupError.layoutMismatch(ledger: "\(ledger.identity.stem) \(ledger.mode.rawValue)",
                                                   layout: "\(layout.identity.stem) \(layout.mode.rawValue)")
        }
        try FileManager.default.createDirectory(at: layout.backupDirectory, withIntermediateDirectories: true)
        let base = stamp(nanoseconds: now)
        let temporary = layout.backupDirectory.appendingPathComponent(".\(layout.backupPrefix)\(base).\(UUID().uuidString).tmp")
        defer { removeDatabaseFiles(temporary) }
        let destination = try DatabaseQueue(path: temporary.path)
        try ledger.database.backup(to: destination)
        try destination.close()
        // link(2) never replaces an existing file: two backups in one second get distinct names.
        for counter in 0... {
            let target = layout.backupFile(stamp: counter == 0 ? base : "\(base)-\(counter)")
            if link(temporary.path, target.path) == 0 { return target }
            guard errno == EEXIST else { throw posixError(errno, target.path) }
        }
        preconditionFailure("unreachable")
    }

    /// Deletes this ledger's backups whose stamp is more than `retentionDays` before `now`.
    /// Other identities' and modes' backups are never touched, and the newest backup of this
    /// ledger is always kept, so pruning cannot leave the books without a copy.
    @discardableResult
    public static func prune(layout: OutputLayout, retentionDays: Int, now: Int64) throws -> [URL] {
        guard retentionDays >= 0 else { throw LedgerBackupError.invalidRetention(retentionDays) }
        let folder = layout.backupDirectory
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        let backups = try FileManager.default.contentsOfDirectory(atPath: folder.path).compactMap { name in
            stampOrder(fileName: name, prefix: layout.backupPrefix).map { (url: folder.appendingPathComponent(name), order: $0) }
        }.sorted { $0.order < $1.order }
        let cutoff = now - Int64(retentionDays) * 86_400 * 1_000_000_000
        let expired = backups.dropLast().filter { $0.order.nanoseconds < cutoff }.map(\.url)
        for url in expired { try FileManager.default.removeItem(at: url) }
        return expired
    }

    /// Problems that would make `backup` unfit to restore for `layout`, checked on a temporary
    /// copy so the backup itself is never modified. Empty when it is fit.
    public static func verify(backup: URL, layout: OutputLayout) throws -> [String] {
        guard FileManager.default.fileExists(atPath: backup.path) else { throw LedgerBackupError.notFound(backup.path) }
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("tbot-verify-\(UUID().uuidString).db")
        defer { removeDatabaseFiles(copy) }
        try FileManager.default.copyItem(at: backup, to: copy)
        return try LedgerBackupCheck.faults(of: copy, named: backup.path, layout: layout)
    }

    /// Replaces the layout's ledger with `backup` once the backup passes every check (SQLite
    /// integrity, mode, identity, schema, ledger verifier); otherwise refuses, listing the faults.
    /// The current ledger is first backed up (returned), so a restore can itself be undone.
    ///
    /// The caller must not hold a `Ledger` (or any connection) on `layout.ledgerFile`: its
    /// connection would keep the old file and its -wal, which this removes.
    @discardableResult
    public static func restore(backup: URL, layout: OutputLayout, now: Int64 = SystemClock().nowNanoseconds) throws -> URL? {
        guard FileManager.default.fileExists(atPath: backup.path) else { throw LedgerBackupError.notFound(backup.path) }
        let target = layout.ledgerFile
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Checked and then renamed from beside the target, so the final step is one atomic rename.
        let candidate = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).restore-\(UUID().uuidString)")
        defer { removeDatabaseFiles(candidate) }
        try FileManager.default.copyItem(at: backup, to: candidate)
        let faults = try LedgerBackupCheck.faults(of: candidate, named: backup.path, layout: layout)
        guard faults.isEmpty else { throw LedgerBackupError.verificationFailed(backup: backup.path, faults: faults) }
        for sidecar in ["-wal", "-shm", "-journal"] where FileManager.default.fileExists(atPath: candidate.path + sidecar) {
            throw LedgerBackupError.leftoverJournal(candidate.path + sidecar)
        }

        let undo = try backupCurrent(layout: layout, now: now)
        // A stale -wal would be replayed into the restored file: the target's go first.
        for sidecar in ["-wal", "-shm"] where unlink(target.path + sidecar) != 0 && errno != ENOENT {
            throw posixError(errno, target.path + sidecar)
        }
        guard rename(candidate.path, target.path) == 0 else { throw posixError(errno, target.path) }
        syncFolder(target.deletingLastPathComponent())
        return undo
    }

    /// Backs up the ledger about to be replaced; nil when there is none. Its own scope, so the
    /// Ledger (and its connection) is gone before the file is replaced.
    private static func backupCurrent(layout: OutputLayout, now: Int64) throws -> URL? {
        guard FileManager.default.fileExists(atPath: layout.ledgerFile.path) else { return nil }
        do {
            let current = try Ledger(path: layout.ledgerFile.path, mode: layout.mode, identity: layout.identity, create: false)
            return try backup(current, layout: layout, now: now)
        } catch {
            throw LedgerBackupError.currentNotBackedUp(layout.ledgerFile.path, reason: "\(error)")
        }
    }

    /// `20240102T143000Z`: the ISO-8601 basic form of a host timestamp, UTC, whole seconds.
    public static func stamp(nanoseconds: Int64) -> String {
        UTCTimestamp.iso8601(nanoseconds: nanoseconds).filter { $0 != "-" && $0 != ":" }
    }

    /// The stamp's time and counter when `fileName` is `prefix` + stamp + optional `-n` + `.db`.
    static func stampOrder(fileName: String, prefix: String) -> StampOrder? {
        guard fileName.hasPrefix(prefix), fileName.hasSuffix(".db"), fileName.count > prefix.count + 3 else { return nil }
        let rest = fileName.dropFirst(prefix.count).dropLast(3)
        let text = Array(rest.prefix(16)), tail = rest.dropFirst(16)
        let isDigit = { (character: Character) in character.isASCII && character.isNumber }
        guard text.count == 16, text[8] == "T", text[15] == "Z",
              text[0..<8].allSatisfy(isDigit), text[9..<15].allSatisfy(isDigit) else { return nil }
        var counter = 0
        if !tail.isEmpty {
            guard tail.first == "-", tail.count > 1, tail.dropFirst().allSatisfy(isDigit), let value = Int(tail.dropFirst()) else { return nil }
            counter = value
        }
        let number = { (range: Range<Int>) in text[range].reduce(0) { $0 * 10 + ($1.wholeNumberValue ?? 0) } }
        let nanoseconds = UTCTimestamp.nanoseconds(year: number(0..<4), month: number(4..<6), day: number(6..<8),
                                                   hour: number(9..<11), minute: number(11..<13), second: number(13..<15))
        // Out-of-range fields (month 13) would normalise to another date: refuse them.
        guard stamp(nanoseconds: nanoseconds) == String(text) else { return nil }
        return StampOrder(nanoseconds: nanoseconds, counter: counter)
    }

    struct StampOrder: Comparable {
        let nanoseconds: Int64
        let counter: Int
        static func < (lhs: StampOrder, rhs: StampOrder) -> Bool {
            (lhs.nanoseconds, lhs.counter) < (rhs.nanoseconds, rhs.counter)
        }
    }

    static func removeDatabaseFiles(_ url: URL) {
        for suffix in ["", "-wal", "-shm", "-journal"] { unlink(url.path + suffix) }
    }

    /// So the rename itself survives a power loss.
    private static func syncFolder(_ folder: URL) {
        let descriptor = open(folder.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    private static func posixError(_ code: Int32, _ path: String) -> Error {
        LedgerBackupError.fileSystem(path, reason: String(cString: strerror(code)))
    }
}

/// Why a backup was not taken, pruned or restored.
public enum LedgerBackupError: Error, Equatable, CustomStringConvertible {
    case layoutMismatch(ledger: String, layout: String)
    case notFound(String)
    case invalidRetention(Int)
    case verificationFailed(backup: String, faults: [String])
    case leftoverJournal(String)
    case currentNotBackedUp(String, reason: String)
    case fileSystem(String, reason: String)

    public var description: String {
        switch self {
        case .layoutMismatch(let ledger, let layout): return "cannot back up the \(ledger) ledger into the \(layout) layout"
        case .notFound(let path): return "backup \(path) not found"
        case .invalidRetention(let days): return "backup retention must be 0 or more days, got \(days)"
        case .verificationFailed(let backup, let faults):
            return "\(backup) fails ledger verification:\n" + faults.map { "  - \($0)" }.joined(separator: "\n")
        case .leftoverJournal(let path): return "refusing to restore: \(path) was left behind by the check"
        case .currentNotBackedUp(let path, let reason): return "refusing to restore: the current ledger \(path) could not be backed up first: \(reason)"
        case .fileSystem(let path, let reason): return "\(path): \(reason)"
        }
    }
}

/// The checks a backup must pass before it may become the ledger. Runs on a private copy:
/// bringing an older schema up to date writes to it.
enum LedgerBackupCheck {
    /// Faults of the file at `url` (a copy of `name`). A different mode or identity is thrown,
    /// as the ledger itself would.
    static func faults(of url: URL, named name: String, layout: OutputLayout) throws -> [String] {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: url.path, configuration: configuration) } catch {
            return ["not a readable SQLite database: \(error)"]
        }
        defer { try? queue.close() }
        do {
            let integrity = try queue.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
            guard integrity == ["ok"] else { return integrity.map { "SQLite integrity check: \($0)" } }
            guard try queue.read({ try $0.tableExists("ledger_meta") }) else { return ["not a TBot ledger: no ledger_meta table"] }
            let meta = try queue.read { db in
                try Dictionary(Row.fetchAll(db, sql: "SELECT key, value FROM ledger_meta").map { ($0["key"] as String, $0["value"] as String) },
                               uniquingKeysWith: { first, _ in first })
            }
            let mode = meta["mode"] ?? "unmarked", identity = meta["identity"] ?? "nobody"
            guard mode == layout.mode.rawValue else { throw LedgerError.wrongMode(file: name, expected: layout.mode, found: mode) }
            guard identity == layout.identity.stem else { throw LedgerError.wrongIdentity(file: name, expected: layout.identity.stem, found: identity) }
            guard try queue.read({ try LedgerSchema.migrator.appliedIdentifiers($0).contains("v1-ledger") }) else {
                return ["not a TBot ledger: the ledger schema was never applied"]
            }
            try LedgerSchema.migrator.migrate(queue)
            return try schemaFaults(queue) + queue.read { try LedgerVerifier.faults($0).map(\.description) }
        } catch let error as LedgerError {
            throw error
        } catch {
            return ["cannot read the backup: \(error)"]
        }
    }

    /// Tables, indexes and triggers must be exactly this version's: a dropped trigger leaves
    /// the data intact but the books unguarded.
    private static func schemaFaults(_ queue: DatabaseQueue) throws -> [String] {
        let reference = try DatabaseQueue()
        try LedgerSchema.migrator.migrate(reference)
        let expected = try reference.read(schemaObjects), found = try queue.read(schemaObjects)
        var faults: [String] = []
        for (key, sql) in expected.sorted(by: { $0.key < $1.key }) {
            if found[key] == nil { faults.append("schema: \(key) is missing") } else if found[key] != sql { faults.append("schema: \(key) differs") }
        }
        for key in found.keys.sorted() where expected[key] == nil { faults.append("schema: unexpected \(key)") }
        return faults
    }

    /// "trigger entries_immutable" -> its CREATE statement.
    private static func schemaObjects(_ db: Database) throws -> [String: String] {
        var objects: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'") {
            objects["\(row["type"] as String) \(row["name"] as String)"] = row["sql"] as String? ?? ""
        }
        return objects
    }
}

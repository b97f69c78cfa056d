import Foundation
import GRDB
import GRDBSQLite

/// A prepared statement driven through the SQLite C API, for the posting hot path, where
/// GRDB's argument boxing costs more than SQLite's own work. Prepared once per connection and
/// reused; used only inside a GRDB write on the connection it was prepared on. Every use binds
/// every parameter, so bindings are not cleared between uses.
final class RawStatement {
    private let handle: OpaquePointer
    private let connection: OpaquePointer

    convenience init(_ db: Database, sql: String) throws {
        guard let connection = db.sqliteConnection else { throw LedgerError.storage("the ledger connection is closed") }
        try self.init(connection: connection, sql: sql)
    }

    init(connection: OpaquePointer, sql: String) throws {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw LedgerError.storage(String(cString: sqlite3_errmsg(connection)))
        }
        self.connection = connection
        handle = statement
    }

    deinit { sqlite3_finalize(handle) }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: Int) { sqlite3_bind_int64(handle, index, Int64(value)) }

    func bind(_ index: Int32, _ value: Bool) { sqlite3_bind_int64(handle, index, value ? 1 : 0) }

    /// Binds `texts` where SQLite reads them in place (SQLITE_STATIC) rather than copying each
    /// (SQLITE_TRANSIENT), and runs the statement while their buffer lives. Every later run
    /// binds its texts again first, so SQLite never reads the buffer after it is gone.
    func run(_ texts: TextArguments) throws {
        try texts.bytes.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress ?? UnsafePointer(Self.empty))
            for text in texts.slots {
                guard text.start >= 0 else { sqlite3_bind_null(handle, text.index); continue }
                let start = base + text.start
                // Cut at a NUL, as the C string conversion of a Swift string is.
                let length = memchr(start, 0, text.count).map { UnsafeRawPointer($0) - start } ?? text.count
                sqlite3_bind_text(handle, text.index, start.assumingMemoryBound(to: CChar.self), Int32(length), Self.static)
            }
            try run()
        }
    }

    /// Runs with `value` bound to parameter `index` in place (see `run(_ texts:)`).
    func run(binding value: String, at index: Int32) throws {
        var texts = TextArguments(capacity: value.utf8.count)
        texts.bind(index, value)
        try run(texts)
    }

    /// Where empty texts point when the row has no bytes at all: one NUL that lives forever
    /// (a pointer into a temporary array would dangle once SQLite reads it).
    private static let empty: UnsafeMutablePointer<UInt8> = {
        let byte = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        byte.initialize(to: 0)
        return byte
    }()
    private static let `static` = unsafeBitCast(0, to: sqlite3_destructor_type.self)

    /// Runs the statement to completion; a trigger's RAISE comes back as the error text.
    func run() throws {
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else { throw LedgerError.storage(String(cString: sqlite3_errmsg(connection))) }
    }

    /// Runs a statement that returns at most one row and hands `read` its columns.
    func runReturningRow<T>(_ read: (Row) -> T) throws -> T? {
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        if code == SQLITE_DONE { return nil }
        guard code == SQLITE_ROW else { throw LedgerError.storage(String(cString: sqlite3_errmsg(connection))) }
        return read(Row(handle))
    }

    /// Runs a query to its end and hands `read` each row's columns.
    func rows<T>(_ read: (Row) -> T) throws -> [T] {
        defer { sqlite3_reset(handle) }
        var result: [T] = []
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return result }
            guard code == SQLITE_ROW else { throw LedgerError.storage(String(cString: sqlite3_errmsg(connection))) }
            result.append(read(Row(handle)))
        }
    }

    /// The current row's columns, valid only inside `runReturningRow` and `rows`.
    struct Row {
        fileprivate let handle: OpaquePointer
        fileprivate init(_ handle: OpaquePointer) { self.handle = handle }

        func int64(_ column: Int32) -> Int64? {
            sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
        }

        func text(_ column: Int32) -> String? {
            guard let bytes = sqlite3_column_text(handle, column) else { return nil }
            return String(cString: bytes)
        }
    }
}

/// The text parameters of one statement run, gathered into one buffer: one allocation per run
/// instead of one copy per text inside SQLite.
struct TextArguments {
    fileprivate var bytes: [UInt8] = []
    /// Parameter index and byte range; a start of -1 binds NULL.
    fileprivate var slots: [(index: Int32, start: Int, count: Int)] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
        slots.reserveCapacity(24)
    }

    mutating func bind(_ index: Int32, _ value: String?) {
        guard let value else { return slots.append((index, -1, 0)) }
        let start = bytes.count
        bytes.append(contentsOf: value.utf8)
        slots.append((index, start, bytes.count - start))
    }
}

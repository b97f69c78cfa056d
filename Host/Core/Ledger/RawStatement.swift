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

    func bind(_ index: Int32, _ value: String?) {
        guard var value else { sqlite3_bind_null(handle, index); return }
        // The string's own UTF-8 bytes, without the C string copy an implicit conversion makes;
        // cut at a NUL as that conversion's text was. SQLITE_TRANSIENT: SQLite copies the text.
        value.withUTF8 { bytes in
            let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
            guard let base = bytes.baseAddress else { sqlite3_bind_text(handle, index, "", 0, transient); return }
            let length = memchr(base, 0, bytes.count).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? bytes.count
            base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { text in
                _ = sqlite3_bind_text(handle, index, text, Int32(length), transient)
            }
        }
    }

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

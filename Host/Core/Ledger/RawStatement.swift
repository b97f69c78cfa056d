import Foundation
import GRDB
import GRDBSQLite

/// A prepared statement driven through the SQLite C API, for the posting hot path, where
/// GRDB's argument boxing costs more than SQLite's own work. Prepared once per connection and
/// reused; used only inside a GRDB write on the connection it was prepared on.
final class RawStatement {
    private let handle: OpaquePointer
    private let connection: OpaquePointer

    init(_ db: Database, sql: String) throws {
        guard let connection = db.sqliteConnection else { throw LedgerError.storage("the ledger connection is closed") }
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

    func bind(_ index: Int32, _ value: String?) {
        guard let value else { sqlite3_bind_null(handle, index); return }
        // SQLITE_TRANSIENT: SQLite copies the text before bind returns.
        sqlite3_bind_text(handle, index, value, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
    }

    /// Runs the statement to completion; a trigger's RAISE comes back as the error text.
    func run() throws {
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else { throw LedgerError.storage(String(cString: sqlite3_errmsg(connection))) }
    }
}

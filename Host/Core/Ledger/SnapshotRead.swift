import GRDB

extension DatabaseQueue {
    /// Reads in one snapshot (a deferred transaction). Not `read`: on a DatabaseQueue that
    /// toggles PRAGMA query_only around the body, and SQLite expires every prepared statement
    /// of the connection on a flag pragma, so each read made the cached posting statements
    /// compile again (most of the cost of a fill in a backtest).
    func snapshot<T>(_ body: (Database) throws -> T) throws -> T {
        try inDatabase { db in
            if db.isInsideTransaction { return try body(db) }
            try db.beginTransaction(.deferred)
            do {
                let value = try body(db)
                try db.commit()
                return value
            } catch {
                try? db.rollback()
                throw error
            }
        }
    }
}

import GRDB

extension DatabaseQueue {
    /// Writes all of `body` or none of it. Normally that is its own transaction. Inside the
    /// batch a backtest holds open (`Ledger.beginBatch`) it is a savepoint of that
    /// transaction: a failed write still leaves nothing behind, and the commit waits for the
    /// batch's end instead of costing a WAL write per posting.
    func writeAtomically<T>(_ body: (Database) throws -> T) throws -> T {
        try writeWithoutTransaction { db in
            guard db.isInsideTransaction else {
                var result: T?
                try db.inTransaction {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
            try db.cachedStatement(sql: "SAVEPOINT atomic_write").execute()
            do {
                let value = try body(db)
                try db.cachedStatement(sql: "RELEASE SAVEPOINT atomic_write").execute()
                return value
            } catch {
                try? db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT atomic_write").execute()
                try? db.cachedStatement(sql: "RELEASE SAVEPOINT atomic_write").execute()
                throw error
            }
        }
    }
}

extension Ledger {
    /// Opens a batch: every write until `commitBatch` joins one transaction. For a backtest's
    /// scratch ledger only (one writer, rebuilt by the next run): a live or paper ledger
    /// commits every posting on its own.
    func beginBatch() throws {
        try database.writeWithoutTransaction { db in
            if !db.isInsideTransaction { try db.beginTransaction(.immediate) }
        }
    }

    /// Commits the open batch, if any.
    func commitBatch() throws {
        try database.writeWithoutTransaction { db in
            if db.isInsideTransaction { try db.commit() }
        }
    }
}

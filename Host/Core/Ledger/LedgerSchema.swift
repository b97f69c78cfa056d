import GRDB

/// The ledger's schema, versioned in code. A migration, once shipped, is never edited:
/// changes come as new migrations appended to `migrator`.
///
/// Money columns are INTEGER in units of 1/10000 of the currency (Money.units).
/// Prices and sizes are TEXT decimals, exact as the host computed them.
enum LedgerSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-ledger") { db in
            try db.execute(sql: v1Tables)
            try db.execute(sql: v1Triggers)
            for account in ChartOfAccounts.standard {
                try db.execute(sql: "INSERT INTO accounts (code, type, name) VALUES (?, ?, ?)",
                               arguments: [account.code, account.type.rawValue, account.name])
            }
        }
        migrator.registerMigration("v2-budgets") { db in
            try db.execute(sql: BudgetSchema.tables)
            try db.execute(sql: BudgetSchema.triggers)
            try db.execute(sql: "INSERT OR IGNORE INTO accounts (code, type, name) VALUES (?, 'asset', ?)",
                           arguments: [ChartOfAccounts.accountCapital, ChartOfAccounts.accountCapitalName])
        }
        RiskSchema.migrate(&migrator)
        return migrator
    }

    private static let v1Tables = """
        CREATE TABLE ledger_meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE accounts (
            code TEXT PRIMARY KEY,
            type TEXT NOT NULL CHECK (type IN ('asset', 'liability', 'equity', 'income', 'expense')),
            name TEXT NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE transactions (
            id INTEGER PRIMARY KEY,
            fitid TEXT NOT NULL UNIQUE,
            trntype TEXT NOT NULL,
            dtposted TEXT NOT NULL,
            posted_ns INTEGER NOT NULL,
            kind TEXT NOT NULL,
            memo TEXT NOT NULL,
            mode TEXT NOT NULL CHECK (mode IN ('paper', 'live', 'backtest')),
            broker TEXT, strategy TEXT, module TEXT, bot TEXT, ticker TEXT, side TEXT,
            size TEXT, entry_price TEXT, exit_price TEXT, pnl INTEGER,
            trade_uuid TEXT, broker_confirmation TEXT, tags TEXT NOT NULL DEFAULT '', error_code TEXT,
            reverses INTEGER REFERENCES transactions(id),
            hash TEXT NOT NULL
        );
        -- Few indexes: each costs every posting. Reconciliation looks fills up by confirmation.
        CREATE UNIQUE INDEX transactions_one_reversal ON transactions(reverses) WHERE reverses IS NOT NULL;
        CREATE INDEX transactions_fill_confirmation ON transactions(broker, broker_confirmation) WHERE kind = 'fill';

        -- Clustered by transaction: a transaction's lines sit together, with no extra index.
        CREATE TABLE entries (
            transaction_id INTEGER NOT NULL REFERENCES transactions(id) DEFERRABLE INITIALLY DEFERRED,
            line INTEGER NOT NULL,
            account TEXT NOT NULL REFERENCES accounts(code),
            amount INTEGER NOT NULL CHECK (amount <> 0),
            PRIMARY KEY (transaction_id, line)
        ) WITHOUT ROWID;
        """

    /// The database's own guarantees. A transaction's entries are inserted first and the
    /// transaction row last, in one commit: the row is refused unless its entries balance, no
    /// entry can join a transaction that exists, an entry without its transaction fails the
    /// deferred foreign key at commit, and nothing posted can be changed or deleted.
    private static let v1Triggers = """
        CREATE TRIGGER transactions_balanced BEFORE INSERT ON transactions
        BEGIN
            SELECT CASE
                WHEN lines < 2 THEN RAISE(ABORT, 'a transaction needs at least two entries')
                WHEN total <> 0 THEN RAISE(ABORT, 'unbalanced transaction: debits must equal credits')
            END
            FROM (SELECT COUNT(*) AS lines, COALESCE(SUM(amount), 0) AS total FROM entries WHERE transaction_id = NEW.id);
        END;

        CREATE TRIGGER transactions_immutable BEFORE UPDATE ON transactions
        BEGIN SELECT RAISE(ABORT, 'posted transactions are immutable; post a reversing entry'); END;

        CREATE TRIGGER transactions_no_delete BEFORE DELETE ON transactions
        BEGIN SELECT RAISE(ABORT, 'posted transactions cannot be deleted; post a reversing entry'); END;

        CREATE TRIGGER entries_before_transaction BEFORE INSERT ON entries
        WHEN EXISTS (SELECT 1 FROM transactions WHERE id = NEW.transaction_id)
        BEGIN SELECT RAISE(ABORT, 'entries cannot be added to a posted transaction'); END;

        CREATE TRIGGER entries_immutable BEFORE UPDATE ON entries
        BEGIN SELECT RAISE(ABORT, 'entries of a posted transaction are immutable'); END;

        CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
        BEGIN SELECT RAISE(ABORT, 'entries of a posted transaction cannot be deleted'); END;

        CREATE TRIGGER accounts_in_use BEFORE DELETE ON accounts
        WHEN EXISTS (SELECT 1 FROM entries WHERE account = OLD.code)
        BEGIN SELECT RAISE(ABORT, 'an account with entries cannot be deleted'); END;
        """
}

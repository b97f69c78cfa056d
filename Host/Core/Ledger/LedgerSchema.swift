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
            state TEXT NOT NULL CHECK (state IN ('open', 'posted')),
            prev_hash TEXT,
            hash TEXT
        );
        CREATE UNIQUE INDEX transactions_one_reversal ON transactions(reverses) WHERE reverses IS NOT NULL;
        CREATE INDEX transactions_trade ON transactions(trade_uuid);
        CREATE INDEX transactions_confirmation ON transactions(broker, broker_confirmation);

        CREATE TABLE entries (
            id INTEGER PRIMARY KEY,
            transaction_id INTEGER NOT NULL REFERENCES transactions(id),
            account TEXT NOT NULL REFERENCES accounts(code),
            amount INTEGER NOT NULL CHECK (amount <> 0)
        );
        CREATE INDEX entries_transaction ON entries(transaction_id);
        CREATE INDEX entries_account ON entries(account);
        """

    /// The database's own guarantees: a transaction is inserted open, takes entries while
    /// open, and can only become posted when its entries balance; a posted transaction and
    /// its entries can be neither changed nor deleted.
    private static let v1Triggers = """
        CREATE TRIGGER transactions_insert_open BEFORE INSERT ON transactions
        WHEN NEW.state <> 'open'
        BEGIN SELECT RAISE(ABORT, 'transactions are inserted open and posted once balanced'); END;

        CREATE TRIGGER transactions_post_balanced BEFORE UPDATE OF state ON transactions
        WHEN OLD.state = 'open' AND NEW.state = 'posted'
        BEGIN
            SELECT RAISE(ABORT, 'unbalanced transaction: debits must equal credits')
            WHERE (SELECT COALESCE(SUM(amount), 0) FROM entries WHERE transaction_id = NEW.id) <> 0;
            SELECT RAISE(ABORT, 'a transaction needs at least two entries')
            WHERE (SELECT COUNT(*) FROM entries WHERE transaction_id = NEW.id) < 2;
        END;

        CREATE TRIGGER transactions_immutable BEFORE UPDATE ON transactions
        WHEN OLD.state = 'posted'
        BEGIN SELECT RAISE(ABORT, 'posted transactions are immutable; post a reversing entry'); END;

        CREATE TRIGGER transactions_no_delete BEFORE DELETE ON transactions
        WHEN OLD.state = 'posted'
        BEGIN SELECT RAISE(ABORT, 'posted transactions cannot be deleted; post a reversing entry'); END;

        CREATE TRIGGER entries_insert_open BEFORE INSERT ON entries
        WHEN (SELECT state FROM transactions WHERE id = NEW.transaction_id) IS NOT 'open'
        BEGIN SELECT RAISE(ABORT, 'entries can only be added to an open transaction'); END;

        CREATE TRIGGER entries_immutable BEFORE UPDATE ON entries
        WHEN (SELECT state FROM transactions WHERE id = OLD.transaction_id) = 'posted'
        BEGIN SELECT RAISE(ABORT, 'entries of a posted transaction are immutable'); END;

        CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
        WHEN (SELECT state FROM transactions WHERE id = OLD.transaction_id) = 'posted'
        BEGIN SELECT RAISE(ABORT, 'entries of a posted transaction cannot be deleted'); END;

        CREATE TRIGGER accounts_in_use BEFORE DELETE ON accounts
        WHEN EXISTS (SELECT 1 FROM entries WHERE account = OLD.code)
        BEGIN SELECT RAISE(ABORT, 'an account with entries cannot be deleted'); END;
        """
}

/// Budget state kept in the ledger file beside the postings, so a posting and the state it
/// changes land in one commit. Money columns are INTEGER units of 1/10000, like the ledger.
/// Balances are never stored here: a budget's amount is its ledger account's balance.
enum BudgetSchema {
    static let tables = """
        CREATE TABLE budget_account (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            name TEXT NOT NULL,
            declared_capital INTEGER NOT NULL,
            declared_reserve INTEGER NOT NULL,
            peak_capital INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'PAUSED')),
            status_reason TEXT,
            updated_ns INTEGER NOT NULL
        );

        CREATE TABLE budget_modules (
            id TEXT PRIMARY KEY,
            declared_budget INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'PAUSED')),
            status_reason TEXT,
            -- A daily-loss pause lifts itself at the next UTC day; an operator's pause does not.
            paused_until_ns INTEGER,
            retired INTEGER NOT NULL DEFAULT 0,
            updated_ns INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE budget_bots (
            id TEXT PRIMARY KEY,
            module TEXT NOT NULL,
            initial_budget INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'PAUSED')),
            status_reason TEXT,
            peak_budget INTEGER NOT NULL,
            max_drawdown TEXT NOT NULL DEFAULT '0',
            profit_reinvested INTEGER NOT NULL DEFAULT 0,
            profit_withdrawn INTEGER NOT NULL DEFAULT 0,
            supervisor_rejections INTEGER NOT NULL DEFAULT 0,
            retired INTEGER NOT NULL DEFAULT 0,
            updated_ns INTEGER NOT NULL
        ) WITHOUT ROWID;

        -- One row per closing fill of a bot's trade: the supervisor's statistics come from here.
        CREATE TABLE bot_trades (
            id INTEGER PRIMARY KEY,
            bot TEXT NOT NULL,
            module TEXT NOT NULL,
            trade_uuid TEXT NOT NULL,
            symbol TEXT NOT NULL,
            closed_ns INTEGER NOT NULL,
            pnl INTEGER NOT NULL,
            budget_before INTEGER NOT NULL
        );
        CREATE INDEX bot_trades_by_bot ON bot_trades(bot, id);
        CREATE INDEX bot_trades_by_day ON bot_trades(closed_ns);

        CREATE TABLE supervisor_decisions (
            id INTEGER PRIMARY KEY,
            bot TEXT NOT NULL,
            decided_ns INTEGER NOT NULL,
            trade_uuid TEXT,
            decision TEXT NOT NULL,
            trade_pnl INTEGER NOT NULL,
            reinvested INTEGER NOT NULL,
            to_reserve INTEGER NOT NULL,
            budget_before INTEGER NOT NULL,
            budget_after INTEGER NOT NULL,
            reason TEXT NOT NULL,
            checks TEXT NOT NULL
        );
        CREATE INDEX supervisor_decisions_by_bot ON supervisor_decisions(bot, id);

        -- Notifications: what an operator is told, and what the supervisor's 24 h check reads.
        CREATE TABLE budget_events (
            id INTEGER PRIMARY KEY,
            at_ns INTEGER NOT NULL,
            level TEXT NOT NULL CHECK (level IN ('INFO', 'WARNING', 'CRITICAL')),
            subject TEXT NOT NULL,
            title TEXT NOT NULL,
            message TEXT NOT NULL
        );

        CREATE TABLE approvals (
            id INTEGER PRIMARY KEY,
            created_ns INTEGER NOT NULL,
            expires_ns INTEGER NOT NULL,
            bot TEXT NOT NULL,
            module TEXT NOT NULL,
            symbol TEXT NOT NULL,
            side TEXT NOT NULL,
            quantity INTEGER NOT NULL,
            entry_price TEXT NOT NULL,
            stop_price TEXT NOT NULL,
            buying_power INTEGER NOT NULL,
            risk INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'expired', 'submitted')),
            decided_ns INTEGER,
            note TEXT NOT NULL DEFAULT ''
        );
        """

    /// Records of what happened are kept as written.
    static let triggers = """
        CREATE TRIGGER supervisor_decisions_immutable BEFORE UPDATE ON supervisor_decisions
        BEGIN SELECT RAISE(ABORT, 'supervisor decisions are immutable'); END;
        CREATE TRIGGER supervisor_decisions_no_delete BEFORE DELETE ON supervisor_decisions
        BEGIN SELECT RAISE(ABORT, 'supervisor decisions are immutable'); END;
        CREATE TRIGGER bot_trades_immutable BEFORE UPDATE ON bot_trades
        BEGIN SELECT RAISE(ABORT, 'bot trades are immutable'); END;
        CREATE TRIGGER bot_trades_no_delete BEFORE DELETE ON bot_trades
        BEGIN SELECT RAISE(ABORT, 'bot trades are immutable'); END;
        CREATE TRIGGER budget_events_immutable BEFORE UPDATE ON budget_events
        BEGIN SELECT RAISE(ABORT, 'budget events are immutable'); END;
        CREATE TRIGGER budget_events_no_delete BEFORE DELETE ON budget_events
        BEGIN SELECT RAISE(ABORT, 'budget events are immutable'); END;
        CREATE TRIGGER approvals_no_delete BEFORE DELETE ON approvals
        BEGIN SELECT RAISE(ABORT, 'approvals are kept; they expire instead'); END;
        """
}

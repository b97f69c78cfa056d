import GRDB

/// Risk engine records kept in the ledger file (migration v3-risk), or in memory for a pipeline
/// without books. Money columns are INTEGER units of 1/10000, like the ledger.
enum RiskSchema {
    static let tables = """
        -- Every candidate the engine decided on, with each rule it evaluated (tbot risk explain).
        CREATE TABLE risk_decisions (
            id INTEGER PRIMARY KEY,
            decided_ns INTEGER NOT NULL,
            session TEXT NOT NULL,
            session_start_ns INTEGER NOT NULL,
            broker TEXT NOT NULL,
            bot TEXT NOT NULL,
            intent_symbol TEXT NOT NULL,
            symbol TEXT NOT NULL,
            side TEXT NOT NULL,
            pool_rank INTEGER NOT NULL,
            fallback_level INTEGER NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('APPROVED', 'REJECTED')),
            code TEXT,
            sentence TEXT NOT NULL,
            quantity INTEGER,
            risk_amount INTEGER,
            defense INTEGER NOT NULL,
            checks TEXT NOT NULL
        );
        CREATE INDEX risk_decisions_by_session ON risk_decisions(session_start_ns, id);

        -- Closed trades as the engine saw them: the rolling win rate and the exit rules.
        CREATE TABLE risk_trades (
            id INTEGER PRIMARY KEY,
            closed_ns INTEGER NOT NULL,
            broker TEXT NOT NULL,
            session TEXT NOT NULL,
            session_start_ns INTEGER NOT NULL,
            symbol TEXT NOT NULL,
            pnl INTEGER NOT NULL
        );
        CREATE INDEX risk_trades_by_time ON risk_trades(closed_ns);

        CREATE TABLE risk_kill_switch (
            id INTEGER PRIMARY KEY,
            fired_ns INTEGER NOT NULL,
            day INTEGER NOT NULL,
            broker TEXT NOT NULL,
            realized INTEGER NOT NULL,
            limit_amount INTEGER NOT NULL,
            reason TEXT NOT NULL
        );

        -- The first float seen per broker: the base of the float drawdown trigger.
        CREATE TABLE risk_broker_floats (
            broker TEXT PRIMARY KEY,
            starting_float INTEGER NOT NULL,
            recorded_ns INTEGER NOT NULL
        ) WITHOUT ROWID;

        -- The disaster log: Defense Mode activation, deactivation, triggers, limits in force.
        CREATE TABLE risk_defense_log (
            id INTEGER PRIMARY KEY,
            at_ns INTEGER NOT NULL,
            event TEXT NOT NULL CHECK (event IN ('ACTIVATED', 'DEACTIVATED')),
            reasons TEXT NOT NULL,
            limits TEXT NOT NULL
        );

        -- Operator notifications of the risk engine (kill switch, rebalance, defense mode).
        CREATE TABLE risk_events (
            id INTEGER PRIMARY KEY,
            at_ns INTEGER NOT NULL,
            level TEXT NOT NULL,
            subject TEXT NOT NULL,
            message TEXT NOT NULL
        );

        CREATE TRIGGER risk_defense_log_immutable BEFORE UPDATE ON risk_defense_log
        BEGIN SELECT RAISE(ABORT, 'the disaster log is append-only'); END;
        CREATE TRIGGER risk_defense_log_kept BEFORE DELETE ON risk_defense_log
        BEGIN SELECT RAISE(ABORT, 'the disaster log is append-only'); END;
        CREATE TRIGGER risk_kill_switch_immutable BEFORE UPDATE ON risk_kill_switch
        BEGIN SELECT RAISE(ABORT, 'kill switch records are append-only'); END;
        """

    static func migrate(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-risk") { db in try db.execute(sql: tables) }
    }
}

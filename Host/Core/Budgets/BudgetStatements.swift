import Foundation
import GRDB
import GRDBSQLite

/// Writes the budget records (BudgetSchema) a settlement, a sync or an operator's action
/// changes, and reads new events, through statements prepared once on the ledger's
/// connection: GRDB's argument and row handling cost more than SQLite's own work on these
/// short rows, several per closed trade. Used only inside a read or write on that connection.
final class BudgetStatements {
    private let insertTrade: RawStatement
    private let insertDecision: RawStatement
    private let saveBot: RawStatement
    private let saveModule: RawStatement
    private let saveAccount: RawStatement
    private let updateBot: RawStatement
    private let updateModule: RawStatement
    private let updateAccount: RawStatement
    private let insertEvent: RawStatement
    private let eventsAfter: RawStatement
    private let connection: OpaquePointer
    /// Events and trades inserted through these statements (some may have been rolled back since):
    /// with a sole writer, the only way those tables grow.
    private(set) var eventsInserted = 0
    private(set) var tradesInserted = 0
    /// The latest close time among those trades.
    private(set) var latestTradeClosed = Int64.min

    init(_ db: Database) throws {
        guard let connection = db.sqliteConnection else { throw LedgerError.storage("the ledger connection is closed") }
        self.connection = connection
        insertTrade = try RawStatement(connection: connection, sql: """
            INSERT INTO bot_trades (bot, module, trade_uuid, symbol, closed_ns, pnl, budget_before) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        insertDecision = try RawStatement(connection: connection, sql: """
            INSERT INTO supervisor_decisions (bot, decided_ns, trade_uuid, decision, trade_pnl, reinvested, to_reserve,
                budget_before, budget_after, reason, checks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        saveBot = try RawStatement(connection: connection, sql: """
            INSERT INTO budget_bots (id, module, initial_budget, status, status_reason, peak_budget, max_drawdown,
                profit_reinvested, profit_withdrawn, supervisor_rejections, retired, updated_ns)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET module = excluded.module, initial_budget = excluded.initial_budget,
                status = excluded.status, status_reason = excluded.status_reason, peak_budget = excluded.peak_budget,
                max_drawdown = excluded.max_drawdown, profit_reinvested = excluded.profit_reinvested,
                profit_withdrawn = excluded.profit_withdrawn, supervisor_rejections = excluded.supervisor_rejections,
                retired = excluded.retired, updated_ns = excluded.updated_ns
            """)
        saveModule = try RawStatement(connection: connection, sql: """
            INSERT INTO budget_modules (id, declared_budget, status, status_reason, paused_until_ns, retired, updated_ns)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET declared_budget = excluded.declared_budget, status = excluded.status,
                status_reason = excluded.status_reason, paused_until_ns = excluded.paused_until_ns,
                retired = excluded.retired, updated_ns = excluded.updated_ns
            """)
        saveAccount = try RawStatement(connection: connection, sql: """
            INSERT INTO budget_account (id, name, declared_capital, declared_reserve, peak_capital, status, status_reason, updated_ns)
            VALUES (1, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET name = excluded.name, declared_capital = excluded.declared_capital,
                declared_reserve = excluded.declared_reserve, peak_capital = excluded.peak_capital, status = excluded.status,
                status_reason = excluded.status_reason, updated_ns = excluded.updated_ns
            """)
        // Parameters numbered as in the upserts above, so one binding serves both.
        updateBot = try RawStatement(connection: connection, sql: """
            UPDATE budget_bots SET module = ?2, initial_budget = ?3, status = ?4, status_reason = ?5, peak_budget = ?6,
                max_drawdown = ?7, profit_reinvested = ?8, profit_withdrawn = ?9, supervisor_rejections = ?10, retired = ?11,
                updated_ns = ?12
            WHERE id = ?1
            """)
        updateModule = try RawStatement(connection: connection, sql: """
            UPDATE budget_modules SET declared_budget = ?2, status = ?3, status_reason = ?4, paused_until_ns = ?5, retired = ?6,
                updated_ns = ?7
            WHERE id = ?1
            """)
        updateAccount = try RawStatement(connection: connection, sql: """
            UPDATE budget_account SET name = ?1, declared_capital = ?2, declared_reserve = ?3, peak_capital = ?4, status = ?5,
                status_reason = ?6, updated_ns = ?7
            WHERE id = 1
            """)
        insertEvent = try RawStatement(connection: connection, sql: """
            INSERT INTO budget_events (at_ns, level, subject, title, message) VALUES (?, ?, ?, ?, ?)
            """)
        eventsAfter = try RawStatement(connection: connection, sql: """
            SELECT id, at_ns, level, subject, title, message FROM budget_events WHERE id > ? ORDER BY id
            """)
    }

    func insert(_ trade: BotTrade) throws {
        tradesInserted += 1
        latestTradeClosed = max(latestTradeClosed, trade.closedNanoseconds)
        var texts = TextArguments(capacity: 256)
        let row = insertTrade
        texts.bind(1, trade.bot)
        texts.bind(2, trade.module)
        texts.bind(3, trade.tradeUUID)
        texts.bind(4, trade.symbol)
        row.bind(5, trade.closedNanoseconds)
        row.bind(6, trade.pnl.units)
        row.bind(7, trade.budgetBefore.units)
        try row.run(texts)
    }

    func insert(_ decision: SupervisorDecision) throws {
        // Sorted keys: the same checks encode to the same bytes. No checks encode as "[]".
        let checks = decision.checks.isEmpty ? "[]" : String(decoding: try JSONEncoder.sorted.encode(decision.checks), as: UTF8.self)
        var texts = TextArguments(capacity: 256)
        let row = insertDecision
        texts.bind(1, decision.bot)
        row.bind(2, decision.decidedNanoseconds)
        texts.bind(3, decision.tradeUUID)
        texts.bind(4, decision.kind.rawValue)
        row.bind(5, decision.tradePnl.units)
        row.bind(6, decision.reinvested.units)
        row.bind(7, decision.toReserve.units)
        row.bind(8, decision.budgetBefore.units)
        row.bind(9, decision.budgetAfter.units)
        texts.bind(10, decision.reason)
        texts.bind(11, checks)
        try row.run(texts)
    }

    func save(_ bot: BotState, at now: Int64) throws {
        try save(updating: updateBot, orUpserting: saveBot) { row, texts in
            texts.bind(1, bot.id)
            texts.bind(2, bot.module)
            row.bind(3, bot.initialBudget.units)
            texts.bind(4, bot.pause.status.rawValue)
            texts.bind(5, bot.pause.reason)
            row.bind(6, bot.peakBudget.units)
            texts.bind(7, DecimalText.description(bot.maxDrawdown))
            row.bind(8, bot.profitReinvested.units)
            row.bind(9, bot.profitWithdrawn.units)
            row.bind(10, bot.supervisorRejections)
            row.bind(11, bot.retired)
            row.bind(12, now)
        }
    }

    func save(_ module: ModuleState, at now: Int64) throws {
        try save(updating: updateModule, orUpserting: saveModule) { row, texts in
            texts.bind(1, module.id)
            row.bind(2, module.declaredBudget.units)
            texts.bind(3, module.pause.status.rawValue)
            texts.bind(4, module.pause.reason)
            row.bind(5, module.pausedUntil)
            row.bind(6, module.retired)
            row.bind(7, now)
        }
    }

    func save(_ account: AccountState, at now: Int64) throws {
        try save(updating: updateAccount, orUpserting: saveAccount) { row, texts in
            texts.bind(1, account.name)
            row.bind(2, account.declaredCapital.units)
            row.bind(3, account.declaredReserve.units)
            row.bind(4, account.peakCapital.units)
            texts.bind(5, account.pause.status.rawValue)
            texts.bind(6, account.pause.reason)
            row.bind(7, now)
        }
    }

    /// Updates the row where it exists (SQLite does less for an UPDATE than for an upsert that
    /// meets its conflict), else runs the upsert. These rows are never deleted, and both
    /// statements set every column from the same parameters: the upsert's result either way.
    private func save(updating update: RawStatement, orUpserting upsert: RawStatement,
                      _ bind: (RawStatement, inout TextArguments) -> Void) throws {
        var texts = TextArguments(capacity: 256)
        bind(update, &texts)
        try update.run(texts)
        guard sqlite3_changes(connection) == 0 else { return }
        texts = TextArguments(capacity: 256)
        bind(upsert, &texts)
        try upsert.run(texts)
    }

    /// The event's id.
    @discardableResult
    func insert(_ event: BudgetEvent) throws -> Int64 {
        eventsInserted += 1
        var texts = TextArguments(capacity: 256)
        let row = insertEvent
        row.bind(1, event.atNanoseconds)
        texts.bind(2, event.level.rawValue)
        texts.bind(3, event.subject)
        texts.bind(4, event.title)
        texts.bind(5, event.message)
        try row.run(texts)
        return sqlite3_last_insert_rowid(connection)
    }

    /// The events after `id`, in id order, as BudgetStore.events(afterID:) reads them.
    func events(after id: Int64) throws -> [BudgetEvent] {
        eventsAfter.bind(1, id)
        return try eventsAfter.rows { row in
            BudgetEvent(id: row.int64(0), atNanoseconds: row.int64(1) ?? 0, level: NotificationLevel(rawValue: row.text(2) ?? "") ?? .info,
                        subject: row.text(3) ?? "", title: row.text(4) ?? "", message: row.text(5) ?? "")
        }
    }
}

import Foundation
import GRDB

/// Reads the budget tables (BudgetSchema) on a connection of the ledger file and writes the
/// approvals; the records settlements and operators change go through BudgetStatements.
enum BudgetStore {
    // MARK: Account

    static func account(_ db: Database) throws -> AccountState? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM budget_account WHERE id = 1")) else { return nil }
        return AccountState(name: row["name"], declaredCapital: Money(units: row["declared_capital"]),
                            declaredReserve: Money(units: row["declared_reserve"]), peakCapital: Money(units: row["peak_capital"]),
                            pause: pause(row))
    }


    // MARK: Modules and bots

    static func modules(_ db: Database) throws -> [ModuleState] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM budget_modules ORDER BY id")).map {
            ModuleState(id: $0["id"], declaredBudget: Money(units: $0["declared_budget"]), pause: pause($0),
                        pausedUntil: $0["paused_until_ns"], retired: $0["retired"])
        }
    }


    static func bots(_ db: Database) throws -> [BotState] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM budget_bots ORDER BY module, id")).map {
            BotState(id: $0["id"], module: $0["module"], initialBudget: Money(units: $0["initial_budget"]), pause: pause($0),
                     peakBudget: Money(units: $0["peak_budget"]), maxDrawdown: Decimal(string: $0["max_drawdown"]) ?? 0,
                     profitReinvested: Money(units: $0["profit_reinvested"]), profitWithdrawn: Money(units: $0["profit_withdrawn"]),
                     supervisorRejections: $0["supervisor_rejections"], retired: $0["retired"])
        }
    }


    static func placeholders(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }

    private static func pause(_ row: Row) -> PauseState {
        PauseState(status: OperatingStatus(rawValue: row["status"]) ?? .paused, reason: row["status_reason"])
    }

    // MARK: Trades, decisions, events


    static func trades(_ db: Database, bot: String? = nil) throws -> [BotTrade] {
        let filter = bot == nil ? "" : "WHERE bot = ?"
        return try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM bot_trades \(filter) ORDER BY id"),
                                arguments: bot.map { [$0] } ?? []).map {
            BotTrade(bot: $0["bot"], module: $0["module"], tradeUUID: $0["trade_uuid"], symbol: $0["symbol"],
                     closedNanoseconds: $0["closed_ns"], pnl: Money(units: $0["pnl"]), budgetBefore: Money(units: $0["budget_before"]))
        }
    }

    /// The latest close time of any trade; nil without trades.
    static func latestTradeClose(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(closed_ns) FROM bot_trades"))
    }

    /// Net result of trades closed in [from, to), per module.
    static func results(_ db: Database, from: Int64, to: Int64) throws -> [String: Money] {
        var result: [String: Money] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT module, SUM(pnl) AS pnl FROM bot_trades WHERE closed_ns >= ? AND closed_ns < ? GROUP BY module"),
                                    arguments: [from, to]) {
            result[row["module"]] = Money(units: row["pnl"])
        }
        return result
    }


    static func decisions(_ db: Database, bot: String) throws -> [SupervisorDecision] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM supervisor_decisions WHERE bot = ? ORDER BY id"), arguments: [bot]).map {
            let checks = (try? JSONDecoder().decode([SupervisorCheck].self, from: Data(($0["checks"] as String).utf8))) ?? []
            return SupervisorDecision(
                id: $0["id"], bot: $0["bot"], decidedNanoseconds: $0["decided_ns"], tradeUUID: $0["trade_uuid"],
                kind: SupervisorDecision.Kind(rawValue: $0["decision"]) ?? .rejected, tradePnl: Money(units: $0["trade_pnl"]),
                reinvested: Money(units: $0["reinvested"]), toReserve: Money(units: $0["to_reserve"]),
                budgetBefore: Money(units: $0["budget_before"]), budgetAfter: Money(units: $0["budget_after"]),
                reason: $0["reason"], checks: checks)
        }
    }


    static func events(_ db: Database, since: Int64 = .min, until: Int64 = .max, afterID: Int64 = 0, subjects: [String]? = nil,
                       level: NotificationLevel? = nil) throws -> [BudgetEvent] {
        var sql = "SELECT * FROM budget_events WHERE at_ns >= ? AND at_ns <= ? AND id > ?"
        var arguments: [DatabaseValueConvertible] = [since, until, afterID]
        if let subjects {
            sql += " AND subject IN (\(placeholders(subjects.count)))"
            arguments += subjects
        }
        if let level {
            sql += " AND level = ?"
            arguments.append(level.rawValue)
        }
        return try Row.fetchAll(db.cachedStatement(sql: sql + " ORDER BY id"), arguments: StatementArguments(arguments)).map {
            BudgetEvent(id: $0["id"], atNanoseconds: $0["at_ns"], level: NotificationLevel(rawValue: $0["level"]) ?? .info,
                        subject: $0["subject"], title: $0["title"], message: $0["message"])
        }
    }

    // MARK: Approvals

    static func insert(_ approval: Approval, _ db: Database) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO approvals (created_ns, expires_ns, bot, module, symbol, side, quantity, entry_price, stop_price,
                buying_power, risk, state, decided_ns, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [approval.createdNanoseconds, approval.expiresNanoseconds, approval.bot, approval.module,
                             approval.symbol, approval.side.rawValue, approval.quantity.units, "\(approval.entryPrice)",
                             "\(approval.stopPrice)", approval.buyingPower.units, approval.risk.units, approval.state.rawValue,
                             approval.decidedNanoseconds, approval.note])
        return db.lastInsertedRowID
    }

    static func approvals(_ db: Database, states: [ApprovalState]? = nil) throws -> [Approval] {
        var sql = "SELECT * FROM approvals"
        var arguments: [DatabaseValueConvertible] = []
        if let states {
            sql += " WHERE state IN (\(placeholders(states.count)))"
            arguments = states.map(\.rawValue)
        }
        return try Row.fetchAll(db.cachedStatement(sql: sql + " ORDER BY id"), arguments: StatementArguments(arguments)).map {
            Approval(id: $0["id"], createdNanoseconds: $0["created_ns"], expiresNanoseconds: $0["expires_ns"], bot: $0["bot"],
                     module: $0["module"], symbol: $0["symbol"], side: TradeSide(rawValue: $0["side"]) ?? .buy,
                     quantity: Quantity(units: $0["quantity"]), entryPrice: Decimal(string: $0["entry_price"]) ?? 0,
                     stopPrice: Decimal(string: $0["stop_price"]) ?? 0, buyingPower: Money(units: $0["buying_power"]),
                     risk: Money(units: $0["risk"]), state: ApprovalState(rawValue: $0["state"]) ?? .pending,
                     decidedNanoseconds: $0["decided_ns"], note: $0["note"])
        }
    }

    static func openApprovalCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM approvals WHERE state IN ('pending', 'approved')")) ?? 0
    }

    /// Moves an approval on; only from `from`, so two deciders cannot both win.
    static func decide(_ id: Int64, from: [ApprovalState], to: ApprovalState, note: String, _ db: Database, at now: Int64) throws -> Bool {
        try db.cachedStatement(sql: """
            UPDATE approvals SET state = ?, decided_ns = ?, note = ? WHERE id = ? AND state IN (\(placeholders(from.count)))
            """).execute(arguments: StatementArguments([to.rawValue, now, note, id] as [DatabaseValueConvertible] + from.map(\.rawValue)))
        return db.changesCount == 1
    }
}

extension JSONEncoder {
    /// Stable key order: the same record encodes to the same bytes.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

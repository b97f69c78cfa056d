import Foundation
import GRDB

/// What an operator does to the budgets from the CLI: pause and resume, the emergency stop.
/// Each action is recorded as an event; none moves money or touches open positions.
extension BudgetBook {
    public func pause(module id: String, reason: String = "paused by the operator", at now: Int64) throws {
        try refreshIfChanged()
        guard var module = modules[id], !module.retired else { throw BudgetError.unknownModule(id) }
        module.pause = PauseState(status: .paused, reason: reason)
        module.pausedUntil = nil
        try record(module: module, event: BudgetEvent(atNanoseconds: now, level: .warning, subject: id, title: "Module paused",
                                                      message: "module \(id) paused: \(reason); exits of open positions still run"), at: now)
    }

    public func resume(module id: String, at now: Int64) throws {
        try refreshIfChanged()
        guard var module = modules[id], !module.retired else { throw BudgetError.unknownModule(id) }
        module.pause = .active
        module.pausedUntil = nil
        try record(module: module, event: BudgetEvent(atNanoseconds: now, level: .info, subject: id, title: "Module resumed",
                                                      message: "module \(id) resumed by the operator"), at: now)
    }

    public func pause(bot id: String, reason: String = "paused by the operator", at now: Int64) throws {
        try refreshIfChanged()
        guard var bot = bots[id], !bot.retired else { throw BudgetError.unknownBot(id) }
        bot.pause = PauseState(status: .paused, reason: reason)
        try record(bot: bot, event: BudgetEvent(atNanoseconds: now, level: .warning, subject: id, title: "Bot paused",
                                                message: "bot \(id) paused: \(reason); exits of open positions still run"), at: now)
    }

    public func resume(bot id: String, at now: Int64) throws {
        try refreshIfChanged()
        guard var bot = bots[id], !bot.retired else { throw BudgetError.unknownBot(id) }
        bot.pause = .active
        try record(bot: bot, event: BudgetEvent(atNanoseconds: now, level: .info, subject: id, title: "Bot resumed",
                                                message: "bot \(id) resumed by the operator at budget \(budget(bot: id).exactDescription)"), at: now)
    }

    /// Pauses everything: no new entries anywhere until `releaseEmergencyStop`. A running
    /// session closes the riskiest positions the account declaration asks for.
    public func emergencyStop(reason: String = "by the operator", at now: Int64) throws {
        try refreshIfChanged()
        guard var account else { throw BudgetError.refused("the budgets have not been set up yet: run a session first") }
        account.pause = PauseState(status: .paused, reason: "emergency stop: \(reason)")
        let event = BudgetEvent(atNanoseconds: now, level: .critical, subject: "account", title: "Emergency stop",
                                message: "account \(account.name): every module paused, \(reason)")
        let state = account
        try writeState { db in
            try BudgetStore.save(state, db, at: now)
            try BudgetStore.insert(event, db)
        }
    }

    public func releaseEmergencyStop(at now: Int64) throws {
        try refreshIfChanged()
        guard var account, account.pause.isPaused else { throw BudgetError.refused("the account is not stopped") }
        account.pause = .active
        let event = BudgetEvent(atNanoseconds: now, level: .info, subject: "account", title: "Emergency stop released",
                                message: "account \(account.name): entries allowed again")
        let state = account
        try writeState { db in
            try BudgetStore.save(state, db, at: now)
            try BudgetStore.insert(event, db)
        }
    }

    private func record(module: ModuleState, event: BudgetEvent, at now: Int64) throws {
        try writeState { db in
            try BudgetStore.save(module, db, at: now)
            try BudgetStore.insert(event, db)
        }
    }

    private func record(bot: BotState, event: BudgetEvent, at now: Int64) throws {
        try writeState { db in
            try BudgetStore.save(bot, db, at: now)
            try BudgetStore.insert(event, db)
        }
    }
}

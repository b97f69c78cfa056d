import Foundation
import GRDB

/// What an operator does to the budgets from the CLI: pause and resume, the emergency stop.
/// Each action is recorded as an event; none moves money or touches open positions.
extension BudgetBook {
    public func pause(module id: String, reason: String = "paused by the operator", at now: Int64) throws {
        try setModule(id, PauseState(status: .paused, reason: reason), at: now, .warning, "Module paused",
                      "module \(id) paused: \(reason); exits of open positions still run")
    }

    public func resume(module id: String, at now: Int64) throws {
        try setModule(id, .active, at: now, .info, "Module resumed", "module \(id) resumed by the operator")
    }

    public func pause(bot id: String, reason: String = "paused by the operator", at now: Int64) throws {
        try setBot(id, PauseState(status: .paused, reason: reason), at: now, .warning, "Bot paused",
                   "bot \(id) paused: \(reason); exits of open positions still run")
    }

    public func resume(bot id: String, at now: Int64) throws {
        try setBot(id, .active, at: now, .info, "Bot resumed", "bot \(id) resumed by the operator at budget \(budget(bot: id).exactDescription)")
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
            try statements(db).save(state, at: now)
            try statements(db).insert(event)
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
            try statements(db).save(state, at: now)
            try statements(db).insert(event)
        }
    }

    /// An operator's pause or resume: the new state and its notification in one write.
    private func setModule(_ id: String, _ pause: PauseState, at now: Int64, _ level: NotificationLevel, _ title: String, _ message: String) throws {
        try refreshIfChanged()
        guard var module = modules[id], !module.retired else { throw BudgetError.unknownModule(id) }
        module.pause = pause
        module.pausedUntil = nil
        let state = module
        try writeState { db in
            try statements(db).save(state, at: now)
            try statements(db).insert(BudgetEvent(atNanoseconds: now, level: level, subject: id, title: title, message: message))
        }
    }

    private func setBot(_ id: String, _ pause: PauseState, at now: Int64, _ level: NotificationLevel, _ title: String, _ message: String) throws {
        try refreshIfChanged()
        guard var bot = bots[id], !bot.retired else { throw BudgetError.unknownBot(id) }
        bot.pause = pause
        let state = bot
        try writeState { db in
            try statements(db).save(state, at: now)
            try statements(db).insert(BudgetEvent(atNanoseconds: now, level: level, subject: id, title: title, message: message))
        }
    }
}

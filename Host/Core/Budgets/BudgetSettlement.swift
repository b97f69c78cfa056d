import Foundation
import GRDB

/// What one closed trade does to the budgets, ready to commit with the fill that closed it.
public struct BudgetSettlement {
    public let decision: SupervisorDecision
    public let transactions: [NewTransaction]
    public let events: [BudgetEvent]
    /// Set when the account's emergency stop fired on this trade.
    public let emergencyStop: Bool
    let state: (Database) throws -> Void
    /// The records `state` writes, as the book holds them once committed (no read back).
    let trade: BotTrade
    let bot: BotState
    let module: ModuleState?
    let account: AccountState?
}

extension BudgetBook {
    /// Settles a bot's closed trade (`pnl` net of fees and slippage): a loss comes out of the
    /// bot's budget; a profit goes to reserve, or into the budget when the bot compounds and the
    /// supervisor approves. Then the pause rules: the bot at 50% of its initial budget, the
    /// module past its daily loss limit, the account past its daily loss limit or drawdown.
    public func settle(bot id: String, tradeUUID: String, symbol: String, pnl: Money, vix: Double?, at now: Int64) throws -> BudgetSettlement {
        try refreshIfChanged()
        guard var bot = bots[id] else { throw BudgetError.unknownBot(id) }
        // A bot retired from the manifests while its position was open still settles that
        // trade, as a non-compounded bot of its module.
        let planned = plan.bot(id)
        let module = bot.module
        let before = budget(bot: id)
        let trade = BotTrade(bot: id, module: module, tradeUUID: tradeUUID, symbol: symbol, closedNanoseconds: now, pnl: pnl, budgetBefore: before)
        // The whole history is read only when the supervisor judges a compounded profit: it
        // grows with every trade, and the other branches do not need it.
        func performance() throws -> BotPerformance {
            let history = try ledger.read { try BudgetStore.trades($0, bot: id) } + [trade]
            return BotPerformance(trades: history, recentWindow: supervisor.policy.recentTrades)
        }
        let botAccount = ChartOfAccounts.bot(module: module, bot: id)
        let audit = TransactionAudit(module: module, bot: id, ticker: symbol, pnl: pnl, tradeUUID: tradeUUID)
        var transactions: [NewTransaction] = []
        var events: [BudgetEvent] = []
        var decision = SupervisorDecision(bot: id, decidedNanoseconds: now, tradeUUID: tradeUUID, kind: .loss, tradePnl: pnl,
                                          reinvested: .zero, toReserve: .zero, budgetBefore: before, budgetAfter: before,
                                          reason: "", checks: [])

        if pnl <= .zero {
            let loss = -pnl
            if loss > .zero {
                transactions.append(NewTransaction(kind: .budgetLoss, type: .other, postedNanoseconds: now,
                    memo: "bot \(id): loss \(loss.exactDescription) on \(symbol) charged to its budget", audit: audit,
                    entries: [.debit(ChartOfAccounts.accountCapital, loss), .credit(botAccount, loss)]))
            }
            decision.budgetAfter = before - loss
            decision.reason = loss > .zero ? "loss \(loss.exactDescription) reduces the budget" : "flat trade: the budget is unchanged"
        } else if planned?.bot.compounded != true {
            transactions.append(reserveTransfer(pnl, at: now, memo: "bot \(id): profit \(pnl.exactDescription) on \(symbol) to reserve (not compounded)", audit))
            decision.kind = .withdrawn
            decision.toReserve = pnl
            decision.reason = "bot is not compounded: profit to reserve"
            bot.profitWithdrawn = bot.profitWithdrawn + pnl
        } else {
            let since = now - Int64(supervisor.policy.criticalAlertHours) * 3_600_000_000_000
            let critical = try ledger.read { db in
                try BudgetStore.events(db, since: since, until: now, subjects: [id, module, "account"], level: .critical).count
            }
            let outcome = supervisor.evaluate(.init(
                profit: pnl, currentBudget: before, performance: try performance(), maxDrawdown: bot.maxDrawdown,
                maxBudgetCap: planned?.bot.maxBudgetCap, moduleBudget: modules[module]?.declaredBudget ?? .zero,
                moduleBotBudgets: botBudgets(module: module), vix: vix, criticalAlerts: critical))
            decision.kind = outcome.kind
            decision.reinvested = outcome.reinvest
            decision.toReserve = outcome.toReserve
            decision.checks = outcome.checks
            decision.reason = outcome.reason
            decision.budgetAfter = before + outcome.reinvest
            var entries: [LedgerEntry] = []
            if outcome.reinvest > .zero { entries.append(.debit(botAccount, outcome.reinvest)) }
            if outcome.toReserve > .zero { entries.append(.debit(ChartOfAccounts.reserveCash, outcome.toReserve)) }
            entries.append(.credit(ChartOfAccounts.accountCapital, pnl))
            transactions.append(NewTransaction(
                kind: outcome.reinvest > .zero ? .reinvestment : .reserveTransfer, type: .transfer, postedNanoseconds: now,
                memo: "bot \(id): profit \(pnl.exactDescription) on \(symbol): \(outcome.kind.rawValue), reinvested "
                    + "\(outcome.reinvest.exactDescription), to reserve \(outcome.toReserve.exactDescription)",
                audit: audit, entries: entries))
            bot.profitReinvested = bot.profitReinvested + outcome.reinvest
            bot.profitWithdrawn = bot.profitWithdrawn + outcome.toReserve
            if outcome.kind == .rejected {
                bot.supervisorRejections += 1
                events.append(BudgetEvent(atNanoseconds: now, level: .warning, subject: id, title: "Compounding rejected by supervisor",
                    message: "bot \(id): \(pnl.exactDescription) profit sent to reserve; budget stays \(before.exactDescription). \(outcome.reason)"))
            } else {
                events.append(BudgetEvent(atNanoseconds: now, level: .info, subject: id, title: "Compounding approved",
                    message: "bot \(id): reinvested \(outcome.reinvest.exactDescription), to reserve \(outcome.toReserve.exactDescription), "
                        + "budget \(before.exactDescription) -> \(decision.budgetAfter.exactDescription). \(outcome.reason)"))
            }
        }
        if decision.kind == .withdrawn {
            events.append(BudgetEvent(atNanoseconds: now, level: .info, subject: id, title: "Profit withdrawn to reserve",
                message: "bot \(id): \(pnl.exactDescription) to reserve; budget stays \(before.exactDescription)"))
        }

        // Drawdown from the budget's peak, and the bot's pause rule.
        let after = decision.budgetAfter
        bot.peakBudget = max(bot.peakBudget, after)
        if bot.peakBudget > .zero {
            bot.maxDrawdown = max(bot.maxDrawdown, MoneyRatio.quotient(bot.peakBudget - after, bot.peakBudget))
        }
        let floor = bot.initialBudget.times(plan.account.botPauseFraction)
        if after < floor, !bot.pause.isPaused {
            bot.pause = PauseState(status: .paused, reason: "budget \(after.exactDescription) fell below \(floor.exactDescription) "
                + "(\(plan.account.botPauseFraction) of initial \(bot.initialBudget.exactDescription))")
            events.append(BudgetEvent(atNanoseconds: now, level: .critical, subject: id, title: "Bot auto-paused",
                message: "bot \(id) paused: \(bot.pause.reason!). Review its configuration before resuming."))
        }

        // The module's and the account's day, in UTC, including this trade.
        let dayStart = now - now % 86_400_000_000_000
        var today = try results(day: dayStart)
        today[module, default: .zero] = today[module, default: .zero] + pnl
        var moduleState = modules[module]
        let moduleLoss = -(today[module] ?? .zero)
        if var state = moduleState, !state.pause.isPaused, let limit = planned?.module.declaration.dailyLossLimit, moduleLoss > limit {
            state.pause = PauseState(status: .paused, reason: "daily loss \(moduleLoss.exactDescription) beyond its limit "
                + "\(limit.exactDescription); resumes at the next UTC day")
            state.pausedUntil = dayStart + 86_400_000_000_000
            moduleState = state
            events.append(BudgetEvent(atNanoseconds: now, level: .warning, subject: module, title: "Module hit daily loss limit",
                                      message: "module \(module) paused: \(state.pause.reason!); other modules continue"))
        }
        var account = self.account
        var emergency = false
        if var state = account {
            let capitalAfter = accountCapital + pnl
            state.peakCapital = max(state.peakCapital, capitalAfter)
            let fall = state.peakCapital - capitalAfter
            let dayLoss = -today.values.reduce(Money.zero, +)
            var triggers: [String] = []
            if dayLoss > plan.account.dailyLossLimit {
                triggers.append("daily loss \(dayLoss.exactDescription) beyond \(plan.account.dailyLossLimit.exactDescription)")
            }
            // Without a peak the drawdown is 0; the quotient itself is printed only past the limit.
            let beyond = state.peakCapital > .zero ? MoneyRatio.exceeds(fall, state.peakCapital, plan.account.maxDrawdown)
                : Decimal(0) > plan.account.maxDrawdown
            if beyond {
                let drawdown = state.peakCapital > .zero ? MoneyRatio.quotient(fall, state.peakCapital) : 0
                triggers.append("drawdown \(DecimalText.format(drawdown, fractionDigits: 4)) beyond \(plan.account.maxDrawdown)")
            }
            if !triggers.isEmpty, !state.pause.isPaused {
                state.pause = PauseState(status: .paused, reason: "emergency stop: " + triggers.joined(separator: ", "))
                emergency = true
                events.append(BudgetEvent(atNanoseconds: now, level: .critical, subject: "account", title: "Emergency stop",
                                          message: "account \(state.name): every module paused, \(triggers.joined(separator: ", "))"))
            }
            account = state
        }
        if decision.reason.isEmpty { decision.reason = "settled" }
        let finalBot = bot, finalDecision = decision, finalEvents = events, finalModule = moduleState, finalAccount = account
        return BudgetSettlement(decision: decision, transactions: transactions, events: events, emergencyStop: emergency, state: { db in
            let statements = try self.statements(db)
            try statements.insert(trade)
            try statements.insert(finalDecision)
            try statements.save(finalBot, at: now)
            if let finalModule { try statements.save(finalModule, at: now) }
            if let finalAccount { try statements.save(finalAccount, at: now) }
            for event in finalEvents { try statements.insert(event) }
        }, trade: trade, bot: finalBot, module: finalModule, account: finalAccount)
    }

    /// Settles and commits on its own (when no fill commit carries it).
    @discardableResult
    public func settleAndCommit(bot: String, tradeUUID: String, symbol: String, pnl: Money, vix: Double?, at now: Int64) throws -> BudgetSettlement {
        let settlement = try settle(bot: bot, tradeUUID: tradeUUID, symbol: symbol, pnl: pnl, vix: vix, at: now)
        try commit(settlement.transactions, state: settlement.state)
        return settlement
    }

    private func reserveTransfer(_ amount: Money, at now: Int64, memo: String, _ audit: TransactionAudit) -> NewTransaction {
        NewTransaction(kind: .reserveTransfer, type: .transfer, postedNanoseconds: now, memo: memo, audit: audit,
                       entries: [.debit(ChartOfAccounts.reserveCash, amount), .credit(ChartOfAccounts.accountCapital, amount)])
    }
}

public enum BudgetError: Error, CustomStringConvertible {
    case unknownBot(String)
    case unknownModule(String)
    case refused(String)

    public var description: String {
        switch self {
        case .unknownBot(let id): return "no strategy bot '\(id)' in the budgets"
        case .unknownModule(let id): return "no module '\(id)' in the budgets"
        case .refused(let reason): return reason
        }
    }
}

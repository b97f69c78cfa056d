import Foundation
import GRDB

/// Brings the ledger in line with the declared plan: the first time it funds the account and
/// allocates every module and bot; later it posts only what the declarations changed
/// (a reallocation, a new or cloned bot, a retired module). Postings are transfers between
/// budget accounts; the state rows change in the same commit.
extension BudgetBook {
    /// `holdingBots` are bots with open positions: their budgets are not withdrawn under them.
    /// Returns one line per change made.
    @discardableResult
    public func synchronize(at now: Int64, holdingBots: Set<String> = []) throws -> [String] {
        try refreshIfChanged()
        let declared = plan.account
        try ledger.ensureAccounts(plan.modules.flatMap { ChartOfAccounts.budgetAccounts(module: $0.id, bots: $0.bots.map(\.id)) })
        var transactions: [NewTransaction] = []
        var lines: [String] = []
        var problems: [String] = []
        var account = self.account ?? AccountState(name: declared.name, declaredCapital: .zero, declaredReserve: .zero,
                                                   peakCapital: .zero, pause: .active)
        var modules = self.modules, bots = self.bots
        var freeByModule: [String: Money] = [:]
        func move(_ amount: Money, from: String, to: String, memo: String, module: String? = nil, bot: String? = nil) {
            guard amount != .zero else { return }
            let (debit, credit, value) = amount > .zero ? (to, from, amount) : (from, to, -amount)
            transactions.append(NewTransaction(kind: .allocation, type: .transfer, postedNanoseconds: now, memo: memo,
                                               audit: TransactionAudit(module: module, bot: bot),
                                               entries: [.debit(debit, value), .credit(credit, value)]))
        }

        // The account's capital: funded once, changed only when total_capital is edited.
        let capitalChange = declared.totalCapital - account.declaredCapital
        if capitalChange != .zero {
            move(capitalChange, from: ChartOfAccounts.accountCapital, to: ChartOfAccounts.reserveCash,
                 memo: account.declaredCapital == .zero ? "account \(declared.name): capital \(declared.totalCapital.exactDescription) declared"
                     : "account \(declared.name): capital changed by \(capitalChange.exactDescription)")
            lines.append("account capital \(account.declaredCapital) -> \(declared.totalCapital)")
            account.peakCapital = account.peakCapital + capitalChange
        }
        account.name = declared.name
        account.declaredCapital = declared.totalCapital
        account.declaredReserve = declared.reserveCash

        for planned in plan.modules {
            let id = planned.id
            var module = modules[id] ?? ModuleState(id: id, declaredBudget: .zero, pause: PauseState(status: planned.declaration.status, reason: nil),
                                                    pausedUntil: nil, retired: false)
            let change = planned.declaration.budget - module.declaredBudget
            var free = unassigned(module: id)
            if change < .zero, free + change < .zero {
                problems.append("\(planned.manifestFile): module '\(id)': cannot lower the budget by \((-change).exactDescription); "
                    + "only \(free.exactDescription) of it is not assigned to bots")
                continue
            }
            move(change, from: ChartOfAccounts.reserveCash, to: ChartOfAccounts.module(id),
                 memo: module.declaredBudget == .zero ? "module \(id): budget \(planned.declaration.budget.exactDescription) allocated"
                     : "module \(id): budget \(module.declaredBudget.exactDescription) -> \(planned.declaration.budget.exactDescription)",
                 module: id)
            if change != .zero { lines.append("module \(id) budget \(module.declaredBudget) -> \(planned.declaration.budget)") }
            free = free + change
            module.declaredBudget = planned.declaration.budget
            module.retired = false
            modules[id] = module

            for declaredBot in planned.bots {
                var bot = bots[declaredBot.id] ?? BotState(
                    id: declaredBot.id, module: id, initialBudget: .zero, pause: PauseState(status: declaredBot.status, reason: nil),
                    peakBudget: .zero, maxDrawdown: 0, profitReinvested: .zero, profitWithdrawn: .zero, supervisorRejections: 0, retired: false)
                let botChange = declaredBot.initialBudget - bot.initialBudget
                guard bot.module == id else {
                    problems.append("\(planned.manifestFile): bot '\(bot.id)' already belongs to module '\(bot.module)' in the books")
                    continue
                }
                if botChange > free {
                    problems.append("\(planned.manifestFile): bot '\(bot.id)': needs \(botChange.exactDescription) more but module '\(id)' "
                        + "has only \(free.exactDescription) unassigned")
                    continue
                }
                move(botChange, from: ChartOfAccounts.module(id), to: ChartOfAccounts.bot(module: id, bot: bot.id),
                     memo: bot.initialBudget == .zero ? "bot \(bot.id): initial budget \(declaredBot.initialBudget.exactDescription)"
                         : "bot \(bot.id): initial budget \(bot.initialBudget.exactDescription) -> \(declaredBot.initialBudget.exactDescription)",
                     module: id, bot: bot.id)
                if botChange != .zero { lines.append("bot \(bot.id) initial budget \(bot.initialBudget) -> \(declaredBot.initialBudget)") }
                free = free - botChange
                bot.initialBudget = declaredBot.initialBudget
                bot.peakBudget = max(bot.peakBudget + botChange, budget(bot: bot.id) + botChange)
                bot.retired = false
                bots[bot.id] = bot
            }
            freeByModule[id] = free
        }

        // Bots and modules no longer declared give their budgets back, unless they hold positions.
        let declaredBots = Set(plan.modules.flatMap { $0.bots.map(\.id) })
        for (id, bot) in bots.sorted(by: { $0.key < $1.key }) where !bot.retired && !declaredBots.contains(id) {
            if holdingBots.contains(id) {
                lines.append("bot \(id) is no longer declared but holds open positions; its budget stays until they close")
                continue
            }
            let amount = budget(bot: id)
            move(-amount, from: ChartOfAccounts.module(bot.module), to: ChartOfAccounts.bot(module: bot.module, bot: id),
                 memo: "bot \(id) retired: budget \(amount.exactDescription) back to module \(bot.module)", module: bot.module, bot: id)
            freeByModule[bot.module] = (freeByModule[bot.module] ?? unassigned(module: bot.module)) + amount
            bots[id]?.retired = true
            lines.append("bot \(id) retired: \(amount) back to module \(bot.module)")
        }
        let declaredModules = Set(plan.modules.map(\.id))
        for (id, module) in modules.sorted(by: { $0.key < $1.key }) where !module.retired && !declaredModules.contains(id) {
            if bots.values.contains(where: { $0.module == id && !$0.retired }) {
                lines.append("module \(id) is no longer declared but a bot still holds positions; its budget stays")
                continue
            }
            let amount = freeByModule[id] ?? unassigned(module: id)
            move(-amount, from: ChartOfAccounts.reserveCash, to: ChartOfAccounts.module(id),
                 memo: "module \(id) retired: \(amount.exactDescription) back to reserve", module: id)
            modules[id]?.retired = true
            modules[id]?.declaredBudget = .zero
            lines.append("module \(id) retired: \(amount) back to reserve")
        }
        guard problems.isEmpty else { throw BudgetPlanError(problems: problems) }
        let isNew = self.account == nil
        guard isNew || !transactions.isEmpty || account != self.account || modules != self.modules || bots != self.bots else { return [] }
        let finalAccount = account, finalModules = modules, finalBots = bots
        try commit(transactions) { db in
            let statements = try self.statements(db)
            try statements.save(finalAccount, at: now)
            for module in finalModules.values.sorted(by: { $0.id < $1.id }) { try statements.save(module, at: now) }
            for bot in finalBots.values.sorted(by: { $0.id < $1.id }) { try statements.save(bot, at: now) }
        }
        return lines
    }
}

import Foundation

/// The aggregated view of the seed's dashboard: the account, each module and each bot, with
/// what is used, what was made and where the money sits. Amounts are exact decimal text in
/// JSON; percentages have two decimals. Open positions are valued at book (what they cost):
/// the books hold no market prices between sessions.
public struct BudgetReport: Encodable, Equatable {
    public struct Account: Encodable, Equatable {
        public let name: String
        public let status: String
        public let statusReason: String?
        public let declaredCapital: String
        public let nav: String
        public let totalPnl: String
        public let totalPnlPct: String
        public let reserve: String
        public let reservePct: String
        public let allocated: String
        public let allocatedPct: String
        public let buyingPowerUsed: String
        public let buyingPowerUsedPct: String
        public let openPositions: Int
        public let pendingApprovals: Int
    }

    public struct Bot: Encodable, Equatable {
        public let id: String
        public let status: String
        public let statusReason: String?
        public let compounded: Bool
        public let autotrade: Bool
        public let symbols: [String]
        public let initialBudget: String
        public let currentBudget: String
        public let maxBudgetCap: String?
        public let used: String
        public let usedPct: String
        public let pnl: String
        public let pnlPct: String
        public let positions: Int
        public let trades: Int
        public let wins: Int
        public let losses: Int
        public let winRate: String?
        public let maxDrawdown: String
        public let profitReinvested: String
        public let profitWithdrawn: String
        public let supervisorRejections: Int
    }

    public struct Module: Encodable, Equatable {
        public let id: String
        public let status: String
        public let statusReason: String?
        public let budget: String
        public let capital: String
        public let used: String
        public let usedPct: String
        public let available: String
        public let pnl: String
        public let pnlPct: String
        public let positions: Int
        public let trades: Int
        public let winRate: String?
        public let maxRiskPerTrade: String
        public let dailyLossLimit: String
        public let autotrade: Bool
        public let bots: [Bot]
    }

    public struct Concentration: Encodable, Equatable {
        public let symbol: String
        public let value: String
        public let pctOfNav: String
    }

    public let account: Account
    public let modules: [Module]
    public let bestModule: String?
    public let worstModule: String?
    public let concentration: [Concentration]
    /// Reserve plus every module and bot budget equals the account's capital in the ledger.
    public let ledgerBalanced: Bool

    /// `book` holds the open positions (from the ledger); `approvals` the pending count.
    public init(budgets: BudgetBook, book: PositionBook, pendingApprovals: Int) throws {
        let plan = budgets.plan
        let trades = try budgets.trades()
        let capital = budgets.accountCapital
        let openByBot = book.openBuyingPowerByBot
        var positionsByBot: [String: Int] = [:]
        for holding in book.holdings.values { positionsByBot[holding.bot, default: 0] += 1 }
        let used = openByBot.values.reduce(Money.zero, +)
        let nav = capital
        let declared = budgets.accountState?.declaredCapital ?? plan.account.totalCapital
        let reserve = budgets.reserve
        let allocated = capital - reserve

        var modules: [Module] = []
        var moduleResults: [(String, Money)] = []
        for state in budgets.allModules() where !state.retired {
            let declaredModule = plan.module(state.id)?.declaration
            var bots: [Bot] = []
            var moduleUsed = Money.zero, moduleTrades: [BotTrade] = [], modulePositions = 0
            for bot in budgets.allBots() where bot.module == state.id && !bot.retired {
                let declaration = plan.bot(bot.id)?.bot
                let history = trades.filter { $0.bot == bot.id }
                let performance = BotPerformance(trades: history)
                let current = budgets.budget(bot: bot.id)
                let botUsed = openByBot[bot.id] ?? .zero
                moduleUsed = moduleUsed + botUsed
                moduleTrades += history
                modulePositions += positionsByBot[bot.id] ?? 0
                bots.append(Bot(
                    id: bot.id, status: bot.pause.status.rawValue, statusReason: bot.pause.reason,
                    compounded: declaration?.compounded ?? false, autotrade: declaration?.autotrade ?? false,
                    symbols: declaration?.symbols ?? [], initialBudget: bot.initialBudget.exactDescription,
                    currentBudget: current.exactDescription, maxBudgetCap: declaration?.maxBudgetCap?.exactDescription,
                    used: botUsed.exactDescription, usedPct: Self.percent(botUsed, of: current),
                    pnl: performance.totalPnl.exactDescription, pnlPct: Self.percent(performance.totalPnl, of: bot.initialBudget),
                    positions: positionsByBot[bot.id] ?? 0, trades: performance.trades, wins: performance.wins,
                    losses: performance.losses, winRate: performance.winRate.map { Self.percentText($0) },
                    maxDrawdown: Self.percentText(bot.maxDrawdown), profitReinvested: bot.profitReinvested.exactDescription,
                    profitWithdrawn: bot.profitWithdrawn.exactDescription, supervisorRejections: bot.supervisorRejections))
            }
            let moduleCapital = budgets.capital(module: state.id)
            let performance = BotPerformance(trades: moduleTrades.sorted { $0.closedNanoseconds < $1.closedNanoseconds })
            moduleResults.append((state.id, performance.totalPnl))
            modules.append(Module(
                id: state.id, status: state.pause.status.rawValue, statusReason: state.pause.reason,
                budget: state.declaredBudget.exactDescription, capital: moduleCapital.exactDescription,
                used: moduleUsed.exactDescription, usedPct: Self.percent(moduleUsed, of: moduleCapital),
                available: (moduleCapital - moduleUsed).exactDescription,
                pnl: performance.totalPnl.exactDescription, pnlPct: Self.percent(performance.totalPnl, of: state.declaredBudget),
                positions: modulePositions, trades: performance.trades, winRate: performance.winRate.map { Self.percentText($0) },
                maxRiskPerTrade: declaredModule?.maxRiskPerTrade.exactDescription ?? "",
                dailyLossLimit: declaredModule?.dailyLossLimit.exactDescription ?? "",
                autotrade: declaredModule?.autotrade ?? false, bots: bots))
        }
        let ranked = moduleResults.sorted { ($0.1, $1.0) > ($1.1, $0.0) }
        bestModule = ranked.first.map { "\($0.0) (\($0.1.exactDescription))" }
        worstModule = ranked.count > 1 ? ranked.last.map { "\($0.0) (\($0.1.exactDescription))" } : nil
        self.modules = modules

        var bySymbol: [String: Money] = [:]
        for (symbol, holding) in book.holdings { bySymbol[symbol] = Money(units: abs(holding.bookValue.units)) }
        concentration = bySymbol.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map {
            Concentration(symbol: $0.key, value: $0.value.exactDescription, pctOfNav: Self.percent($0.value, of: nav))
        }
        let state = budgets.accountState
        account = Account(
            name: state?.name ?? plan.account.name, status: state?.pause.status.rawValue ?? "ACTIVE", statusReason: state?.pause.reason,
            declaredCapital: declared.exactDescription, nav: nav.exactDescription,
            totalPnl: (capital - declared).exactDescription, totalPnlPct: Self.percent(capital - declared, of: declared),
            reserve: reserve.exactDescription, reservePct: Self.percent(reserve, of: capital),
            allocated: allocated.exactDescription, allocatedPct: Self.percent(allocated, of: capital),
            buyingPowerUsed: used.exactDescription, buyingPowerUsedPct: Self.percent(used, of: capital),
            openPositions: book.holdings.count, pendingApprovals: pendingApprovals)
        let invariant = try budgets.invariant()
        ledgerBalanced = invariant.parts == invariant.capital
    }

    /// part / whole as a percentage with two decimals ("0.00" when whole is zero).
    static func percent(_ part: Money, of whole: Money) -> String {
        whole == .zero ? "0.00" : DecimalText.format(part.decimal * 100 / whole.decimal, fractionDigits: 2)
    }

    static func percentText(_ fraction: Decimal) -> String { DecimalText.format(fraction * 100, fractionDigits: 2) }
}

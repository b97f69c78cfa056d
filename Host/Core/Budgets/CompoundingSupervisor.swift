import Foundation

/// The seed's 10-point checklist for reinvesting a compounded bot's profit. Pure: the same
/// inputs give the same decision, so every branch is tested directly.
public struct CompoundingSupervisor: Sendable {
    public let policy: SupervisorPolicy

    public init(policy: SupervisorPolicy) { self.policy = policy }

    public struct Input: Sendable {
        public var profit: Money
        public var currentBudget: Money
        /// The bot's record including the trade being settled.
        public var performance: BotPerformance
        /// Largest fall of the bot's budget from its peak so far (fraction).
        public var maxDrawdown: Decimal
        public var maxBudgetCap: Money?
        /// The module's declared budget and the sum of its bots' current budgets.
        public var moduleBudget: Money
        public var moduleBotBudgets: Money
        /// Latest VIX close when a VIX series is configured.
        public var vix: Double?
        /// CRITICAL events about this bot, its module or the account in the alert window.
        public var criticalAlerts: Int
    }

    public struct Outcome: Equatable, Sendable {
        public let kind: SupervisorDecision.Kind
        public let reinvest: Money
        public let toReserve: Money
        public let checks: [SupervisorCheck]
        public let reason: String
    }

    public func evaluate(_ input: Input) -> Outcome {
        let p = input.performance
        var checks: [SupervisorCheck] = []
        func check(_ name: String, _ passed: Bool?, _ value: String, _ rule: String) {
            checks.append(SupervisorCheck(name: name, result: passed.map { $0 ? .passed : .failed } ?? .skipped, value: value, rule: rule))
        }
        check("win_rate", (p.winRate ?? 0) > policy.minWinRate, Self.text(p.winRate), "> \(policy.minWinRate)")
        check("sharpe", p.sharpe.map { $0 > policy.minSharpe } ?? false,
              p.sharpe.map { "\($0)" } ?? "n/a (fewer than 2 trading days)", "> \(policy.minSharpe)")
        check("max_drawdown", input.maxDrawdown < policy.maxDrawdown, Self.text(input.maxDrawdown), "< \(policy.maxDrawdown)")
        check("trades", p.trades >= policy.minTrades, "\(p.trades)", ">= \(policy.minTrades)")
        check("profit_factor", p.profitFactor.map { $0 > policy.minProfitFactor } ?? (p.grossProfit > .zero),
              p.profitFactor.map { Self.text($0) } ?? "n/a (no losing trade)", "> \(policy.minProfitFactor)")
        check("recent_wins", p.recentWins >= policy.recentWins, "\(p.recentWins) of last \(min(p.trades, policy.recentTrades))",
              ">= \(policy.recentWins) of last \(policy.recentTrades)")

        // The increase rule splits rather than rejects: what fits is reinvested.
        let increaseLimit = Money(input.currentBudget.decimal * policy.maxBudgetIncrease)
        let increase = input.currentBudget > .zero ? input.profit.decimal / input.currentBudget.decimal : 1
        let fits = input.profit <= increaseLimit
        var reinvest = fits ? input.profit : max(.zero, increaseLimit)
        check("budget_increase", fits, Self.text(increase), "<= \(policy.maxBudgetIncrease) per trade (else partial)")
        // The cap comes before the module check: only what would really be reinvested counts.
        var capped = false
        if let cap = input.maxBudgetCap, input.currentBudget + reinvest > cap {
            reinvest = max(.zero, cap - input.currentBudget)
            capped = true
        }

        let moduleAfter = input.moduleBotBudgets + reinvest
        check("module_budget", moduleAfter <= input.moduleBudget,
              "bots \(moduleAfter.exactDescription) after", "<= module budget \(input.moduleBudget.exactDescription)")
        check("vix", input.vix.map { DecimalText.fromPrice($0) < policy.maxVIX },
              input.vix.map { "\(DecimalText.fromPrice($0))" } ?? "no VIX series configured", "< \(policy.maxVIX)")
        check("critical_alerts", input.criticalAlerts == 0, "\(input.criticalAlerts)", "0 in \(policy.criticalAlertHours) h")

        let failed = checks.filter { $0.result == .failed && $0.name != "budget_increase" }
        if !failed.isEmpty {
            return Outcome(kind: .rejected, reinvest: .zero, toReserve: input.profit, checks: checks,
                           reason: "failed " + failed.map(\.line).joined(separator: "; "))
        }
        var kind: SupervisorDecision.Kind = fits ? .approved : .approvedPartial
        var reason = fits ? "all checks passed" : "increase \(Self.text(increase)) above \(policy.maxBudgetIncrease): \(min(input.profit, increaseLimit).exactDescription) fits"
        if capped, let cap = input.maxBudgetCap {
            kind = .approvedCapped
            reason += "; budget capped at max_budget_cap \(cap.exactDescription)"
        }
        return Outcome(kind: kind, reinvest: reinvest, toReserve: input.profit - reinvest, checks: checks, reason: reason)
    }

    static func text(_ value: Decimal?) -> String {
        value.map { DecimalText.format($0, fractionDigits: 4) } ?? "n/a"
    }
}

import Foundation

/// The budget plan of a backtest: one strategy module trading the data's one symbol with the
/// whole starting cash. The declared amounts were chosen for the declared capital, so they are
/// scaled to the backtest's cash: the account's daily loss limit by cash / total_capital, the
/// module's max_risk_per_trade and daily_loss_limit by cash / module budget (rounded down to
/// the cent). Percentages, pause fractions and the supervisor's checklist are used as declared.
/// One bot, `<strategy>_backtest`, owns the module's whole budget, with the module's autotrade.
public enum BacktestPlan {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func make(account: AccountDeclaration, strategy: Manifest, symbol: String, cash: Money) throws -> BudgetPlan {
        guard strategy.kind == .strategy else {
            throw Failure(description: "\(strategy.file): '\(strategy.id)' is a \(strategy.kind.rawValue) plugin, not a strategy")
        }
        guard let module = strategy.module else {
            throw Failure(description: "\(strategy.file): strategy '\(strategy.id)' declares no [module]; a backtest takes its limits from it")
        }
        guard cash > .zero else { throw Failure(description: "the starting cash must be greater than 0, not \(cash)") }
        func scaled(_ amount: Money, by base: Money) -> Money {
            guard base > .zero else { return amount }
            return Money(amount.decimal * cash.decimal / base.decimal, roundingDown: true).wholeCents
        }
        let backtestAccount = AccountDeclaration(
            file: account.file, name: "\(account.name) (backtest)", totalCapital: cash, reserveCash: .zero,
            dailyLossLimit: scaled(account.dailyLossLimit, by: account.totalCapital), maxDrawdown: account.maxDrawdown,
            closeRiskiestOnEmergency: account.closeRiskiestOnEmergency, approvalExpiryMinutes: account.approvalExpiryMinutes,
            botPauseFraction: account.botPauseFraction, supervisor: account.supervisor)
        let backtestModule = ModuleDeclaration(
            budget: cash, maxRiskPerTrade: scaled(module.maxRiskPerTrade, by: module.budget),
            dailyLossLimit: scaled(module.dailyLossLimit, by: module.budget), autotrade: module.autotrade, status: .active)
        let bot = BotDeclaration(id: "\(strategy.id)_backtest", symbols: [symbol], initialBudget: cash, maxBudgetCap: nil,
                                 compounded: false, autotrade: module.autotrade, status: .active, parameters: [])
        let manifest = Manifest(file: strategy.file, id: strategy.id, library: strategy.library, kind: .strategy, enabled: true,
                                parameters: strategy.parameters, module: backtestModule, bots: [bot])
        switch BudgetPlan.build(account: backtestAccount, manifests: [manifest]) {
        case .success(let plan): return plan
        case .failure(let error): throw Failure(description: error.description)
        }
    }
}

extension Money {
    /// Rounded down to a whole cent.
    var wholeCents: Money { Money(units: units - units % 100) }
}

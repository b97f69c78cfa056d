import Foundation
import XCTest
@testable import TBotCore

/// account.toml parsing, and the budget plan built from the account and the strategy manifests.
final class BudgetPlanTests: XCTestCase {
    private func money(_ text: String) -> Money { Money(text: text)! }

    private func accountIssues(_ text: String) -> [String] {
        switch AccountManifestParser.parse(text: text, file: "account.toml") {
        case .success: return []
        case .failure(let error): return error.allLines
        }
    }

    private let fullAccount = """
        # The trading account.
        [account]
        name = "Paper account"
        total_capital = "100000.00"
        reserve_cash = "40000.00"
        daily_loss_limit = "2000.00"
        max_drawdown = 0.12
        close_riskiest_on_emergency = 2
        approval_expiry_minutes = 30
        bot_pause_fraction = 0.4

        [supervisor]
        min_win_rate = 0.65
        min_sharpe = 1.2
        max_drawdown = 0.10
        min_trades = 20
        min_profit_factor = 2
        recent_trades = 8
        recent_wins = 5
        max_budget_increase = 0.25
        max_vix = 28.5
        critical_alert_hours = 12
        """

    private let minimalAccount = """
        [account]
        name = "Small"
        total_capital = 10000
        reserve_cash = "2500.50"
        daily_loss_limit = 300.25
        """

    // MARK: account.toml

    func testFullAccountDeclaration() throws {
        let account = try AccountManifestParser.parse(text: fullAccount, file: "manifests/account.toml").get()
        XCTAssertEqual(account.file, "manifests/account.toml")
        XCTAssertEqual(account.name, "Paper account")
        XCTAssertEqual(account.totalCapital, Money(units: 1_000_000_000))
        XCTAssertEqual(account.reserveCash, money("40000.00"))
        XCTAssertEqual(account.dailyLossLimit, money("2000.00"))
        XCTAssertEqual(account.maxDrawdown, Decimal(string: "0.12"))
        XCTAssertEqual(account.closeRiskiestOnEmergency, 2)
        XCTAssertEqual(account.approvalExpiryMinutes, 30)
        XCTAssertEqual(account.botPauseFraction, Decimal(string: "0.4"))
        let policy = account.supervisor
        XCTAssertEqual(policy.minWinRate, Decimal(string: "0.65"))
        XCTAssertEqual(policy.minSharpe, Decimal(string: "1.2"))
        XCTAssertEqual(policy.maxDrawdown, Decimal(string: "0.1"))
        XCTAssertEqual(policy.minTrades, 20)
        XCTAssertEqual(policy.minProfitFactor, 2)
        XCTAssertEqual(policy.recentTrades, 8)
        XCTAssertEqual(policy.recentWins, 5)
        XCTAssertEqual(policy.maxBudgetIncrease, Decimal(string: "0.25"))
        XCTAssertEqual(policy.maxVIX, Decimal(string: "28.5"))
        XCTAssertEqual(policy.criticalAlertHours, 12)
    }

    func testBundledAccountShapeParses() throws {
        // The shape of manifests/account.toml, with the seed's values written out.
        let seed = fullAccount
            .replacingOccurrences(of: "max_drawdown = 0.12", with: "max_drawdown = 0.15")
            .replacingOccurrences(of: "approval_expiry_minutes = 30", with: "approval_expiry_minutes = 60")
            .replacingOccurrences(of: "bot_pause_fraction = 0.4", with: "bot_pause_fraction = 0.5")
        let supervisor = """
            [supervisor]
            min_win_rate = 0.60
            min_sharpe = 1.0
            max_drawdown = 0.15
            min_trades = 10
            min_profit_factor = 1.5
            recent_trades = 5
            recent_wins = 3
            max_budget_increase = 0.20
            max_vix = 30
            critical_alert_hours = 24
            """
        let text = seed.components(separatedBy: "[supervisor]")[0] + supervisor
        let account = try AccountManifestParser.parse(text: text, file: "account.toml").get()
        XCTAssertEqual(account, AccountDeclaration(file: "account.toml", name: "Paper account", totalCapital: money("100000.00"),
                                                   reserveCash: money("40000.00"), dailyLossLimit: money("2000.00"),
                                                   closeRiskiestOnEmergency: 2))
        XCTAssertEqual(account.supervisor, SupervisorPolicy())
    }

    func testDefaultsForOptionalKeys() throws {
        let account = try AccountManifestParser.parse(text: minimalAccount, file: "account.toml").get()
        XCTAssertEqual(account.name, "Small")
        XCTAssertEqual(account.totalCapital, money("10000.00"))
        XCTAssertEqual(account.reserveCash, money("2500.50"))
        XCTAssertEqual(account.dailyLossLimit, money("300.25"))
        XCTAssertEqual(account.maxDrawdown, Decimal(string: "0.15"))
        XCTAssertEqual(account.approvalExpiryMinutes, 60)
        XCTAssertEqual(account.botPauseFraction, Decimal(string: "0.5"))
        XCTAssertEqual(account.closeRiskiestOnEmergency, 0)
        XCTAssertEqual(account.supervisor, SupervisorPolicy())
        XCTAssertEqual(account.supervisor.minWinRate, Decimal(string: "0.60"))
        XCTAssertEqual(account.supervisor.minSharpe, 1)
        XCTAssertEqual(account.supervisor.maxDrawdown, Decimal(string: "0.15"))
        XCTAssertEqual(account.supervisor.minTrades, 10)
        XCTAssertEqual(account.supervisor.minProfitFactor, Decimal(string: "1.5"))
        XCTAssertEqual(account.supervisor.recentTrades, 5)
        XCTAssertEqual(account.supervisor.recentWins, 3)
        XCTAssertEqual(account.supervisor.maxBudgetIncrease, Decimal(string: "0.20"))
        XCTAssertEqual(account.supervisor.maxVIX, 30)
        XCTAssertEqual(account.supervisor.criticalAlertHours, 24)
    }

    func testPartialSupervisorTableKeepsTheOtherDefaults() throws {
        let account = try AccountManifestParser.parse(text: minimalAccount + "\n[supervisor]\nmin_trades = 25\nmax_vix = 40\n",
                                                      file: "account.toml").get()
        var expected = SupervisorPolicy()
        expected.minTrades = 25
        expected.maxVIX = 40
        XCTAssertEqual(account.supervisor, expected)
    }

    func testMissingAccountTable() {
        XCTAssertEqual(accountIssues("[supervisor]\nmin_trades = 10\n"), [
            "account.toml: key 'account': missing; expected an [account] table with name, total_capital, reserve_cash and daily_loss_limit",
        ])
    }

    func testMissingRequiredAccountKeys() {
        XCTAssertEqual(accountIssues("[account]\nname = \"A\"\nreserve_cash = 0\n"), [
            "account.toml:1: key 'account.total_capital': missing; expected an amount such as \"2500.00\" or 2500",
            "account.toml:1: key 'account.daily_loss_limit': missing; expected an amount such as \"2500.00\" or 2500",
        ])
    }

    func testReserveAboveCapital() {
        let text = minimalAccount.replacingOccurrences(of: "reserve_cash = \"2500.50\"", with: "reserve_cash = \"10000.01\"")
        XCTAssertEqual(accountIssues(text), [
            "account.toml:4: key 'account.reserve_cash': 10000.01 is more than total_capital 10000.00",
        ])
    }

    func testMaxDrawdownOutOfRange() {
        XCTAssertEqual(accountIssues(minimalAccount + "\nmax_drawdown = 1.5\n"), [
            "account.toml:6: key 'account.max_drawdown': 1.5 is out of range; expected a fraction above 0 and at most 1 such as 0.15",
        ])
    }

    func testUnknownKeys() {
        XCTAssertEqual(accountIssues(minimalAccount + "\nmax_drawdwn = 0.1\n\n[extra]\na = 1\n"), [
            "account.toml:8: key 'extra': unknown key; expected one of account, supervisor",
            "account.toml:6: key 'account.max_drawdwn': unknown key; expected one of approval_expiry_minutes, bot_pause_fraction, "
                + "close_riskiest_on_emergency, daily_loss_limit, max_drawdown, name, reserve_cash, total_capital",
        ])
    }

    func testUnknownSupervisorKey() {
        XCTAssertEqual(accountIssues(minimalAccount + "\n[supervisor]\nmin_sharp = 1\n"), [
            "account.toml:7: key 'supervisor.min_sharp': unknown key; expected one of critical_alert_hours, max_budget_increase, "
                + "max_drawdown, max_vix, min_profit_factor, min_sharpe, min_trades, min_win_rate, recent_trades, recent_wins",
        ])
    }

    func testRecentWinsAboveRecentTrades() {
        XCTAssertEqual(accountIssues(minimalAccount + "\n[supervisor]\nrecent_trades = 4\nrecent_wins = 5\n"), [
            "account.toml:8: key 'supervisor.recent_wins': 5 is more than recent_trades 4",
        ])
    }

    func testSupervisorValuesOutOfRange() {
        XCTAssertEqual(accountIssues(minimalAccount + "\n[supervisor]\nmin_trades = -1\nmax_budget_increase = 0\nmin_sharpe = \"high\"\n"), [
            "account.toml:9: key 'supervisor.min_sharpe': expected a number of at least 0 such as 1.0, got string \"high\"",
            "account.toml:7: key 'supervisor.min_trades': -1 is out of range; expected a whole number from 0 to 100000",
            "account.toml:8: key 'supervisor.max_budget_increase': 0 is out of range; expected a fraction above 0 and at most 1 such as 0.20",
        ])
    }

    // MARK: Budget plan

    private let account = AccountDeclaration(file: "manifests/account.toml", name: "Paper", totalCapital: Money(text: "10000.00")!,
                                             reserveCash: Money(text: "4000.00")!, dailyLossLimit: Money(text: "500.00")!)

    private struct Bot {
        var id: String
        var initial: String
        var cap: String?
        var params = ""
    }

    /// A strategy manifest's text; `module` nil leaves the [module] table out.
    private func strategyText(_ id: String, enabled: Bool = true, module: String? = "3000.00", risk: String = "100.00",
                              bots: [Bot], params: String = "fast = 5\nslow = 20\n") -> String {
        var text = "id = \"\(id)\"\nlibrary = \"lib\(id).so\"\nkind = \"strategy\"\nenabled = \(enabled)\n\n[params]\n\(params)"
        if let module {
            text += "\n[module]\nbudget = \"\(module)\"\nmax_risk_per_trade = \"\(risk)\"\ndaily_loss_limit = \"300.00\"\nautotrade = true\n"
        }
        for bot in bots {
            text += "\n[[bots]]\nid = \"\(bot.id)\"\nsymbols = [\"SPY\"]\ninitial_budget = \"\(bot.initial)\"\n"
            if let cap = bot.cap { text += "max_budget_cap = \"\(cap)\"\n" }
            text += "compounded = true\nautotrade = true\n"
            if !bot.params.isEmpty { text += "\n[bots.params]\n\(bot.params)" }
        }
        return text
    }

    private func manifest(_ text: String, file: String) throws -> Manifest {
        try ManifestParser.parse(text: text, file: file).get()
    }

    private func problems(_ manifests: [Manifest]) -> [String] {
        switch BudgetPlan.build(account: account, manifests: manifests) {
        case .success: return []
        case .failure(let error): return error.problems
        }
    }

    /// Two modules, 3000.00 and 3000.00, plus reserve 4000.00 = 10000.00.
    private func validManifests() throws -> [Manifest] {
        [
            try manifest(strategyText("alpha", bots: [Bot(id: "alpha_spy", initial: "1000.00", cap: "2000.00", params: "slow = 40\nextra = \"x\"\n"),
                                                      Bot(id: "alpha_qqq", initial: "1500.00")]), file: "m/alpha.toml"),
            try manifest(strategyText("beta", bots: [Bot(id: "beta_spy", initial: "3000.00", cap: "3000.00")]), file: "m/beta.toml"),
            try manifest("id = \"band\"\nlibrary = \"libband.so\"\nkind = \"filter\"\nenabled = true\n", file: "m/band.toml"),
        ]
    }

    func testValidPlan() throws {
        let plan = try BudgetPlan.build(account: account, manifests: validManifests()).get()
        XCTAssertEqual(plan.account, account)
        XCTAssertEqual(plan.modules.map(\.id), ["alpha", "beta"])
        XCTAssertEqual(plan.modules.map(\.manifestFile), ["m/alpha.toml", "m/beta.toml"])
        XCTAssertEqual(plan.module("alpha")?.declaration.budget, money("3000.00"))
        XCTAssertEqual(plan.module("alpha")?.declaration.maxRiskPerTrade, money("100.00"))
        XCTAssertEqual(plan.module("alpha")?.strategyParameters, [.init(key: "fast", value: "5"), .init(key: "slow", value: "20")])
        XCTAssertEqual(plan.module("alpha")?.bots.map(\.id), ["alpha_spy", "alpha_qqq"])
        XCTAssertNil(plan.module("band"))
        let found = try XCTUnwrap(plan.bot("beta_spy"))
        XCTAssertEqual(found.module.id, "beta")
        XCTAssertEqual(found.bot.initialBudget, money("3000.00"))
        XCTAssertEqual(found.bot.maxBudgetCap, money("3000.00"))
        XCTAssertNil(plan.bot("gamma_spy"))
    }

    func testModuleBudgetsAndReserveMustEqualCapital() throws {
        let manifests = [
            try manifest(strategyText("alpha", bots: [Bot(id: "alpha_spy", initial: "1000.00")]), file: "m/alpha.toml"),
            try manifest(strategyText("beta", module: "2500.50", bots: [Bot(id: "beta_spy", initial: "1000.00")]), file: "m/beta.toml"),
        ]
        XCTAssertEqual(problems(manifests), [
            "manifests/account.toml: account.total_capital 10000.00 must equal the module budgets 5500.50 "
                + "(alpha 3000.00, beta 2500.50) plus reserve_cash 4000.00 = 9500.50",
        ])
    }

    func testNoEnabledModulesIsNamedInTheSumMessage() {
        XCTAssertEqual(problems([]), [
            "manifests/account.toml: account.total_capital 10000.00 must equal the module budgets 0.00 "
                + "(no enabled strategy modules) plus reserve_cash 4000.00 = 4000.00",
        ])
    }

    func testDisabledStrategyIsNotCounted() throws {
        var manifests = try validManifests()
        manifests.append(try manifest(strategyText("gamma", enabled: false, module: "5000.00",
                                                   bots: [Bot(id: "gamma_spy", initial: "9000.00")]), file: "m/gamma.toml"))
        manifests.append(try manifest(strategyText("delta", enabled: false, module: nil, bots: []), file: "m/delta.toml"))
        let plan = try BudgetPlan.build(account: account, manifests: manifests).get()
        XCTAssertEqual(plan.modules.map(\.id), ["alpha", "beta"])
        XCTAssertNil(plan.bot("gamma_spy"))
    }

    func testBotBudgetsExceedModuleBudget() throws {
        var manifests = try validManifests()
        manifests[1] = try manifest(strategyText("beta", bots: [Bot(id: "beta_spy", initial: "2000.00"),
                                                                Bot(id: "beta_qqq", initial: "1000.01")]), file: "m/beta.toml")
        XCTAssertEqual(problems(manifests), [
            "m/beta.toml: module 'beta': bot budgets 3000.01 (beta_spy 2000.00 + beta_qqq 1000.01) exceed module budget 3000.00",
        ])
    }

    func testEnabledStrategyWithoutModule() throws {
        var manifests = try validManifests()
        manifests.append(try manifest(strategyText("gamma", module: nil, bots: []), file: "m/gamma.toml"))
        XCTAssertEqual(problems(manifests), [
            "m/gamma.toml: strategy 'gamma' is enabled but declares no [module] budget; add one with its [[bots]], or disable it",
        ])
    }

    func testModuleWithoutBots() throws {
        var manifests = try validManifests()
        manifests[1] = try manifest(strategyText("beta", bots: []), file: "m/beta.toml")
        XCTAssertEqual(problems(manifests), ["m/beta.toml: module 'beta' declares no [[bots]]; add at least one strategy bot"])
    }

    func testDuplicateBotIdAcrossManifests() throws {
        var manifests = try validManifests()
        manifests[1] = try manifest(strategyText("beta", bots: [Bot(id: "alpha_qqq", initial: "1000.00")]), file: "m/beta.toml")
        XCTAssertEqual(problems(manifests), ["m/beta.toml: bot 'alpha_qqq': id already used by a bot in m/alpha.toml"])
    }

    func testMaxBudgetCapAboveModuleBudget() throws {
        var manifests = try validManifests()
        manifests[1] = try manifest(strategyText("beta", bots: [Bot(id: "beta_spy", initial: "1000.00", cap: "3000.01")]), file: "m/beta.toml")
        XCTAssertEqual(problems(manifests), [
            "m/beta.toml: bot 'beta_spy': max_budget_cap 3000.01 is above module budget 3000.00",
        ])
    }

    func testMaxRiskPerTradeAboveModuleBudget() throws {
        var manifests = try validManifests()
        manifests[1] = try manifest(strategyText("beta", risk: "3500.00", bots: [Bot(id: "beta_spy", initial: "1000.00")]), file: "m/beta.toml")
        XCTAssertEqual(problems(manifests), [
            "m/beta.toml: module 'beta': max_risk_per_trade 3500.00 is above its budget 3000.00",
        ])
    }

    func testEveryProblemIsReportedTogether() throws {
        let manifests = [
            try manifest(strategyText("alpha", bots: [Bot(id: "alpha_spy", initial: "3500.00")]), file: "m/alpha.toml"),
            try manifest(strategyText("beta", module: nil, bots: []), file: "m/beta.toml"),
        ]
        XCTAssertEqual(problems(manifests), [
            "m/alpha.toml: module 'alpha': bot budgets 3500.00 (alpha_spy 3500.00) exceed module budget 3000.00",
            "m/beta.toml: strategy 'beta' is enabled but declares no [module] budget; add one with its [[bots]], or disable it",
            "manifests/account.toml: account.total_capital 10000.00 must equal the module budgets 3000.00 "
                + "(alpha 3000.00) plus reserve_cash 4000.00 = 7000.00",
        ])
    }

    func testParametersMergeWithBotOverridesSortedByKey() throws {
        let plan = try BudgetPlan.build(account: account, manifests: validManifests()).get()
        let alpha = try XCTUnwrap(plan.module("alpha"))
        XCTAssertEqual(alpha.bots[0].parameters, [.init(key: "extra", value: "x"), .init(key: "slow", value: "40")])
        XCTAssertEqual(BudgetPlan.parameters(strategy: alpha.strategyParameters, bot: alpha.bots[0]),
                       [.init(key: "extra", value: "x"), .init(key: "fast", value: "5"), .init(key: "slow", value: "40")])
        XCTAssertEqual(BudgetPlan.parameters(strategy: alpha.strategyParameters, bot: alpha.bots[1]),
                       [.init(key: "fast", value: "5"), .init(key: "slow", value: "20")])
    }

    func testParametersWithoutStrategyParams() {
        let bot = BotDeclaration(id: "b", symbols: ["SPY"], initialBudget: money("1.00"), maxBudgetCap: nil, compounded: false,
                                 autotrade: true, status: .active,
                                 parameters: [.init(key: "z", value: "1"), .init(key: "a", value: "2")])
        XCTAssertEqual(BudgetPlan.parameters(strategy: [], bot: bot), [.init(key: "a", value: "2"), .init(key: "z", value: "1")])
    }
}

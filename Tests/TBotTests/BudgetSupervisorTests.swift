import Foundation
import XCTest
@testable import TBotCore

/// The compounding supervisor's checklist, one check at a time, on hand-built trade histories,
/// and the performance figures it reads.
final class BudgetSupervisorTests: XCTestCase {
    private let supervisor = CompoundingSupervisor(policy: SupervisorPolicy())
    private static let nanosecondsPerDay: Int64 = 86_400_000_000_000
    private static let nanosecondsPerHour: Int64 = 3_600_000_000_000
    /// A UTC day number in 2024; every history starts here.
    private static let firstDay: Int64 = 19_800

    private func money(_ text: String) -> Money { Money(text: text)! }

    /// Trades of one bot: `days[d]` holds the whole-dollar results closed on UTC day `d`, in
    /// order, one hour apart. `bases[d]` (default 1000.00) is the budget before the day's first close.
    private func history(_ days: [[Int64]], bases: [Money]? = nil) -> [BotTrade] {
        var trades: [BotTrade] = []
        for (day, results) in days.enumerated() {
            let base = bases?[day] ?? money("1000.00")
            var budget = base
            for (index, dollars) in results.enumerated() {
                let pnl = Money(units: dollars * Money.scale)
                let closed = (Self.firstDay + Int64(day)) * Self.nanosecondsPerDay + Int64(index + 1) * Self.nanosecondsPerHour
                trades.append(BotTrade(bot: "bot_a", module: "mod_a", tradeUUID: "t\(trades.count + 1)", symbol: "SPY",
                                       closedNanoseconds: closed, pnl: pnl, budgetBefore: budget))
                budget = budget + pnl
            }
        }
        return trades
    }

    /// 12 trades over 4 UTC days: 10 wins of 10.00, 2 losses of 5.00, 4 wins in the last 5,
    /// daily returns 0.015, 0.03, 0.015, 0.03 (positive mean, some variance).
    private var passingDays: [[Int64]] { [[10, 10, -5], [10, 10, 10], [10, -5, 10], [10, 10, 10]] }

    private func performance(_ days: [[Int64]], bases: [Money]? = nil) -> BotPerformance {
        BotPerformance(trades: history(days, bases: bases), recentWindow: 5)
    }

    /// Inputs that pass every check: budget 1000.00, profit 100.00 (10%), a module with room.
    private func input(_ days: [[Int64]]? = nil, bases: [Money]? = nil, profit: String = "100.00",
                       budget: String = "1000.00") -> CompoundingSupervisor.Input {
        CompoundingSupervisor.Input(profit: money(profit), currentBudget: money(budget),
                                    performance: performance(days ?? passingDays, bases: bases),
                                    maxDrawdown: Decimal(string: "0.05")!, maxBudgetCap: nil,
                                    moduleBudget: money("5000.00"), moduleBotBudgets: money("3000.00"),
                                    vix: nil, criticalAlerts: 0)
    }

    private func failedNames(_ outcome: CompoundingSupervisor.Outcome) -> [String] {
        outcome.checks.filter { $0.result == .failed }.map(\.name)
    }

    private static let checkNames = ["win_rate", "sharpe", "max_drawdown", "trades", "profit_factor", "recent_wins",
                                     "budget_increase", "module_budget", "vix", "critical_alerts"]

    /// A rejection: nothing reinvested, the whole profit to reserve, and only `name` failed.
    private func assertRejectedBy(_ name: String, _ input: CompoundingSupervisor.Input,
                                  file: StaticString = #filePath, line: UInt = #line) {
        let outcome = supervisor.evaluate(input)
        XCTAssertEqual(outcome.kind, .rejected, outcome.reason, file: file, line: line)
        XCTAssertEqual(outcome.reinvest, .zero, file: file, line: line)
        XCTAssertEqual(outcome.toReserve, input.profit, file: file, line: line)
        XCTAssertEqual(failedNames(outcome), [name], outcome.checks.map(\.line).joined(separator: "\n"), file: file, line: line)
        let failed = outcome.checks.first { $0.name == name }
        XCTAssertTrue(outcome.reason.hasPrefix("failed \(name) "), outcome.reason, file: file, line: line)
        XCTAssertTrue(outcome.reason.hasSuffix("): failed"), outcome.reason, file: file, line: line)
        XCTAssertEqual(outcome.reason, "failed " + (failed?.line ?? "?"), file: file, line: line)
    }

    // MARK: Approvals

    func testPassingHistoryIsWhatTheHelperSays() {
        let p = performance(passingDays)
        XCTAssertEqual(p.trades, 12)
        XCTAssertEqual(p.wins, 10)
        XCTAssertEqual(p.losses, 2)
        XCTAssertEqual(p.totalPnl, money("90.00"))
        XCTAssertEqual(p.grossProfit, money("100.00"))
        XCTAssertEqual(p.grossLoss, money("10.00"))
        XCTAssertEqual(p.recentWins, 4)
        XCTAssertEqual(p.recentWindow, 5)
        let sharpe = try? XCTUnwrap(p.sharpe)
        XCTAssertGreaterThan(sharpe ?? 0, 1)
    }

    func testAllChecksPassApprovesTheWholeProfit() {
        let outcome = supervisor.evaluate(input())
        XCTAssertEqual(outcome.kind, .approved)
        XCTAssertEqual(outcome.reinvest, money("100.00"))
        XCTAssertEqual(outcome.toReserve, .zero)
        XCTAssertEqual(outcome.reason, "all checks passed")
        XCTAssertEqual(outcome.checks.map(\.name), Self.checkNames)
        for check in outcome.checks {
            XCTAssertEqual(check.result, check.name == "vix" ? .skipped : .passed, check.line)
        }
        let vix = outcome.checks.first { $0.name == "vix" }
        XCTAssertEqual(vix?.line, "vix no VIX series configured (< 30): skipped")
    }

    func testAllChecksPassWithACalmVIX() {
        var calm = input()
        calm.vix = 20
        let outcome = supervisor.evaluate(calm)
        XCTAssertEqual(outcome.kind, .approved)
        XCTAssertEqual(outcome.reinvest, money("100.00"))
        XCTAssertEqual(outcome.toReserve, .zero)
        XCTAssertEqual(outcome.checks.map(\.result), Array(repeating: .passed, count: Self.checkNames.count))
        XCTAssertEqual(outcome.checks.first { $0.name == "vix" }?.line, "vix 20 (< 30): passed")
    }

    func testChecklistLinesOfAnApprovedProfit() {
        XCTAssertEqual(supervisor.evaluate(input()).checks.map(\.line), [
            "win_rate 0.8333 (> 0.6): passed",
            "sharpe 41.2432 (> 1): passed",
            "max_drawdown 0.0500 (< 0.15): passed",
            "trades 12 (>= 10): passed",
            "profit_factor 10.0000 (> 1.5): passed",
            "recent_wins 4 of last 5 (>= 3 of last 5): passed",
            "budget_increase 0.1000 (<= 0.2 per trade (else partial)): passed",
            "module_budget bots 3100.0000 after (<= module budget 5000.0000): passed",
            "vix no VIX series configured (< 30): skipped",
            "critical_alerts 0 (0 in 24 h): passed",
        ])
    }

    func testProfitExactlyAtTheIncreaseLimitIsApprovedWhole() {
        let outcome = supervisor.evaluate(input(profit: "200.00"))
        XCTAssertEqual(outcome.kind, .approved)
        XCTAssertEqual(outcome.reinvest, money("200.00"))
        XCTAssertEqual(outcome.toReserve, .zero)
    }

    // MARK: Each check failing alone

    func testWinRateAtTheMinimumFails() {
        // 6 wins of 10 is exactly 0.60; the rule is strictly above.
        let days: [[Int64]] = [[30, -5, -5], [30, -5, 30], [-5, 30, 30, 30]]
        XCTAssertEqual(performance(days).winRate, Decimal(string: "0.6"))
        assertRejectedBy("win_rate", input(days))
    }

    func testWinRateBelowTheMinimumFails() {
        // 7 wins of 12 (0.5833), profit factor 8.4, 4 wins in the last 5.
        let days: [[Int64]] = [[30, -5, -5], [30, -5, 30], [-5, 30, -5], [30, 30, 30]]
        assertRejectedBy("win_rate", input(days))
        XCTAssertEqual(supervisor.evaluate(input(days)).checks[0].line, "win_rate 0.5833 (> 0.6): failed")
    }

    func testNegativeSharpeFails() {
        // Dollar results are good (10 wins of 20.00, 2 losses of 20.00), but the losing days
        // came on a small budget: daily returns 0.008, -0.04, 0.008, -0.04, 0.004.
        let days: [[Int64]] = [[20, 20, 20, 20], [-20], [20, 20, 20, 20], [-20], [20, 20]]
        let big = money("10000.00"), small = money("500.00")
        let p = performance(days, bases: [big, small, big, small, big])
        XCTAssertEqual(p.winRate.map { DecimalText.format($0, fractionDigits: 4) }, "0.8333")
        XCTAssertEqual(p.profitFactor, 5)
        XCTAssertEqual(p.recentWins, 4)
        XCTAssertEqual(p.sharpe, Decimal(string: "-7.4375"))
        assertRejectedBy("sharpe", input(days, bases: [big, small, big, small, big]))
        XCTAssertEqual(supervisor.evaluate(input(days, bases: [big, small, big, small, big])).reason, "failed sharpe -7.4375 (> 1): failed")
    }

    func testSharpeNeedsTwoTradingDays() {
        // Every trade of the passing history closed on one UTC day.
        let oneDay = [passingDays.flatMap { $0 }]
        XCTAssertNil(performance(oneDay).sharpe)
        assertRejectedBy("sharpe", input(oneDay))
        let check = supervisor.evaluate(input(oneDay)).checks.first { $0.name == "sharpe" }
        XCTAssertEqual(check?.line, "sharpe n/a (fewer than 2 trading days) (> 1): failed")
    }

    func testMaxDrawdownFails() {
        var deep = input()
        deep.maxDrawdown = Decimal(string: "0.20")!
        assertRejectedBy("max_drawdown", deep)
        XCTAssertEqual(supervisor.evaluate(deep).checks.first { $0.name == "max_drawdown" }?.line,
                       "max_drawdown 0.2000 (< 0.15): failed")
    }

    func testMaxDrawdownAtTheLimitFails() {
        var atLimit = input()
        atLimit.maxDrawdown = Decimal(string: "0.15")!
        assertRejectedBy("max_drawdown", atLimit)
    }

    func testTooFewTradesFails() {
        // 9 trades: 8 wins, 1 loss, 3 days, every other check passes.
        let days: [[Int64]] = [[10, 10, 10], [10, -5, 10], [10, 10, 10]]
        let p = performance(days)
        XCTAssertEqual(p.trades, 9)
        assertRejectedBy("trades", input(days))
        XCTAssertEqual(supervisor.evaluate(input(days)).checks.first { $0.name == "trades" }?.line, "trades 9 (>= 10): failed")
    }

    func testLowProfitFactorFails() {
        // 13 wins of 10.00 and 2 losses of 45.00: profit factor 130 / 90 = 1.4444.
        let days: [[Int64]] = [[10, 10, 10, -45, 10, 10], [10, 10, -45, 10, 10, 10, 10], [10, 10]]
        let p = performance(days)
        XCTAssertEqual(p.wins, 13)
        XCTAssertEqual(p.profitFactor.map { DecimalText.format($0, fractionDigits: 4) }, "1.4444")
        assertRejectedBy("profit_factor", input(days))
        XCTAssertEqual(supervisor.evaluate(input(days)).checks.first { $0.name == "profit_factor" }?.line,
                       "profit_factor 1.4444 (> 1.5): failed")
    }

    func testFewRecentWinsFails() {
        // 9 wins of 12 overall, but only 2 in the last 5.
        let days: [[Int64]] = [[20, 20, 20, 20], [20, 20, 20], [20, -10, -10, 20, -10]]
        XCTAssertEqual(performance(days).recentWins, 2)
        assertRejectedBy("recent_wins", input(days))
        XCTAssertEqual(supervisor.evaluate(input(days)).checks.first { $0.name == "recent_wins" }?.line,
                       "recent_wins 2 of last 5 (>= 3 of last 5): failed")
    }

    func testModuleBudgetFails() {
        var full = input()
        full.moduleBotBudgets = money("4950.00")
        assertRejectedBy("module_budget", full)
        XCTAssertEqual(supervisor.evaluate(full).checks.first { $0.name == "module_budget" }?.line,
                       "module_budget bots 5050.0000 after (<= module budget 5000.0000): failed")
    }

    func testModuleBudgetExactlyFullPasses() {
        var full = input()
        full.moduleBotBudgets = money("4900.00")
        XCTAssertEqual(supervisor.evaluate(full).kind, .approved)
    }

    func testHighVIXFails() {
        var stormy = input()
        stormy.vix = 35
        assertRejectedBy("vix", stormy)
        XCTAssertEqual(supervisor.evaluate(stormy).checks.first { $0.name == "vix" }?.line, "vix 35 (< 30): failed")
    }

    func testVIXAtTheLimitFails() {
        var atLimit = input()
        atLimit.vix = 30
        assertRejectedBy("vix", atLimit)
    }

    func testCriticalAlertFails() {
        var alerted = input()
        alerted.criticalAlerts = 1
        assertRejectedBy("critical_alerts", alerted)
        XCTAssertEqual(supervisor.evaluate(alerted).checks.first { $0.name == "critical_alerts" }?.line,
                       "critical_alerts 1 (0 in 24 h): failed")
    }

    func testRejectionReasonListsEveryFailedCheck() {
        var bad = input()
        bad.vix = 35
        bad.criticalAlerts = 2
        let outcome = supervisor.evaluate(bad)
        XCTAssertEqual(outcome.kind, .rejected)
        XCTAssertEqual(failedNames(outcome), ["vix", "critical_alerts"])
        XCTAssertEqual(outcome.reason, "failed vix 35 (< 30): failed; critical_alerts 2 (0 in 24 h): failed")
    }

    func testRejectionStillRecordsAnOversizedIncreaseButRejects() {
        var bad = input(profit: "300.00")
        bad.criticalAlerts = 1
        let outcome = supervisor.evaluate(bad)
        XCTAssertEqual(outcome.kind, .rejected)
        XCTAssertEqual(outcome.reinvest, .zero)
        XCTAssertEqual(outcome.toReserve, money("300.00"))
        XCTAssertEqual(failedNames(outcome), ["budget_increase", "critical_alerts"])
        XCTAssertEqual(outcome.reason, "failed critical_alerts 1 (0 in 24 h): failed")
    }

    // MARK: Partial and capped approvals

    func testIncreaseAboveTheLimitIsPartial() {
        let outcome = supervisor.evaluate(input(profit: "300.00"))
        XCTAssertEqual(outcome.kind, .approvedPartial)
        XCTAssertEqual(outcome.reinvest, money("200.00"))
        XCTAssertEqual(outcome.reinvest, Money(money("1000.00").decimal * Decimal(string: "0.20")!))
        XCTAssertEqual(outcome.toReserve, money("100.00"))
        XCTAssertEqual(failedNames(outcome), ["budget_increase"])
        XCTAssertEqual(outcome.checks.first { $0.name == "budget_increase" }?.line,
                       "budget_increase 0.3000 (<= 0.2 per trade (else partial)): failed")
        XCTAssertEqual(outcome.reason, "increase 0.3000 above 0.2: 200.0000 fits")
    }

    func testPartialIncreaseWithOddAmountsIsExact() {
        // 20% of 1234.5678 is 246.91356, rounded half-even to 246.9136.
        let outcome = supervisor.evaluate(input(profit: "300.0001", budget: "1234.5678"))
        XCTAssertEqual(outcome.kind, .approvedPartial)
        XCTAssertEqual(outcome.reinvest, money("246.9136"))
        XCTAssertEqual(outcome.toReserve, money("53.0865"))
        XCTAssertEqual(outcome.reinvest + outcome.toReserve, money("300.0001"))
    }

    func testPartialReinvestmentIsWhatTheModuleBudgetCounts() {
        // Room for 200.00 in the module but not for the whole 300.00 profit.
        var tight = input(profit: "300.00")
        tight.moduleBotBudgets = money("4800.00")
        let outcome = supervisor.evaluate(tight)
        XCTAssertEqual(outcome.kind, .approvedPartial)
        XCTAssertEqual(outcome.reinvest, money("200.00"))
        XCTAssertEqual(outcome.checks.first { $0.name == "module_budget" }?.result, .passed)
    }

    func testCapTakesTheExcessToReserve() {
        var capped = input()
        capped.maxBudgetCap = money("1050.00")
        let outcome = supervisor.evaluate(capped)
        XCTAssertEqual(outcome.kind, .approvedCapped)
        XCTAssertEqual(outcome.reinvest, money("50.00"))
        XCTAssertEqual(outcome.toReserve, money("50.00"))
        XCTAssertEqual(failedNames(outcome), [])
        XCTAssertEqual(outcome.reason, "all checks passed; budget capped at max_budget_cap 1050.0000")
    }

    /// Only what the cap lets through counts against the module budget.
    func testCappedReinvestmentIsWhatTheModuleCheckCounts() {
        var capped = input()
        capped.maxBudgetCap = money("1050.00")
        capped.moduleBudget = money("5000.00")
        capped.moduleBotBudgets = money("4940.00")
        let outcome = supervisor.evaluate(capped)
        XCTAssertEqual(outcome.kind, .approvedCapped)
        XCTAssertEqual(outcome.reinvest, money("50.00"))
        XCTAssertEqual(outcome.toReserve, money("50.00"))
        XCTAssertEqual(outcome.checks.first { $0.name == "module_budget" }?.value, "bots 4990.0000 after")
    }

    func testCapAlreadyReachedReinvestsNothing() {
        var capped = input()
        capped.maxBudgetCap = money("1000.00")
        let outcome = supervisor.evaluate(capped)
        XCTAssertEqual(outcome.kind, .approvedCapped)
        XCTAssertEqual(outcome.reinvest, .zero)
        XCTAssertEqual(outcome.toReserve, money("100.00"))
    }

    func testCapAboveTheNewBudgetIsNotApplied() {
        var roomy = input()
        roomy.maxBudgetCap = money("1100.00")
        let outcome = supervisor.evaluate(roomy)
        XCTAssertEqual(outcome.kind, .approved)
        XCTAssertEqual(outcome.reinvest, money("100.00"))
    }

    func testPartialThenCapped() {
        var both = input(profit: "300.00")
        both.maxBudgetCap = money("1150.00")
        let outcome = supervisor.evaluate(both)
        XCTAssertEqual(outcome.kind, .approvedCapped)
        XCTAssertEqual(outcome.reinvest, money("150.00"))
        XCTAssertEqual(outcome.toReserve, money("150.00"))
        XCTAssertEqual(outcome.reason, "increase 0.3000 above 0.2: 200.0000 fits; budget capped at max_budget_cap 1150.0000")
    }

    // MARK: BotPerformance

    func testWinRateProfitFactorAndRecentWins() {
        let p = performance([[30, -10, 20], [-10, 40]])
        XCTAssertEqual(p.trades, 5)
        XCTAssertEqual(p.wins, 3)
        XCTAssertEqual(p.losses, 2)
        XCTAssertEqual(p.winRate, Decimal(string: "0.6"))
        XCTAssertEqual(p.grossProfit, money("90.00"))
        XCTAssertEqual(p.grossLoss, money("20.00"))
        XCTAssertEqual(p.totalPnl, money("70.00"))
        XCTAssertEqual(p.profitFactor, Decimal(string: "4.5"))
        XCTAssertEqual(p.recentWins, 3)
        XCTAssertEqual(BotPerformance(trades: history([[30, -10, 20], [-10, 40]]), recentWindow: 2).recentWins, 1)
    }

    func testEmptyHistory() {
        let p = BotPerformance(trades: [], recentWindow: 5)
        XCTAssertEqual(p.trades, 0)
        XCTAssertNil(p.winRate)
        XCTAssertNil(p.profitFactor)
        XCTAssertNil(p.sharpe)
        XCTAssertEqual(p.recentWins, 0)
    }

    func testProfitFactorIsNilWithoutALoss() {
        let p = performance([[10, 20], [30]])
        XCTAssertNil(p.profitFactor)
        XCTAssertEqual(p.winRate, 1)
        // No loss to divide by: the check passes on gross profit alone.
        let check = supervisor.evaluate(input([[10, 10, 10, 10], [10, 10, 20], [10, 10, 10]])).checks.first { $0.name == "profit_factor" }
        XCTAssertEqual(check?.line, "profit_factor n/a (no losing trade) (> 1.5): passed")
    }

    func testSharpeIsNilWithOneTradingDay() {
        let oneDay = history([[10, -5, 20]])
        XCTAssertNil(BotPerformance(trades: oneDay, recentWindow: 5).sharpe)
        XCTAssertNil(BotPerformance.dailySharpe(oneDay))
    }

    func testSharpeOfThreeDays() {
        // Day returns over the budget before each day's first close (default 1000.00 here,
        // then 2000.00 and 500.00): 30/1000, -10/2000, 15/500.
        let days: [[Int64]] = [[10, 20], [-10], [5, 10]]
        let bases = [money("1000.00"), money("2000.00"), money("500.00")]
        let returns = [30.0 / 1000.0, -10.0 / 2000.0, 15.0 / 500.0]
        let mean = returns.reduce(0, +) / 3
        let variance = returns.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 2
        let expected = mean / variance.squareRoot() * 252.0.squareRoot()
        let sharpe = performance(days, bases: bases).sharpe
        XCTAssertEqual(sharpe, BotPerformance.rounded(expected, places: 4))
        XCTAssertEqual(sharpe.map { DecimalText.format($0, fractionDigits: 4) }, "14.4024")
    }

    func testSharpeOfEqualDailyReturns() {
        // No variance: a positive mean is reported as 999, not a division by zero.
        XCTAssertEqual(performance([[10], [10]]).sharpe, 999)
        XCTAssertEqual(performance([[-10], [-10]]).sharpe, 0)
    }

    func testSharpeGroupsTradesByUTCDay() {
        // Two closes one hour apart on the same day count as one daily return.
        let trades = history([[10, 20], [5]])
        XCTAssertEqual(trades[0].closedNanoseconds / 86_400_000_000_000, trades[1].closedNanoseconds / 86_400_000_000_000)
        let returns = [30.0 / 1000.0, 5.0 / 1000.0]
        let mean = returns.reduce(0, +) / 2
        let deviation = (returns.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 1).squareRoot()
        XCTAssertEqual(BotPerformance(trades: trades).sharpe, BotPerformance.rounded(mean / deviation * 252.0.squareRoot(), places: 4))
    }

    func testRoundedUsesFourPlaces() {
        XCTAssertEqual(BotPerformance.rounded(1.23456789, places: 4), Decimal(string: "1.2346"))
        XCTAssertEqual(BotPerformance.rounded(-0.00004, places: 4), 0)
    }
}

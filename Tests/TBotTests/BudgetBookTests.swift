import Foundation
import XCTest
@testable import TBotCore

/// The budget hierarchy against a real ledger file: setup, settlement, pauses, emergency stop,
/// reallocation, cloning, approvals, and the invariant that the parts equal the account.
final class BudgetBookTests: XCTestCase {
    private let day0 = UTCTimestamp.nanoseconds(year: 2024, month: 1, day: 2, hour: 15, minute: 0)
    private let day: Int64 = 86_400_000_000_000

    private func money(_ text: String) -> Money { Money(text: text)! }

    /// Account 100000: module alpha 40000 (bots a1 20000 compounded, a2 15000), module beta 20000 (b1), reserve 40000.
    private func folder(alphaDailyLoss: String = "1500.00", accountDailyLoss: String = "2000.00", accountExtra: String = "",
                        supervisor: String = "", a1Autotrade: Bool = true) throws -> OperatorFolder {
        let folder = try OperatorFolder()
        try folder.writeAccount(reserve: "40000.00", dailyLoss: accountDailyLoss, extra: accountExtra, supervisor: supervisor)
        try folder.writeStrategy(id: "alpha", library: "liba.so", budget: "40000.00", dailyLoss: alphaDailyLoss, bots: [
            TestBot(id: "a1", symbols: ["SPY"], budget: "20000.00", compounded: true, autotrade: a1Autotrade, cap: "21000.00"),
            TestBot(id: "a2", symbols: ["QQQ"], budget: "15000.00"),
        ])
        try folder.writeStrategy(id: "beta", library: "libb.so", budget: "20000.00", maxRisk: "300.00", dailyLoss: "800.00", bots: [
            TestBot(id: "b1", symbols: ["IWM"], budget: "20000.00"),
        ])
        return folder
    }

    private func book(_ folder: OperatorFolder) throws -> BudgetBook {
        let budgets = try BudgetBook(ledger: try folder.ledger(), plan: try folder.plan())
        try budgets.synchronize(at: day0)
        return budgets
    }

    private func assertBalanced(_ budgets: BudgetBook, file: StaticString = #filePath, line: UInt = #line) throws {
        let invariant = try budgets.invariant()
        XCTAssertEqual(invariant.parts, invariant.capital, "reserve + budgets must equal the account", file: file, line: line)
        XCTAssertEqual(invariant.capital, budgets.accountCapital, file: file, line: line)
        XCTAssertEqual(try budgets.ledger.verify(), [], file: file, line: line)
    }

    private func entry(_ bot: String, _ symbol: String, shares: Int64, at price: Double, stop: Double,
                       botOpen: Money = .zero, moduleOpen: Money = .zero) -> BudgetEntryRequest {
        BudgetEntryRequest(bot: bot, symbol: symbol, side: .buy, quantity: Quantity(shares: shares), entryPrice: price, stopPrice: stop,
                           botOpenBuyingPower: botOpen, moduleOpenBuyingPower: moduleOpen)
    }

    func testSetupFundsTheAccountAndAllocatesEveryModuleAndBot() throws {
        let folder = try folder()
        let budgets = try book(folder)
        XCTAssertEqual(budgets.accountCapital, money("100000.00"))
        XCTAssertEqual(budgets.reserve, money("40000.00"))
        XCTAssertEqual(budgets.unassigned(module: "alpha"), money("5000.00"))
        XCTAssertEqual(budgets.budget(bot: "a1"), money("20000.00"))
        XCTAssertEqual(budgets.budget(bot: "a2"), money("15000.00"))
        XCTAssertEqual(budgets.capital(module: "beta"), money("20000.00"))
        let balances = try budgets.ledger.balances(of: ["Assets:Capital", "Assets:Budgets:alpha:a1", "Assets:Reserve:Cash"])
        XCTAssertEqual(balances["Assets:Capital"], money("-100000.00"))
        XCTAssertEqual(balances["Assets:Budgets:alpha:a1"], money("20000.00"))
        try assertBalanced(budgets)
        XCTAssertEqual(try budgets.synchronize(at: day0 + 1), [], "a second sync changes nothing")
        XCTAssertEqual(try budgets.ledger.transactions().filter { $0.transaction.kind == .allocation }.count, 6)
    }

    func testLossReducesTheBotBudgetAndHalfTheInitialBudgetPausesIt() throws {
        let budgets = try book(try folder(alphaDailyLoss: "50000.00", accountDailyLoss: "50000.00", accountExtra: "max_drawdown = 0.9"))
        let first = try budgets.settleAndCommit(bot: "a2", tradeUUID: "t1", symbol: "QQQ", pnl: money("-2500.00"), vix: nil, at: day0)
        XCTAssertEqual(first.decision.kind, .loss)
        XCTAssertEqual(budgets.budget(bot: "a2"), money("12500.00"))
        XCTAssertEqual(budgets.botState("a2")?.maxDrawdown, money("2500.00").decimal / money("15000.00").decimal)
        XCTAssertFalse(budgets.botState("a2")!.pause.isPaused)
        // Below 7500.00 (half of 15000.00): paused, with a CRITICAL notification.
        try budgets.settleAndCommit(bot: "a2", tradeUUID: "t2", symbol: "QQQ", pnl: money("-5000.01"), vix: nil, at: day0 + day)
        XCTAssertEqual(budgets.budget(bot: "a2"), money("7499.99"))
        XCTAssertEqual(budgets.botState("a2")?.pause.reason, "budget 7499.9900 fell below 7500.0000 (0.5 of initial 15000.0000)")
        let critical = try budgets.events().filter { $0.level == .critical }
        XCTAssertEqual(critical.map(\.title), ["Bot auto-paused"])
        XCTAssertEqual(try budgets.check(entry("a2", "QQQ", shares: 1, at: 50, stop: 49), at: day0 + day),
                       .rejected(code: "BOT_PAUSED", reason: "bot a2 is paused: budget 7499.9900 fell below 7500.0000 (0.5 of initial 15000.0000)"))
        // The other bot of the module still trades.
        guard case .allowed = try budgets.check(entry("a1", "SPY", shares: 10, at: 50, stop: 49), at: day0 + day) else {
            return XCTFail("a1 must still trade")
        }
        try budgets.resume(bot: "a2", at: day0 + day)
        guard case .allowed = try budgets.check(entry("a2", "QQQ", shares: 1, at: 50, stop: 49), at: day0 + day) else {
            return XCTFail("resumed bot trades")
        }
        try assertBalanced(budgets)
    }

    func testNonCompoundedProfitGoesToReserve() throws {
        let budgets = try book(try folder())
        let settled = try budgets.settleAndCommit(bot: "a2", tradeUUID: "t1", symbol: "QQQ", pnl: money("123.4567"), vix: nil, at: day0)
        XCTAssertEqual(settled.decision.kind, .withdrawn)
        XCTAssertEqual(budgets.budget(bot: "a2"), money("15000.00"))
        XCTAssertEqual(budgets.reserve, money("40123.4567"))
        XCTAssertEqual(budgets.accountCapital, money("100123.4567"))
        XCTAssertEqual(budgets.botState("a2")?.profitWithdrawn, money("123.4567"))
        try assertBalanced(budgets)
    }

    func testCompoundedProfitPartialReinvestmentAndCapArePosted() throws {
        // A lenient supervisor so only the increase rule and the cap decide.
        let lenient = "min_win_rate = 0.01\nmin_sharpe = 0\nmin_trades = 0\nmin_profit_factor = 0\nrecent_wins = 0"
        let budgets = try book(try folder(supervisor: lenient))
        // Sharpe needs two trading days: a first small win on day 0.
        let first = try budgets.settleAndCommit(bot: "a1", tradeUUID: "t1", symbol: "SPY", pnl: money("100.00"), vix: 18, at: day0)
        XCTAssertEqual(first.decision.kind, .rejected, "one trading day: no Sharpe yet")
        XCTAssertEqual(first.decision.checks.filter { $0.result == .failed }.map(\.name), ["sharpe"])
        let second = try budgets.settleAndCommit(bot: "a1", tradeUUID: "t2", symbol: "SPY", pnl: money("300.00"), vix: 18, at: day0 + day)
        XCTAssertEqual(second.decision.kind, .approved)
        XCTAssertEqual(budgets.budget(bot: "a1"), money("20300.00"))
        // 5000.00 on 20300.00 is above 20%: 4060.00 fits, but the cap 21000.00 takes it to 700.00.
        let third = try budgets.settleAndCommit(bot: "a1", tradeUUID: "t3", symbol: "SPY", pnl: money("5000.00"), vix: 18, at: day0 + 2 * day)
        XCTAssertEqual(third.decision.kind, .approvedCapped)
        XCTAssertEqual(third.decision.reinvested, money("700.00"))
        XCTAssertEqual(third.decision.toReserve, money("4300.00"))
        XCTAssertEqual(budgets.budget(bot: "a1"), money("21000.00"))
        XCTAssertEqual(budgets.reserve, money("44400.00"))
        let decisions = try budgets.decisions(bot: "a1")
        XCTAssertEqual(decisions.map(\.kind), [.rejected, .approved, .approvedCapped])
        XCTAssertEqual(decisions[2].reason, "increase 0.2463 above 0.2: 4060.0000 fits; budget capped at max_budget_cap 21000.0000")
        XCTAssertEqual(budgets.botState("a1")?.profitReinvested, money("1000.00"))
        XCTAssertEqual(budgets.botState("a1")?.supervisorRejections, 1)
        let kinds = try budgets.ledger.transactions().map(\.transaction.kind).filter { $0 != .allocation }
        XCTAssertEqual(kinds, [.reserveTransfer, .reinvestment, .reinvestment])
        try assertBalanced(budgets)
    }

    func testModuleDailyLossPausesOnlyThatModuleUntilTheNextUTCDay() throws {
        let budgets = try book(try folder(alphaDailyLoss: "1000.00"))
        try budgets.settleAndCommit(bot: "a1", tradeUUID: "t1", symbol: "SPY", pnl: money("-600.00"), vix: nil, at: day0)
        XCTAssertFalse(budgets.moduleState("alpha")!.pause.isPaused)
        try budgets.settleAndCommit(bot: "a2", tradeUUID: "t2", symbol: "QQQ", pnl: money("-400.01"), vix: nil, at: day0 + 60_000_000_000)
        XCTAssertEqual(budgets.moduleState("alpha")?.pause.reason, "daily loss 1000.0100 beyond its limit 1000.0000; resumes at the next UTC day")
        XCTAssertEqual(try budgets.check(entry("a1", "SPY", shares: 1, at: 50, stop: 49), at: day0 + 120_000_000_000),
                       .rejected(code: "MODULE_PAUSED", reason: "module alpha is paused: daily loss 1000.0100 beyond its limit 1000.0000; resumes at the next UTC day"))
        guard case .allowed = try budgets.check(entry("b1", "IWM", shares: 10, at: 50, stop: 49), at: day0 + 120_000_000_000) else {
            return XCTFail("module beta keeps trading")
        }
        let nextDay = day0 - day0 % day + day
        guard case .allowed = try budgets.check(entry("a1", "SPY", shares: 1, at: 50, stop: 49), at: nextDay) else {
            return XCTFail("the pause lifts at the next UTC day")
        }
        XCTAssertEqual(try budgets.events().last?.message, "module alpha resumed: a new UTC day began after its daily loss pause")
        try assertBalanced(budgets)
    }

    func testAccountDailyLossTriggersTheEmergencyStop() throws {
        let budgets = try book(try folder(alphaDailyLoss: "5000.00", accountExtra: "close_riskiest_on_emergency = 1"))
        try budgets.settleAndCommit(bot: "a1", tradeUUID: "t1", symbol: "SPY", pnl: money("-1500.00"), vix: nil, at: day0)
        let settled = try budgets.settleAndCommit(bot: "b1", tradeUUID: "t2", symbol: "IWM", pnl: money("-500.01"), vix: nil, at: day0 + 1)
        XCTAssertTrue(settled.emergencyStop)
        XCTAssertEqual(budgets.accountState?.pause.reason, "emergency stop: daily loss 2000.0100 beyond 2000.0000")
        for bot in ["a1", "a2", "b1"] {
            guard case .rejected(let code, _) = try budgets.check(entry(bot, "SPY", shares: 1, at: 50, stop: 49), at: day0 + 2) else {
                return XCTFail("\(bot) must be stopped")
            }
            XCTAssertEqual(code, "ACCOUNT_PAUSED")
        }
        try budgets.releaseEmergencyStop(at: day0 + 3)
        guard case .allowed = try budgets.check(entry("a2", "QQQ", shares: 1, at: 50, stop: 49), at: day0 + 4) else {
            return XCTFail("released")
        }
        try assertBalanced(budgets)
    }

    func testAccountDrawdownTriggersTheEmergencyStop() throws {
        let budgets = try book(try folder(alphaDailyLoss: "50000.00", accountDailyLoss: "50000.00",
                                          accountExtra: "max_drawdown = 0.01\nbot_pause_fraction = 0.01"))
        try budgets.settleAndCommit(bot: "a1", tradeUUID: "t1", symbol: "SPY", pnl: money("-600.00"), vix: nil, at: day0)
        XCTAssertFalse(budgets.accountState!.pause.isPaused)
        try budgets.settleAndCommit(bot: "a1", tradeUUID: "t2", symbol: "SPY", pnl: money("-500.00"), vix: nil, at: day0 + day)
        XCTAssertEqual(budgets.accountState?.pause.reason, "emergency stop: drawdown 0.0110 beyond 0.01")
    }

    func testEnforcementRejectsWithReasons() throws {
        let budgets = try book(try folder())
        // The bot's available budget: 20000 less 15000 held.
        XCTAssertEqual(try budgets.check(entry("a1", "SPY", shares: 101, at: 50, stop: 49.5, botOpen: money("15000.00")), at: day0),
                       .rejected(code: "BOT_BUDGET", reason: "SPY: buying power 5050.0000 exceeds bot a1's available budget 5000.0000 "
                                 + "(budget 20000.0000 less 15000.0000 in open positions)"))
        // The module's: 40000 less 36000 held by its bots.
        XCTAssertEqual(try budgets.check(entry("a2", "QQQ", shares: 100, at: 50, stop: 49.5, moduleOpen: money("36000.00")), at: day0),
                       .rejected(code: "MODULE_BUDGET", reason: "QQQ: buying power 5000.0000 exceeds module alpha's available budget "
                                 + "4000.0000 (budget 40000.0000 less 36000.0000 in open positions)"))
        // max_risk_per_trade 300.00 for beta: 200 shares x 2.00 = 400.00; 150 shares fit; the operator is told.
        XCTAssertEqual(try budgets.check(entry("b1", "IWM", shares: 200, at: 50, stop: 48), at: day0),
                       .rejected(code: "MAX_RISK_PER_TRADE", reason: "IWM: risk 400.0000 exceeds module beta's max_risk_per_trade 300.0000; "
                                 + "a size of at most 150 shares fits"))
        XCTAssertEqual(try budgets.events().last?.title, "Trade exceeds max_risk_per_trade")
        XCTAssertEqual(try budgets.check(entry("zz", "IWM", shares: 1, at: 50, stop: 48), at: day0),
                       .rejected(code: "UNKNOWN_BOT", reason: "bot zz is not declared in any enabled strategy manifest"))
    }

    func testApprovalsWaitAndExpire() throws {
        let budgets = try book(try folder(accountExtra: "approval_expiry_minutes = 30", a1Autotrade: false))
        let request = entry("a1", "SPY", shares: 10, at: 50, stop: 49)
        guard case .needsApproval(let reason) = try budgets.check(request, at: day0) else { return XCTFail("a1 does not autotrade") }
        XCTAssertTrue(reason.hasPrefix("bot a1 does not autotrade; buying power 500.0000"), reason)
        let first = try budgets.queueApproval(request, explanation: reason, at: day0)
        let second = try budgets.queueApproval(request, explanation: reason, at: day0)
        XCTAssertEqual(first.expiresNanoseconds, day0 + 30 * 60_000_000_000)
        try budgets.approve(first.id, at: day0 + 60_000_000_000)
        XCTAssertEqual(try budgets.approvedEntries(at: day0 + 120_000_000_000).map(\.id), [first.id])
        // Past the expiry, by the session's clock: both expire; deciding afterwards is refused.
        XCTAssertEqual(try budgets.approvedEntries(at: day0 + 30 * 60_000_000_000), [])
        XCTAssertEqual(try budgets.approvals().map(\.state), [.expired, .expired])
        XCTAssertThrowsError(try budgets.approve(second.id, at: day0 + 31 * 60_000_000_000)) { error in
            XCTAssertEqual("\(error)", "approval \(second.id) is expired, not pending")
        }
        XCTAssertThrowsError(try budgets.approve(99, at: day0)) { XCTAssertEqual("\($0)", "no approval 99") }
    }

    func testReallocationWithOpenPositionsPostsTransfersAndRewritesTheManifests() throws {
        let folder = try folder()
        let budgets = try book(folder)
        let alphaFile = folder.manifestPath("alpha.toml"), accountFile = folder.manifestPath("account.toml")
        let before = try [alphaFile, accountFile].map { try String(contentsOfFile: $0, encoding: .utf8) }
        let posted = try budgets.ledger.transactions().count
        // beta's bot holds all of beta: lowering it is refused, and nothing changes anywhere.
        XCTAssertThrowsError(try budgets.reallocate(["alpha": money("45000.00"), "beta": money("15000.00")],
                                                    manifestsDirectory: folder.manifests, holdingBots: ["a1", "b1"], at: day0 + 1)) {
            XCTAssertEqual("\($0)", "refused, the budgets would not validate:\n\(folder.manifestPath("beta.toml")): module 'beta': "
                + "bot budgets 20000.00 (b1 20000.00) exceed module budget 15000.00")
        }
        XCTAssertEqual(try [alphaFile, accountFile].map { try String(contentsOfFile: $0, encoding: .utf8) }, before)
        XCTAssertEqual(try budgets.ledger.transactions().count, posted)
        // A reserve below zero is refused before any file is touched.
        XCTAssertThrowsError(try budgets.reallocate(["alpha": money("80000.01")], manifestsDirectory: folder.manifests, at: day0 + 1)) {
            XCTAssertEqual("\($0)", "module budgets 100000.0100 would exceed total capital 100000.0000: the reserve would be -0.0100")
        }
        // With a1 holding a position: alpha grows from the reserve; new trades see it at once.
        let lines = try budgets.reallocate(["alpha": money("45000.00")], manifestsDirectory: folder.manifests, holdingBots: ["a1"], at: day0 + 2)
        XCTAssertEqual(lines, ["module alpha budget 40000.00 -> 45000.00"])
        XCTAssertTrue(try String(contentsOfFile: alphaFile, encoding: .utf8).contains("budget = \"45000.00\""))
        XCTAssertTrue(try String(contentsOfFile: accountFile, encoding: .utf8).contains("reserve_cash = \"35000.00\""))
        XCTAssertEqual(budgets.reserve, money("35000.00"))
        XCTAssertEqual(budgets.capital(module: "alpha"), money("45000.00"))
        XCTAssertEqual(budgets.budget(bot: "a1"), money("20000.00"), "bot budgets and positions are untouched")
        let transfer = try XCTUnwrap(try budgets.ledger.transactions().last?.transaction)
        XCTAssertEqual(transfer.kind, .allocation)
        XCTAssertEqual(transfer.memo, "module alpha: budget 40000.0000 -> 45000.0000")
        XCTAssertEqual(transfer.entries, [.debit("Assets:Budgets:alpha", money("5000.00")), .credit("Assets:Reserve:Cash", money("5000.00"))])
        try assertBalanced(budgets)
    }

    func testCloneTakesItsBudgetFromTheModuleAndIsDeclaredInTheManifest() throws {
        let folder = try folder()
        let budgets = try book(folder)
        XCTAssertThrowsError(try budgets.clone(bot: "a2", as: "a3", manifestsDirectory: folder.manifests, at: day0)) {
            XCTAssertEqual("\($0)", "refused, the budgets would not validate:\n\(folder.manifestPath("alpha.toml")): module 'alpha': "
                + "bot budgets 50000.00 (a1 20000.00 + a2 15000.00 + a3 15000.00) exceed module budget 40000.00")
        }
        XCTAssertThrowsError(try budgets.clone(bot: "a2", as: "a1", manifestsDirectory: folder.manifests, at: day0)) {
            XCTAssertEqual("\($0)", "bot id 'a1' is already used")
        }
        let lines = try budgets.clone(bot: "a2", as: "a3", budget: money("4000.00"), manifestsDirectory: folder.manifests, at: day0)
        XCTAssertEqual(lines, ["bot a3 initial budget 0.00 -> 4000.00"])
        XCTAssertEqual(budgets.budget(bot: "a3"), money("4000.00"))
        XCTAssertEqual(budgets.unassigned(module: "alpha"), money("1000.00"))
        let manifest = try ManifestParser.parse(file: folder.manifestPath("alpha.toml")).get()
        XCTAssertEqual(manifest.bots.map(\.id), ["a1", "a2", "a3"])
        XCTAssertEqual(manifest.bots[2].symbols, ["QQQ"])
        XCTAssertEqual(manifest.bots[2].initialBudget, money("4000.00"))
        try assertBalanced(budgets)
    }

    func testInvariantHoldsAfterAnySequence() throws {
        let lenient = "min_win_rate = 0.01\nmin_sharpe = 0\nmin_trades = 0\nmin_profit_factor = 0\nrecent_wins = 0"
        let folder = try folder(alphaDailyLoss: "100000.00", accountDailyLoss: "100000.00",
                                accountExtra: "max_drawdown = 1\nbot_pause_fraction = 0.01", supervisor: lenient)
        let budgets = try book(folder)
        var random = SeededRandom(seed: 7)
        let bots = ["a1", "a2", "b1"]
        for step in 0..<60 {
            let now = day0 + Int64(step) * day / 3
            switch step % 10 {
            case 7:
                try budgets.reallocate(["alpha": money(step % 20 == 7 ? "41000.00" : "40000.00")], manifestsDirectory: folder.manifests,
                                       holdingBots: [], at: now)
            case 9:
                try budgets.pause(bot: bots[step % 3], at: now)
                try budgets.resume(bot: bots[step % 3], at: now)
            default:
                let cents = Int64(random.normal() * 40_000)
                try budgets.settleAndCommit(bot: bots[step % 3], tradeUUID: "t\(step)", symbol: "SPY", pnl: Money(units: cents * 100),
                                            vix: nil, at: now)
            }
            let invariant = try budgets.invariant()
            XCTAssertEqual(invariant.parts, invariant.capital, "step \(step)")
        }
        try assertBalanced(budgets)
        // A fresh book over the same file reads back the same amounts.
        let reopened = try BudgetBook(ledger: budgets.ledger, plan: try folder.plan())
        for bot in bots { XCTAssertEqual(reopened.budget(bot: bot), budgets.budget(bot: bot)) }
        XCTAssertEqual(reopened.reserve, budgets.reserve)
    }
}

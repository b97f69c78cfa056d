import Foundation
import GRDB
import XCTest
@testable import TBotCore

/// A sole writer's ledger and budgets keep in memory what others read from the file (the chain's
/// tip, the day's trade results, whether new events exist). The same sequence of settlements,
/// entry checks and event polls must give the same answers and the same file either way.
final class SoleWriterBooksTests: XCTestCase {
    private let identity = LedgerIdentity(entity: "TBOT", jurisdiction: "US", broker: "PAPER", bot: "001")
    private let day0 = UTCTimestamp.nanoseconds(year: 2024, month: 1, day: 2, hour: 15, minute: 0)
    private let hour: Int64 = 3_600_000_000_000

    private func books(soleWriter: Bool) throws -> (folder: OperatorFolder, budgets: BudgetBook) {
        let folder = try OperatorFolder()
        try folder.writeAccount(reserve: "40000.00", dailyLoss: "900.00")
        try folder.writeStrategy(id: "alpha", library: "liba.so", budget: "40000.00", dailyLoss: "400.00", bots: [
            TestBot(id: "a1", symbols: ["SPY"], budget: "20000.00", compounded: true, cap: "21000.00"),
            TestBot(id: "a2", symbols: ["QQQ"], budget: "15000.00"),
        ])
        try folder.writeStrategy(id: "beta", library: "libb.so", budget: "20000.00", dailyLoss: "300.00", bots: [
            TestBot(id: "b1", symbols: ["IWM"], budget: "20000.00"),
        ])
        let ledger = try Ledger(path: folder.root.appendingPathComponent("books.db").path, mode: .backtest, identity: identity,
                                durability: .scratch, soleWriter: soleWriter)
        if soleWriter { try ledger.beginBatch() }
        let budgets = try BudgetBook(ledger: ledger, plan: try folder.plan())
        try budgets.synchronize(at: day0)
        return (folder, budgets)
    }

    /// Settlements as a session books them (with a fill's commit) and on their own, entry
    /// checks and event polls, over several days: what each step answers.
    private func run(_ budgets: BudgetBook) throws -> [String] {
        var generator = SeededRandom(seed: 7)
        var answers: [String] = []
        var lastEvent: Int64 = 0
        let bots = ["a1", "a2", "b1"], symbols = ["SPY", "QQQ", "IWM"]
        for step in 0..<240 {
            let now = day0 + Int64(step) * hour / 3 + Int64(generator.next() % 1_000)
            let pick = Int(generator.next() % 3)
            let pnl = Money(units: Int64(generator.next() % 4_000_000) - 2_400_000)
            switch generator.next() % 4 {
            case 0:
                let settled = try budgets.settleAndCommit(bot: bots[pick], tradeUUID: "t\(step)", symbol: symbols[pick], pnl: pnl,
                                                          vix: nil, at: now)
                answers.append("\(settled.decision.kind) \(settled.decision.reason) \(settled.emergencyStop)")
            case 1:
                let settlement = try budgets.settle(bot: bots[pick], tradeUUID: "t\(step)", symbol: symbols[pick], pnl: pnl, vix: nil, at: now)
                try budgets.ledger.post(settlement.transactions, alongside: settlement.state)
                budgets.committed(settlement)
                answers.append("\(settlement.decision.kind) \(settlement.decision.reason) \(settlement.emergencyStop)")
            default:
                let request = BudgetEntryRequest(bot: bots[pick], symbol: symbols[pick], side: .buy, quantity: Quantity(shares: 10),
                                                 entryPrice: 50.25, stopPrice: 49.5, botOpenBuyingPower: .zero, moduleOpenBuyingPower: .zero)
                answers.append("\(try budgets.check(request, at: now))")
            }
            for event in try budgets.events(after: lastEvent) {
                lastEvent = max(lastEvent, event.id ?? 0)
                answers.append("event \(event.id ?? 0) \(event.title): \(event.message)")
            }
            answers.append("after \(lastEvent): \(try budgets.events(after: lastEvent).count)")
        }
        return answers
    }

    private func dump(_ budgets: BudgetBook) throws -> [String] {
        try budgets.ledger.read { db in
            var lines: [String] = []
            for table in ["transactions", "entries", "bot_trades", "supervisor_decisions", "budget_bots", "budget_modules",
                          "budget_account", "budget_events"] {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table)") { lines.append("\(table) \(row)") }
            }
            return lines
        }
    }

    func testASoleWriterAnswersAndWritesWhatAReadingWriterDoes() throws {
        let shared = try books(soleWriter: false), sole = try books(soleWriter: true)
        let expected = try run(shared.budgets), answers = try run(sole.budgets)
        XCTAssertEqual(answers.count, expected.count)
        if let step = answers.indices.first(where: { $0 < expected.count && answers[$0] != expected[$0] }) {
            XCTFail("answer \(step) differs: \(answers[step]) | expected \(expected[step])")
        }
        XCTAssertTrue(expected.contains { $0.contains("Module hit daily loss limit") }, "the day's results decided a pause")
        try sole.budgets.ledger.commitBatch()
        let soleRows = try dump(sole.budgets), sharedRows = try dump(shared.budgets)
        XCTAssertEqual(soleRows.count, sharedRows.count)
        if let row = soleRows.indices.first(where: { $0 < sharedRows.count && soleRows[$0] != sharedRows[$0] }) {
            XCTFail("row \(row) differs: \(soleRows[row]) | expected \(sharedRows[row])")
        }
        XCTAssertEqual(try sole.budgets.ledger.verify(), [])
    }

    func testASoleWritersChainContinuesFromTheFileItOpened() throws {
        let folder = try OperatorFolder()
        let path = folder.root.appendingPathComponent("chain.db").path
        let deposit = NewTransaction(kind: .openingBalance, type: .credit, postedNanoseconds: 1_000, memo: "opening balance",
                                     entries: [.debit(ChartOfAccounts.reserveCash, Money(units: 10_000)),
                                               .credit(ChartOfAccounts.openingBalance, Money(units: 10_000))])
        _ = try Ledger(path: path, mode: .backtest, identity: identity).post([deposit, deposit])
        let sole = try Ledger(path: path, mode: .backtest, identity: identity, soleWriter: true)
        let posted = try sole.post([deposit, deposit])
        XCTAssertEqual(posted.map(\.id), [3, 4])
        XCTAssertEqual(try sole.post(deposit).id, 5)
        XCTAssertEqual(try sole.verify(), [])
    }
}

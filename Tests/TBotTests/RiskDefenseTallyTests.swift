import Foundation
import XCTest
@testable import TBotCore

/// The Defense Mode exit review keeps its counts as trades arrive (DefenseExitTally). It must give
/// the answer of the review over the whole list of trades since activation, the form it replaced,
/// after every trade and for any policy; and an engine over a backtest's sole-writer journal,
/// which carries the counts from one session start to the next, must decide as one over a
/// journal it reads again at every session start.
final class RiskDefenseTallyTests: XCTestCase {
    /// The list form the tally replaced, as it was: a pass over every trade since activation.
    private func listExitReason(policy: RiskLimits.DefensePolicy, trades: [RiskTradeResult]) -> String? {
        func wins(_ trades: [RiskTradeResult]) -> Int { trades.filter { $0.pnl > .zero }.count }
        func compare(wins: Int, of count: Int) -> Int {
            let wins = Decimal(wins), bar = policy.exitWinRate * Decimal(count)
            return wins < bar ? -1 : wins > bar ? 1 : 0
        }
        if trades.count >= policy.exitTrades {
            let last = Array(trades.suffix(policy.exitTrades))
            if compare(wins: wins(last), of: last.count) > 0 {
                let rate = last.isEmpty ? 0 : Decimal(wins(last)) / Decimal(last.count)
                return "win rate \(RiskRules.percent(rate)) over the last \(policy.exitTrades) trades is above \(RiskRules.percent(policy.exitWinRate))"
            }
        }
        var sessions: [Int64: (wins: Int, trades: Int)] = [:]
        for trade in trades {
            let sofar = sessions[trade.sessionStartNanoseconds] ?? (0, 0)
            sessions[trade.sessionStartNanoseconds] = (sofar.wins + (trade.pnl > .zero ? 1 : 0), sofar.trades + 1)
        }
        let run = sessions.keys.sorted(by: >).prefix { compare(wins: sessions[$0]!.wins, of: sessions[$0]!.trades) > 0 }.count
        if run >= policy.exitSessions {
            return "\(run) consecutive sessions each above a \(RiskRules.percent(policy.exitWinRate)) win rate"
        }
        return nil
    }

    func testTallyMatchesTheListFormAfterEveryTrade() {
        var random = SeededRandom(seed: 7)
        let rates = ["0.55", "0.5", "0", "1", "0.333", "0.6666666666666666666666666666666666667"].map { Decimal(string: $0)! }
        var compared = 0, exits = 0
        for round in 0..<300 {
            var policy = RiskLimits.defaults.defense
            policy.exitTrades = Int.random(in: 1...12, using: &random)
            policy.exitSessions = Int.random(in: 1...6, using: &random)
            policy.exitWinRate = rates[round % rates.count]
            var tally = DefenseExitTally(since: 0, policy: policy)
            var trades: [RiskTradeResult] = []
            var session: Int64 = 1_000
            for index in 0..<Int.random(in: 1...80, using: &random) {
                switch Int.random(in: 0..<10, using: &random) {
                case 0...5: break
                case 6...8: session += Int64.random(in: 1...100, using: &random)
                // Now and then a trade booked to an earlier session.
                default: session = max(1, session - Int64.random(in: 1...300, using: &random))
                }
                let pnl = Money(units: Int64.random(in: -3...3, using: &random) * 10_000)
                let trade = RiskTradeResult(closedNanoseconds: Int64(index), broker: "b", session: "s", sessionStartNanoseconds: session,
                                            symbol: "X", pnl: pnl)
                trades.append(trade)
                tally.add(trade)
                let expected = listExitReason(policy: policy, trades: trades)
                XCTAssertEqual(tally.exitReason(), expected, "round \(round), trade \(index)")
                compared += 1
                if expected != nil { exits += 1 }
            }
        }
        XCTAssertGreaterThan(exits, 100, "the rounds should exercise both exit rules")
        XCTAssertGreaterThan(compared, 5_000)
    }

    func testEngineOverASoleWriterJournalDecidesAsOneThatRereads() throws {
        let folder = try OperatorFolder()
        let identity = LedgerIdentity(entity: "TBOT", jurisdiction: "US", broker: "PAPER", bot: "001")
        let ledger = try Ledger(path: folder.root.appendingPathComponent("risk.db").path, mode: .paper, identity: identity)
        let carried = try TestRisk.engine(journal: try RiskJournal(ledger: ledger, soleWriter: true))
        let rereading = try TestRisk.engine(journal: try RiskJournal())
        var random = SeededRandom(seed: 11)
        let day: Int64 = 86_400_000_000_000, hour: Int64 = 3_600_000_000_000
        var states: Set<Bool> = []
        // 2024-01-02T14:30:00Z on, one session a day, each with a few trades that mostly lose at
        // first and mostly win later, so Defense Mode starts, ends and starts again.
        let start: Int64 = 1_704_205_800 * 1_000_000_000
        for dayIndex in 0..<240 {
            let now = start + Int64(dayIndex) * day
            let window = SessionWindow(name: "open", startNanoseconds: now, endNanoseconds: now + hour)
            let float = Money(units: 100_000_000)
            let events = try carried.beginSession(window, broker: "paper_broker", float: float, holdings: [:], at: now)
            let expected = try rereading.beginSession(window, broker: "paper_broker", float: float, holdings: [:], at: now)
            XCTAssertEqual(events.map(\.message), expected.map(\.message), "day \(dayIndex)")
            XCTAssertEqual(carried.defense, rereading.defense, "day \(dayIndex)")
            states.insert(carried.defense.active)
            let winChance = dayIndex % 80 < 40 ? 3 : 8
            for trade in 0..<Int.random(in: 0...3, using: &random) {
                let pnl = Money(units: Int.random(in: 0..<10, using: &random) < winChance ? 10_000 : -10_000)
                let at = now + Int64(trade + 1) * 60_000_000_000
                XCTAssertEqual(try carried.realized(pnl, symbol: "X", broker: "paper_broker", at: at),
                               try rereading.realized(pnl, symbol: "X", broker: "paper_broker", at: at))
            }
        }
        XCTAssertEqual(states, [false, true], "Defense Mode should both start and end")
    }
}

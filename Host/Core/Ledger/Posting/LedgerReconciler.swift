import Foundation

/// After a restart: every fill the broker acknowledged must be in the ledger. Fills that are
/// missing (the host died between the broker's acknowledgement and the commit) are posted
/// now, oldest first, tagged RECONCILED; positions are then compared. A recovered fill that
/// closes a bot's trade settles into the budgets in the same commit, as it would have live.
public enum LedgerReconciler {
    public struct Report: Equatable, Sendable {
        public var recovered: [String] = []
        public var positionMismatches: [String] = []
    }

    public static func reconcile(broker: BrokerPlugin, poster: LedgerPoster, book: inout PositionBook, at nanoseconds: Int64,
                                 budgets: BudgetBook? = nil) throws -> Report {
        var report = Report()
        for fill in try broker.fills(since: 0) where try !poster.ledger.hasFill(broker: poster.brokerID, confirmation: fill.fillID) {
            let outcome = book.apply(fill, strategy: "reconciled")
            let at = max(nanoseconds, fill.timeNanoseconds)
            var settlement: BudgetSettlement?
            if let budgets, let net = outcome.netResult, let bot = outcome.closedBot, budgets.botState(bot) != nil {
                settlement = try budgets.settle(bot: bot, tradeUUID: outcome.tradeUUID, symbol: fill.symbol, pnl: net, vix: nil, at: at)
            }
            let owner = outcome.closedBot.flatMap { budgets?.botState($0) }
            try poster.post(fill: fill, outcome: outcome,
                            context: .init(strategy: "reconciled", bot: owner?.id, module: owner?.module, tags: ["RECONCILED"]),
                            book: &book, at: at, settlement: settlement)
            if let settlement { budgets?.committed(settlement) }
            report.recovered.append(fill.fillID)
        }
        let held = Dictionary(try broker.positions().map { ($0.symbol, $0.quantity) }, uniquingKeysWith: { $1 })
        for symbol in Set(held.keys).union(book.holdings.keys).sorted() {
            let broker = held[symbol] ?? .zero, books = book.holdings[symbol]?.quantity ?? .zero
            if broker != books { report.positionMismatches.append("\(symbol): broker holds \(broker), ledger holds \(books)") }
        }
        return report
    }
}

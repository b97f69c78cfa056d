import Foundation

/// Rebuilds the open positions of a PositionBook from the ledger, so a restarted session
/// closes what an earlier one opened at the same book value.
public enum LedgerBookLoader {
    /// `brokerID` nil reads the positions of every broker plugin that posted to `brokerCode`.
    public static func book(from ledger: Ledger, brokerCode: String, brokerID: String?, uuidNamespace: String) throws -> PositionBook {
        var book = PositionBook(uuidNamespace: uuidNamespace)
        let positions = ChartOfAccounts.brokerPositions(brokerCode)
        struct Open {
            var quantity = Decimal(0), book = Money.zero, filled = Money.zero, uuid = "", strategy = "", bot = "", opened = Decimal(0)
            var costs = Money.zero
        }
        var open: [String: Open] = [:]
        for posted in try ledger.transactions() {
            let t = posted.transaction, a = t.audit
            guard brokerID == nil || a.broker == brokerID, a.broker != nil, let ticker = a.ticker else { continue }
            var state = open[ticker] ?? Open()
            let positionDelta = t.entries.filter { $0.account == positions }.reduce(Money.zero) { $0 + $1.amount }
            switch t.kind {
            case .fill:
                let signed = (a.side == "sell" ? -1 : 1) * (a.size ?? 0)
                if state.quantity == 0 || (state.quantity > 0) == (signed > 0) {
                    if state.quantity == 0 { state = Open(uuid: a.tradeUUID ?? "", strategy: a.strategy ?? "", bot: a.bot ?? "") }
                    state.opened += abs(signed)
                    state.filled = state.filled + positionDelta
                } else {
                    state.filled = state.filled - Money(state.filled.decimal * min(1, abs(signed) / abs(state.quantity)))
                }
                state.quantity += signed
                state.book = state.book + positionDelta
            case .fee where a.tradeUUID == state.uuid:
                state.costs = state.costs + t.entries.filter { $0.amount > .zero }.reduce(Money.zero) { $0 + $1.amount }
            case .slippage where a.tradeUUID == state.uuid:
                state.book = state.book + positionDelta
                state.costs = state.costs - positionDelta
            default:
                break
            }
            open[ticker] = state.quantity == 0 ? nil : state
        }
        for (ticker, state) in open.sorted(by: { $0.key < $1.key }) {
            // Costs of partly closed trades are carried pro rata to what is still open.
            let remaining = state.opened == 0 ? 1 : abs(state.quantity) / state.opened
            book.restore(symbol: ticker, holding: PositionBook.Holding(
                quantity: Quantity(truncating: state.quantity), bookValue: state.book,
                carriedCosts: Money(state.costs.decimal * remaining), filledValue: state.filled,
                tradeUUID: state.uuid, strategy: state.strategy, bot: state.bot))
        }
        return book
    }
}

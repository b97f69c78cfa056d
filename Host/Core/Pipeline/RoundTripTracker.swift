import Foundation

/// Pairs fills into round trips per symbol (long positions) to count wins and losses and
/// realized P&L exactly.
public struct RoundTripTracker: Sendable {
    private struct Open: Sendable {
        var quantity: Quantity
        var cost: Money
    }

    private var open: [String: Open] = [:]
    public private(set) var realized = Money.zero
    public private(set) var fees = Money.zero
    public private(set) var wins = 0
    public private(set) var losses = 0

    public init() {}

    public var roundTrips: Int { wins + losses }

    /// Records one fill; returns the P&L it realized when it closed (part of) a position.
    @discardableResult
    public mutating func record(_ fill: BrokerFill) -> Money? {
        fees = fees + fill.fee
        let value = Money.value(of: fill.quantity, at: fill.price)
        var position = open[fill.symbol] ?? Open(quantity: .zero, cost: .zero)
        if fill.side == .buy {
            position.quantity = position.quantity + fill.quantity
            position.cost = position.cost + value + fill.fee
            open[fill.symbol] = position
            return nil
        }
        guard position.quantity > .zero else { return nil }
        let closing = min(fill.quantity, position.quantity)
        // Cost of the part closed, pro rata, exact in Decimal.
        let costShare = Money(position.cost.decimal * closing.decimal / position.quantity.decimal)
        let pnl = value - fill.fee - costShare
        position.quantity = position.quantity - closing
        position.cost = position.cost - costShare
        open[fill.symbol] = position.quantity > .zero ? position : nil
        realized = realized + pnl
        if pnl > .zero { wins += 1 } else { losses += 1 }
        return pnl
    }
}

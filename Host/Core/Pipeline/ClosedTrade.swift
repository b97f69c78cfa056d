import Foundation

/// One closed round trip as the books saw it: what a backtest's metrics are computed from.
public struct ClosedTrade: Equatable, Sendable {
    public let symbol: String
    /// The side of the entry: buy for a long trade.
    public let side: TradeSide
    public let quantity: Quantity
    public let entryNanoseconds: Int64
    public let exitNanoseconds: Int64
    /// Price of the fill that opened the position (as the broker reported it).
    public let entryPrice: Decimal?
    public let exitPrice: Decimal
    /// Net of fees.
    public let pnl: Money
}

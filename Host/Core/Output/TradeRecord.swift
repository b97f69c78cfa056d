import Foundation

/// One line of the trade history: a closed trade, or an order the broker rejected or
/// filled only in part (then `errorCode` says which). Field names follow the seed.
public struct TradeRecord: Equatable, Sendable {
    /// When the trade closed (or the order failed), host clock, UTC nanoseconds.
    public var timeNanoseconds: Int64
    public var strategyName: String
    public var ticker: String
    /// "long" or "short".
    public var side: String
    public var size: Quantity
    public var entryPrice: Decimal?
    public var exitPrice: Decimal?
    public var pnl: Money?
    public var broker: String
    public var mode: LedgerMode
    public var errorCode: String?
    public var tradeUUID: String?
    /// Milliseconds from the decision (intent) to the broker's acknowledgement, host clock.
    public var executionMilliseconds: Double?
    public var tags: [String]
    /// Ranked candidates rejected before this trade's entry was sent (0 = its first choice).
    public var fallbackLevel: Int?

    public init(timeNanoseconds: Int64, strategyName: String, ticker: String, side: String, size: Quantity,
                entryPrice: Decimal?, exitPrice: Decimal?, pnl: Money?, broker: String, mode: LedgerMode,
                errorCode: String? = nil, tradeUUID: String? = nil, executionMilliseconds: Double? = nil, tags: [String] = [], fallbackLevel: Int? = nil) {
        self.timeNanoseconds = timeNanoseconds
        self.strategyName = strategyName
        self.ticker = ticker
        self.side = side
        self.size = size
        self.entryPrice = entryPrice
        self.exitPrice = exitPrice
        self.pnl = pnl
        self.broker = broker
        self.mode = mode
        self.errorCode = errorCode
        self.tradeUUID = tradeUUID
        self.executionMilliseconds = executionMilliseconds
        self.tags = tags
        self.fallbackLevel = fallbackLevel
    }
}

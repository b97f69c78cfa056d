import Foundation

/// One entry intent in a ranked pool, as the risk engine judges it.
public struct RiskCandidate: Sendable, Equatable {
    public var intent: TradeIntent
    public var bot: String
    /// The module paying for the bot; nil without budgets.
    public var module: String?
    /// Position in the ranked pool after sorting by the strategy's rank, 1 = best.
    public var poolRank: Int
    /// The module's MAX_RISK_PER_TRADE in USD, when budgets apply.
    public var moduleMaxRisk: Money?

    public init(intent: TradeIntent, bot: String, module: String? = nil, poolRank: Int, moduleMaxRisk: Money? = nil) {
        self.intent = intent
        self.bot = bot
        self.module = module
        self.poolRank = poolRank
        self.moduleMaxRisk = moduleMaxRisk
    }
}

/// The order a candidate becomes after bearish routing: what is bought or sold, at what
/// expected price, with which stop and target.
public struct RoutedEntry: Sendable, Equatable {
    public var symbol: String
    public var side: TradeSide
    public var entry: Double
    public var stop: Double
    public var target: Double
    /// "long", "ShortSell", or "InverseETF SPY->SH".
    public var route: String
}

/// What the pipeline asked the broker about a candidate, in rank order, before the engine
/// decides: the engine itself never calls a plugin, so its rules are plain functions of these.
public struct BrokerFacts: Sendable, Equatable {
    public var broker: String
    public var tradable: Bool
    /// The broker accepts fractional quantities of this symbol.
    public var fractional: Bool
    public var minimum: OrderMinimum
    public var shortSelling: Bool
    public var options: Bool
    public var buyingPower: Money
    /// Bid and ask, when the broker quotes; nil when it offers no quotes.
    public var quote: Quote?
    /// False in a backtest: bars carry no bid/ask at all, so MAX_SPREAD_PCT is recorded as
    /// skipped instead of refusing every entry NO_QUOTE.
    public var replayWithoutQuotes = false

    public struct Quote: Sendable, Equatable {
        public var bid: Double
        public var ask: Double
        public init(bid: Double, ask: Double) { self.bid = bid; self.ask = ask }
    }

    public init(broker: String, tradable: Bool = true, fractional: Bool = true,
                minimum: OrderMinimum = OrderMinimum(quantity: Quantity(units: 1), notional: .zero),
                shortSelling: Bool = false, options: Bool = false, buyingPower: Money, quote: Quote? = nil) {
        self.broker = broker
        self.tradable = tradable
        self.fractional = fractional
        self.minimum = minimum
        self.shortSelling = shortSelling
        self.options = options
        self.buyingPower = buyingPower
        self.quote = quote
    }
}

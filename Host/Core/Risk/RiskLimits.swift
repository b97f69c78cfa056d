import Foundation

/// How a session turns a bearish intent into an order (SHORT_TYPE_<SESSION>).
public enum ShortType: String, Sendable, Codable {
    case disabled, shortSell = "ShortSell", longPut = "LongPut", inverseETF = "InverseETF"
}

/// Every number the risk engine enforces, read once from the validated runtime configuration.
/// Ratios are Decimal so a limit like 0.025 is exact; `inForce(defense:)` gives the reduced
/// set Defense Mode applies.
public struct RiskLimits: Sendable, Equatable, Codable {
    public var disableAllTrades: Bool
    /// Lower-case three-letter UTC weekdays on which entries are allowed.
    public var tradingDays: [String]
    public var totalAllocation: Decimal
    public var maxTrades: Int
    public var weights: [Decimal]
    public var maxOpenPositions: Int
    public var maxConcurrentPerBroker: Int
    public var candidateMultiplier: Int
    public var maxRiskPerTrade: Decimal
    public var maxPositionShare: Decimal
    public var minRewardRisk: Decimal
    public var minPrice: Decimal
    public var maxPrice: Decimal
    public var minVolume: Int
    public var maxSpread: Decimal
    /// False in TEST_MODE unless MARKET_CHECKS_IN_TEST_MODE: the seed skips volume and spread there.
    public var marketChecks: Bool
    public var fractional: Bool
    public var maxHeat: Decimal
    public var maxPerSector: Int
    public var maxCorrelation: Decimal
    public var correlationDays: Int
    public var dailyLossLimit: Decimal
    public var circuitBreakerLoss: Decimal
    public var brokerFloatShare: Decimal
    public var rebalanceTrigger: Decimal
    public var inverseETF: [String: String]
    /// Keyed by session name (open, mid, close); `defaultShortType` for any other session.
    public var shortTypes: [String: ShortType]
    public var defaultShortType: ShortType
    public var defense: DefensePolicy
    /// True when these are the reduced Defense Mode limits.
    public var defenseApplied = false

    /// The Disaster Risk Reduction Protocol's triggers, effects and exit rules.
    public struct DefensePolicy: Sendable, Equatable, Codable {
        /// DEFENSE_MODE_ACTIVE: the operator holds Defense Mode on.
        public var forced: Bool
        public var tradeLimitPercent: Int
        public var totalAllocation: Decimal
        public var winRateFloor: Decimal
        public var winRateDays: Int
        public var minTrades: Int
        public var floatDrawdown: Decimal
        public var killSwitchLimit: Int
        public var killSwitchWindowDays: Int
        public var exitWinRate: Decimal
        public var exitTrades: Int
        public var exitSessions: Int
    }

    public init(config: RuntimeConfig) {
        func text(_ key: String) -> String { config.string(key) ?? ConfigSchema.key(key)?.defaultValue ?? "" }
        func decimal(_ key: String) -> Decimal { ConfigLiterals.decimal(text(key)) ?? 0 }
        func int(_ key: String) -> Int { ConfigLiterals.integer(text(key)) ?? 0 }
        func bool(_ key: String) -> Bool { text(key) == "true" }
        func short(_ key: String) -> ShortType { ShortType(rawValue: text(key)) ?? .disabled }
        disableAllTrades = config.disableAllTrades
        tradingDays = config.tradingDays
        totalAllocation = config.totalAllocation
        maxTrades = config.maxTrades
        weights = config.weights
        maxOpenPositions = config.maxOpenPositions
        maxConcurrentPerBroker = int("MAX_CONCURRENT_TRADES_PER_BROKER")
        candidateMultiplier = int("CANDIDATE_MULTIPLIER")
        maxRiskPerTrade = config.maxRiskPerTrade
        maxPositionShare = decimal("MAX_POSITION_PCT")
        minRewardRisk = decimal("MIN_REWARD_RISK")
        minPrice = config.minPrice
        maxPrice = config.maxPrice
        minVolume = config.minVolumeThreshold
        maxSpread = decimal("MAX_SPREAD_PCT")
        marketChecks = !config.testMode || bool("MARKET_CHECKS_IN_TEST_MODE")
        fractional = config.fractional
        maxHeat = decimal("MAX_PORTFOLIO_HEAT")
        maxPerSector = int("MAX_POSITIONS_PER_SECTOR")
        maxCorrelation = decimal("MAX_CORRELATION")
        correlationDays = int("CORRELATION_LOOKBACK_DAYS")
        dailyLossLimit = config.dailyLossLimit
        circuitBreakerLoss = decimal("CIRCUIT_BREAKER_DAILY_LOSS")
        brokerFloatShare = decimal("BROKER_FLOAT_PCT")
        rebalanceTrigger = decimal("REBALANCE_TRIGGER_PCT")
        var pairs: [String: String] = [:]
        for pair in text("INVERSE_ETF_MAP").split(separator: ",") {
            let sides = pair.split(separator: ":").map(String.init)
            if sides.count == 2 { pairs[sides[0]] = sides[1] }
        }
        inverseETF = pairs
        shortTypes = ["open": short("SHORT_TYPE_OPEN"), "mid": short("SHORT_TYPE_MID"), "close": short("SHORT_TYPE_CLOSE")]
        defaultShortType = short("SHORT_TYPE_DEFAULT")
        defense = DefensePolicy(
            forced: config.defenseModeActive, tradeLimitPercent: config.defenseModeTradeLimitPct,
            totalAllocation: config.defenseModeTotalAllocation, winRateFloor: decimal("DEFENSE_WIN_RATE_FLOOR"),
            winRateDays: int("DEFENSE_WIN_RATE_DAYS"), minTrades: int("DEFENSE_MIN_TRADES"),
            floatDrawdown: decimal("DEFENSE_FLOAT_DRAWDOWN"), killSwitchLimit: int("DEFENSE_KILL_SWITCH_LIMIT"),
            killSwitchWindowDays: int("DEFENSE_KILL_SWITCH_WINDOW"), exitWinRate: decimal("DEFENSE_EXIT_WIN_RATE"),
            exitTrades: int("DEFENSE_EXIT_TRADES"), exitSessions: int("DEFENSE_EXIT_SESSIONS"))
    }

    /// The seed's defaults: what an empty configuration enforces.
    public static var defaults: RiskLimits { RiskLimits(config: .defaults) }

    public func shortType(session: String) -> ShortType { shortTypes[session.lowercased()] ?? defaultShortType }

    /// The limits in force: unchanged in normal mode; in Defense Mode the session allocation is
    /// capped, the trade counts cut to DEFENSE_MODE_TRADE_LIMIT_PCT rounded down (at least 1),
    /// and the weights re-derived for the reduced count by the same rule (SessionWeights).
    public func inForce(defense active: Bool) -> RiskLimits {
        guard active else { return self }
        var reduced = self
        reduced.defenseApplied = true
        reduced.totalAllocation = min(totalAllocation, defense.totalAllocation)
        reduced.maxTrades = Self.defenseCount(maxTrades, percent: defense.tradeLimitPercent)
        reduced.maxConcurrentPerBroker = Self.defenseCount(maxConcurrentPerBroker, percent: defense.tradeLimitPercent)
        reduced.weights = SessionWeights(weights: weights).shares(count: reduced.maxTrades)
        return reduced
    }

    /// floor(count x percent / 100), never below 1: the seed's calculate_defense_mode_max_trades.
    public static func defenseCount(_ count: Int, percent: Int) -> Int {
        max(1, count * percent / 100)
    }
}

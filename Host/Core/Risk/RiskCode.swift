/// Stable reason codes of the risk engine. Operators and scripts match on these strings:
/// a code is never renamed or reused for another meaning (docs/risk.md lists each with its rule).
public enum RiskCode: String, Sendable, Codable, CaseIterable {
    // Controls
    case disableAllTrades = "DISABLE_ALL_TRADES"
    case notATradingDay = "NOT_A_TRADING_DAY"
    case killSwitch = "KILL_SWITCH"
    case circuitBreaker = "CIRCUIT_BREAKER"
    // Session and counts
    case sessionTradeLimit = "SESSION_TRADE_LIMIT"
    case maxOpenPositions = "MAX_OPEN_POSITIONS"
    case brokerConcurrency = "BROKER_CONCURRENCY"
    case alreadyHolding = "ALREADY_HOLDING"
    case poolOverflow = "POOL_OVERFLOW"
    case sessionCapExhausted = "SESSION_CAP_EXHAUSTED"
    // Bearish routing
    case shortDisabled = "SHORT_DISABLED"
    case shortUnsupported = "SHORT_UNSUPPORTED"
    case noInverseETF = "NO_INVERSE_ETF"
    case longPutUnavailable = "LONG_PUT_UNAVAILABLE"
    // Per trade
    case noEntryPrice = "NO_ENTRY_PRICE"
    case missingStop = "MISSING_STOP"
    case stopWrongSide = "STOP_WRONG_SIDE"
    case missingTarget = "MISSING_TARGET"
    case rewardRisk = "REWARD_RISK"
    case priceBelowMin = "PRICE_BELOW_MIN"
    case priceAboveMax = "PRICE_ABOVE_MAX"
    case lowVolume = "LOW_VOLUME"
    case spreadTooWide = "SPREAD_TOO_WIDE"
    case noQuote = "NO_QUOTE"
    case sizeZero = "SIZE_ZERO"
    case belowBrokerMinimum = "BELOW_BROKER_MINIMUM"
    // Portfolio
    case heatLimit = "HEAT_LIMIT"
    case sectorLimit = "SECTOR_LIMIT"
    case correlation = "CORRELATION"
    // Broker eligibility and order time
    case notTradable = "NOT_TRADABLE"
    case accountRestricted = "ACCOUNT_RESTRICTED"
    case brokerError = "BROKER_ERROR"
    case orderRejected = "ORDER_REJECTED"
    case budgetRejected = "BUDGET_REJECTED"
}

/// One rule as evaluated for one candidate: its inputs and its result, for `tbot risk explain`.
public struct RiskCheck: Sendable, Equatable, Codable {
    public var rule: String
    public var passed: Bool
    /// Set when the rule rejected the candidate.
    public var code: RiskCode?
    /// One sentence with the numbers, e.g. "price 4.99 is below MIN_PRICE 5".
    public var detail: String

    public init(rule: String, passed: Bool, code: RiskCode? = nil, detail: String) {
        self.rule = rule
        self.passed = passed
        self.code = code
        self.detail = detail
    }
}

/// What one rule says: pass with a sentence, or reject with a code and a sentence. The
/// sentences are byte text: every entry writes some twenty of them.
enum RuleOutcome {
    case pass(ByteText)
    case reject(RiskCode, ByteText)
}

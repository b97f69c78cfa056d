import Foundation

extension RiskLimits {
    /// The limits as configuration key and value, in the order `tbot risk limits` prints them.
    public var table: [(key: String, value: String)] {
        func list(_ values: [Decimal]) -> String { values.map { "\($0)" }.joined(separator: ",") }
        return [
            ("DISABLE_ALL_TRADES", "\(disableAllTrades)"),
            ("TRADING_DAYS", tradingDays.joined(separator: ",")),
            ("TOTAL_ALLOCATION", "\(totalAllocation)"),
            ("MAX_TRADES", "\(maxTrades)"),
            ("WEIGHTS", list(weights)),
            ("CANDIDATE_MULTIPLIER", "\(candidateMultiplier)"),
            ("MAX_OPEN_POSITIONS", "\(maxOpenPositions)"),
            ("MAX_CONCURRENT_TRADES_PER_BROKER", "\(maxConcurrentPerBroker)"),
            ("MAX_RISK_PER_TRADE", "\(maxRiskPerTrade)"),
            ("MAX_POSITION_PCT", "\(maxPositionShare)"),
            ("MIN_REWARD_RISK", "\(minRewardRisk)"),
            ("MIN_PRICE", "\(minPrice)"),
            ("MAX_PRICE", "\(maxPrice)"),
            ("MIN_VOLUME_THRESHOLD", "\(minVolume)" + (marketChecks ? "" : " (skipped: TEST_MODE)")),
            ("MAX_SPREAD_PCT", "\(maxSpread)" + (marketChecks ? "" : " (skipped: TEST_MODE)")),
            ("FRACTIONAL", "\(fractional)"),
            ("MAX_PORTFOLIO_HEAT", "\(maxHeat)"),
            ("MAX_POSITIONS_PER_SECTOR", "\(maxPerSector)"),
            ("MAX_CORRELATION", "\(maxCorrelation)"),
            ("CORRELATION_LOOKBACK_DAYS", "\(correlationDays)"),
            ("DAILY_LOSS_LIMIT", "\(dailyLossLimit)"),
            ("CIRCUIT_BREAKER_DAILY_LOSS", "\(circuitBreakerLoss)"),
            ("BROKER_FLOAT_PCT", "\(brokerFloatShare)"),
            ("REBALANCE_TRIGGER_PCT", "\(rebalanceTrigger)"),
            ("INVERSE_ETF_MAP", inverseETF.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")),
            ("SHORT_TYPE_OPEN", shortType(session: "open").rawValue),
            ("SHORT_TYPE_MID", shortType(session: "mid").rawValue),
            ("SHORT_TYPE_CLOSE", shortType(session: "close").rawValue),
            ("SHORT_TYPE_DEFAULT", defaultShortType.rawValue),
        ]
    }
}

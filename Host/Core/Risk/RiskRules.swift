import Foundation

/// An entry's prices read once for the rules that compare and print them.
struct EntryPrices {
    let entry: ExactNumber
    let stop: ExactNumber
    let target: ExactNumber
    /// The entry as the sentences print it.
    let entryText: String

    init(_ routed: RoutedEntry) {
        entry = ExactNumber(price: routed.entry)
        stop = ExactNumber(price: routed.stop)
        target = ExactNumber(price: routed.target)
        entryText = entry.text
    }
}

/// The rules as pure functions: inputs in, a pass or a rejection with its sentence out. Each
/// sentence states the inputs and the limit, so `tbot risk explain` needs nothing else.
/// Comparisons run on the exact decimal values of the quoted prices (ExactNumber), so a boundary is exact.
enum RiskRules {
    static func disableAll(_ limits: RiskLimits) -> RuleOutcome {
        limits.disableAllTrades ? .reject(.disableAllTrades, "DISABLE_ALL_TRADES=true blocks every entry") : .pass("DISABLE_ALL_TRADES=false")
    }

    static func tradingDay(_ limits: PreparedLimits, at now: Int64) -> RuleOutcome {
        let name = weekday(now)
        return limits.limits.tradingDays.contains(name)
            ? .pass("\(name) is in TRADING_DAYS \(limits.tradingDays)")
            : .reject(.notATradingDay, "\(name) (UTC) is not in TRADING_DAYS \(limits.tradingDays)")
    }

    /// Lower-case UTC weekday name; 1970-01-01 was a Thursday.
    private static let weekdayNames = ["thu", "fri", "sat", "sun", "mon", "tue", "wed"]

    static func weekday(_ nanoseconds: Int64) -> String {
        let names = weekdayNames
        // Floor division: a time before 1970 belongs to the day that starts before it.
        let day = nanoseconds >= 0 ? nanoseconds / RiskEngine.day : (nanoseconds + 1) / RiskEngine.day - 1
        return names[Int(((day % 7) + 7) % 7)]
    }

    static func killSwitch(broker: String, halted: String?) -> RuleOutcome {
        halted.map { .reject(.killSwitch, "broker \(broker) is halted for the day: \($0)") } ?? .pass("broker \(broker) is not halted")
    }

    static func circuitBreaker(_ reason: String?) -> RuleOutcome {
        reason.map { .reject(.circuitBreaker, "the daily circuit breaker is open: \($0)") } ?? .pass("circuit breaker closed")
    }

    static func sessionSlots(remaining: Int, limits: RiskLimits) -> RuleOutcome {
        remaining > 0
            ? .pass("\(remaining) of MAX_TRADES \(limits.maxTrades) left in this session")
            : .reject(.sessionTradeLimit, "the session has used all MAX_TRADES \(limits.maxTrades) trades")
    }

    static func openPositions(count: Int, limits: RiskLimits) -> RuleOutcome {
        count < limits.maxOpenPositions
            ? .pass("\(count) open of MAX_OPEN_POSITIONS \(limits.maxOpenPositions)")
            : .reject(.maxOpenPositions, "\(count) positions are open; MAX_OPEN_POSITIONS is \(limits.maxOpenPositions)")
    }

    static func brokerConcurrency(count: Int, broker: String, limits: RiskLimits) -> RuleOutcome {
        count < limits.maxConcurrentPerBroker
            ? .pass("\(count) open at \(broker) of MAX_CONCURRENT_TRADES_PER_BROKER \(limits.maxConcurrentPerBroker)")
            : .reject(.brokerConcurrency, "\(count) positions are open at \(broker); MAX_CONCURRENT_TRADES_PER_BROKER is \(limits.maxConcurrentPerBroker)")
    }

    static func entryPrice(_ entry: RoutedEntry, prices: EntryPrices) -> RuleOutcome {
        entry.entry > 0 ? .pass("entry \(prices.entryText)") : .reject(.noEntryPrice, "no entry price and no bar of \(entry.symbol) to price it")
    }

    static func stop(_ entry: RoutedEntry, prices: EntryPrices) -> RuleOutcome {
        guard entry.stop > 0 else { return .reject(.missingStop, "the intent has no stop price; stop-based sizing needs one") }
        let long = entry.side == .buy
        guard long ? entry.stop < entry.entry : entry.stop > entry.entry else {
            return .reject(.stopWrongSide, "stop \(prices.stop.text) is not \(long ? "below" : "above") the entry \(prices.entryText) of a \(long ? "long" : "short") entry")
        }
        return .pass("stop \(prices.stop.text), \(prices.entry.distance(to: prices.stop).text) per share at risk")
    }

    static func rewardRisk(_ entry: RoutedEntry, prices: EntryPrices, limits: PreparedLimits) -> RuleOutcome {
        let minimum = limits.minRewardRisk
        guard minimum.isAboveZero else { return .pass("MIN_REWARD_RISK is 0: not checked") }
        let long = entry.side == .buy
        guard entry.target > 0, long ? entry.target > entry.entry : entry.target < entry.entry else {
            return .reject(.missingTarget, "the intent has no target \(long ? "above" : "below") its entry; reward:risk cannot be measured")
        }
        let reward = prices.target.distance(to: prices.entry)
        let risk = prices.entry.distance(to: prices.stop)
        let ratio = RewardRiskRatio(reward: reward, risk: risk, minimum: minimum) ?? RewardRiskRatio(entry, minimum: minimum)
        return ratio.meets
            ? .pass("reward:risk \(ratio.shown) (\(reward.text) / \(risk.text)) meets MIN_REWARD_RISK \(minimum.text)")
            : .reject(.rewardRisk, "reward:risk \(ratio.shown) (\(reward.text) / \(risk.text)) is below MIN_REWARD_RISK \(minimum.text)")
    }

    static func priceBand(_ entry: RoutedEntry, prices: EntryPrices, limits: PreparedLimits) -> RuleOutcome {
        if prices.entry < limits.minPrice.exact {
            return .reject(.priceBelowMin, "price \(prices.entryText) of \(entry.symbol) is below MIN_PRICE \(limits.minPrice.text)")
        }
        if prices.entry > limits.maxPrice.exact {
            return .reject(.priceAboveMax, "price \(prices.entryText) of \(entry.symbol) is above MAX_PRICE \(limits.maxPrice.text)")
        }
        return .pass("price \(prices.entryText) within MIN_PRICE \(limits.minPrice.text) .. MAX_PRICE \(limits.maxPrice.text)")
    }

    static func volume(symbol: String, averageDaily: Double?, limits: RiskLimits) -> RuleOutcome {
        guard limits.marketChecks else { return .pass("skipped: TEST_MODE=true and MARKET_CHECKS_IN_TEST_MODE=false") }
        guard let averageDaily else {
            return .reject(.lowVolume, "no completed day of \(symbol) volume to compare with MIN_VOLUME_THRESHOLD \(limits.minVolume)")
        }
        let shown = DecimalText.format(Decimal(averageDaily.rounded(.down)), fractionDigits: 0)
        return averageDaily >= Double(limits.minVolume)
            ? .pass("average daily volume \(shown) meets MIN_VOLUME_THRESHOLD \(limits.minVolume)")
            : .reject(.lowVolume, "average daily volume \(shown) of \(symbol) is below MIN_VOLUME_THRESHOLD \(limits.minVolume)")
    }

    static func spread(_ entry: RoutedEntry, quote: BrokerFacts.Quote?, limits: RiskLimits, replay: Bool = false) -> RuleOutcome {
        guard limits.marketChecks else { return .pass("skipped: TEST_MODE=true and MARKET_CHECKS_IN_TEST_MODE=false") }
        guard !replay else { return .pass("skipped: a backtest's bars carry no bid/ask quotes") }
        guard let quote, quote.bid > 0, quote.ask >= quote.bid else {
            return .reject(.noQuote, "no bid/ask quote for \(entry.symbol): the spread cannot be checked before a live order")
        }
        let spread = decimal(quote.ask) - decimal(quote.bid)
        let share = spread / decimal(entry.entry)
        let detail = "spread \(text(spread)) (bid \(text(quote.bid)), ask \(text(quote.ask))) is \(percent(share)) of entry \(text(entry.entry))"
        return share <= limits.maxSpread
            ? .pass("\(detail), within MAX_SPREAD_PCT \(percent(limits.maxSpread))")
            : .reject(.spreadTooWide, "\(detail), above MAX_SPREAD_PCT \(percent(limits.maxSpread))")
    }

    static func sector(symbol: String, sector: String?, count: Int, limits: RiskLimits) -> RuleOutcome {
        guard let sector else { return .pass("\(symbol) is not in the sector map: no sector limit") }
        return count < limits.maxPerSector
            ? .pass("\(count) open in sector \(sector) of MAX_POSITIONS_PER_SECTOR \(limits.maxPerSector)")
            : .reject(.sectorLimit, "\(count) positions are open in sector \(sector); MAX_POSITIONS_PER_SECTOR is \(limits.maxPerSector)")
    }

    static func correlation(symbol: String, with others: [(String, Double?)], limits: RiskLimits) -> RuleOutcome {
        guard !others.isEmpty else { return .pass("no open position to correlate with") }
        var measured: [String] = []
        for (other, value) in others {
            guard let value else {
                measured.append("\(other): not enough daily history")
                continue
            }
            let shown = String(format: "%.4f", value)
            if Decimal(value) > limits.maxCorrelation {
                return .reject(.correlation, "\(limits.correlationDays)-day return correlation of \(symbol) with open \(other) is \(shown), above MAX_CORRELATION \(limits.maxCorrelation)")
            }
            measured.append("\(other): \(shown)")
        }
        return .pass("correlations within MAX_CORRELATION \(limits.maxCorrelation): \(measured.joined(separator: ", "))")
    }

    // MARK: formatting

    static func decimal(_ price: Double) -> Decimal { DecimalText.fromPrice(price) }
    static func text(_ price: Double) -> String { ExactNumber(price: price).text }
    static func text(_ value: Decimal) -> String { DecimalText.format(value, fractionDigits: 4, trimZeros: true) }
    static func percent(_ share: Decimal) -> String { DecimalText.format(share * 100, fractionDigits: 2, trimZeros: true) + "%" }
}

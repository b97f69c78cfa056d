import Foundation

/// The first pass over a ranked pool: every rule that does not depend on the order's size,
/// in a fixed order, stopping at the first rejection. An eligible candidate holds a slot
/// until it is sized and sent (or released).
extension RiskEngine {
    public enum Screening: Sendable, Equatable {
        case eligible(RoutedEntry, checks: [RiskCheck])
        case rejected(RiskCode, String, checks: [RiskCheck])
    }

    /// The controls that stop every entry at `broker` now (DISABLE_ALL_TRADES, TRADING_DAYS, the
    /// kill switch, the circuit breaker): for an entry sent outside a pool (an operator's approval).
    public func entryBlock(broker: String, at now: Int64) -> String? {
        for outcome in [RiskRules.disableAll(inForce), RiskRules.tradingDay(prepared, at: now),
                        RiskRules.killSwitch(broker: broker, halted: isHalted(broker: broker)), RiskRules.circuitBreaker(circuitBreaker?.reason)] {
            if case .reject(let code, let detail) = outcome { return "\(code.rawValue): \(detail.string)" }
        }
        return nil
    }

    /// `entryPrice` is the intent's entry, or the last close when the intent says market (0);
    /// `lastPrice` gives the last close of other symbols (inverse ETFs).
    public func screen(_ candidate: RiskCandidate, facts: BrokerFacts, entryPrice: Double, session: String,
                       lastPrice: (String) -> Double?, at now: Int64) -> Screening {
        let prepared = self.prepared, limits = prepared.limits
        let broker = facts.broker
        var checks: [RiskCheck] = []
        checks.reserveCapacity(19)
        func run(_ rule: String, _ outcome: RuleOutcome) -> Screening? {
            switch outcome {
            case .pass(let detail):
                checks.append(RiskCheck(rule: rule, passed: true, detail: detail.string))
                return nil
            case .reject(let code, let detail):
                let sentence = detail.string
                checks.append(RiskCheck(rule: rule, passed: false, code: code, detail: sentence))
                return .rejected(code, sentence, checks: checks)
            }
        }
        if let stop = run("DISABLE_ALL_TRADES", RiskRules.disableAll(limits)) { return stop }
        if let stop = run("TRADING_DAYS", RiskRules.tradingDay(prepared, at: now)) { return stop }
        if let stop = run("KILL_SWITCH", RiskRules.killSwitch(broker: broker, halted: isHalted(broker: broker))) { return stop }
        if let stop = run("CIRCUIT_BREAKER", RiskRules.circuitBreaker(circuitBreaker?.reason)) { return stop }
        if let stop = run("MAX_TRADES", RiskRules.sessionSlots(remaining: remainingSlots(broker: broker), limits: limits)) { return stop }
        if let stop = run("MAX_OPEN_POSITIONS", RiskRules.openPositions(count: positions.count, limits: limits)) { return stop }
        let atBroker = positions.values.filter { $0.broker == broker }.count
        if let stop = run("MAX_CONCURRENT_TRADES_PER_BROKER", RiskRules.brokerConcurrency(count: atBroker, broker: broker, limits: limits)) {
            return stop
        }
        let routing = BearishRouting.route(candidate.intent, entry: entryPrice, type: limits.shortType(session: session), limits: limits,
                                           facts: facts, lastPrice: lastPrice)
        let entry: RoutedEntry
        switch routing {
        case .failure(let rejection):
            return run("SHORT_TYPE", .reject(rejection.code, "\(rejection.detail)"))!
        case .success(let routed):
            entry = routed
            _ = run("SHORT_TYPE", .pass(routed.route == "long" ? "long entry: no routing needed" : "bearish intent routed as \(routed.route)"))
        }
        if let stop = run("ALREADY_HOLDING", positions[entry.symbol] == nil
            ? .pass("no open position in \(entry.symbol)")
            : .reject(.alreadyHolding, "\(entry.symbol) is already held or reserved")) { return stop }
        let prices = EntryPrices(entry)
        if let stop = run("ENTRY_PRICE", RiskRules.entryPrice(entry, prices: prices)) { return stop }
        if let stop = run("STOP", RiskRules.stop(entry, prices: prices)) { return stop }
        if let stop = run("MIN_REWARD_RISK", RiskRules.rewardRisk(entry, prices: prices, limits: prepared)) { return stop }
        if let stop = run("MIN_PRICE/MAX_PRICE", RiskRules.priceBand(entry, prices: prices, limits: prepared)) { return stop }
        let today = now / Self.day
        // Read only when the rule looks at it (TEST_MODE skips it).
        let volume = limits.marketChecks ? history.averageDailyVolume(entry.symbol, days: 20, before: today) : nil
        if let stop = run("MIN_VOLUME_THRESHOLD", RiskRules.volume(symbol: entry.symbol, averageDaily: volume, limits: limits)) { return stop }
        if let stop = run("MAX_SPREAD_PCT", RiskRules.spread(entry, quote: facts.quote, limits: limits, replay: facts.replayWithoutQuotes)) { return stop }
        let symbolSector = sector(of: entry.symbol)
        let sameSector = symbolSector.map { name in positions.values.filter { $0.sector == name }.count } ?? 0
        if let stop = run("MAX_POSITIONS_PER_SECTOR", RiskRules.sector(symbol: entry.symbol, sector: symbolSector, count: sameSector, limits: limits)) {
            return stop
        }
        let minimumSamples = max(5, limits.correlationDays / 2)
        let correlations = positions.keys.sorted().filter { $0 != entry.symbol }.map { other in
            (other, history.returnCorrelation(entry.symbol, other, lookback: limits.correlationDays, minimumSamples: minimumSamples, before: today))
        }
        if let stop = run("MAX_CORRELATION", RiskRules.correlation(symbol: entry.symbol, with: correlations, limits: limits)) { return stop }
        if let stop = run("BROKER_TRADABLE", facts.tradable
            ? .pass("broker \(broker) trades \(entry.symbol) now")
            : .reject(.notTradable, "broker \(broker) says \(entry.symbol) is not tradable now")) { return stop }
        if let stop = run("ACCOUNT", facts.buyingPower > .zero
            ? .pass("buying power \(facts.buyingPower)")
            : .reject(.accountRestricted, "broker \(broker) reports no buying power (\(facts.buyingPower))")) { return stop }
        reserve(entry, broker: broker)
        return .eligible(entry, checks: checks)
    }
}

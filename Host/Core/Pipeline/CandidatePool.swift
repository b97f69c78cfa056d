import Foundation
import TBotPluginAPI

/// The ranked candidate pool and its broker-eligibility fallback (the core spec's "Ranked
/// Symbol Fallback"): the entries one strategy call emits, sorted by rank (ties keep emit
/// order) and cut to MAX_TRADES x CANDIDATE_MULTIPLIER, are walked in rank order. The first
/// pass asks the broker and the risk rules about each candidate until the session's free
/// slots are filled; the accepted ones share the session cap by WEIGHTS. Each is then sized,
/// checked by the budgets and sent; one rejected at that stage (size, minimums, heat, budget,
/// broker refusal) hands its slot and weight to the next eligible candidate of the pool, one
/// fallback level deeper. Every decision is recorded with its rank and fallback level.
extension TradingPipeline {
    private struct Eligible {
        let candidate: RiskCandidate
        let entry: RoutedEntry
        let facts: BrokerFacts
        let checks: [RiskCheck]
    }

    func runPool(_ intents: [TradeIntent], bot: PipelineBot) {
        let limits = risk.prepared.limits
        let ranked = intents.enumerated().sorted { ($0.element.rank, $0.offset) < ($1.element.rank, $1.offset) }.map(\.element)
        let size = limits.maxTrades * limits.candidateMultiplier
        let moduleMaxRisk = budgets.flatMap { $0.plan.module(bot.module)?.declaration.maxRiskPerTrade }
        let pool = ranked.enumerated().map {
            RiskCandidate(intent: $0.element, bot: bot.id, module: budgets == nil ? nil : bot.module, poolRank: $0.offset + 1,
                          moduleMaxRisk: moduleMaxRisk)
        }
        for candidate in pool.dropFirst(size) {
            decide(candidate, entry: nil, level: 0, outcome: .rejected, code: .poolOverflow,
                   sentence: "pool rank \(candidate.poolRank) is beyond MAX_TRADES x CANDIDATE_MULTIPLIER = \(size)", checks: [])
        }
        let account: BrokerAccount
        do { account = try broker.account() } catch {
            for candidate in pool.prefix(size) {
                decide(candidate, entry: nil, level: 0, outcome: .rejected, code: .brokerError, sentence: "broker account unavailable: \(error)", checks: [])
            }
            return
        }
        let poolCap = risk.remainingCap(broker: broker.id)
        let slots = risk.remainingSlots(broker: broker.id)
        var next = 0
        var level = 0
        // The next candidate of the pool that passes every size-independent rule.
        func nextEligible() -> Eligible? {
            while next < min(pool.count, size) {
                let candidate = pool[next]
                next += 1
                let price = candidate.intent.entryPrice > 0 ? candidate.intent.entryPrice : (lastBars[candidate.intent.symbol]?.close ?? 0)
                do {
                    var facts = try brokerFacts(candidate.intent.symbol, account: account)
                    var screening = risk.screen(candidate, facts: facts, entryPrice: price, session: window.name,
                                                lastPrice: { self.lastBars[$0]?.close }, at: clock.nowNanoseconds)
                    if case .eligible(let entry, _) = screening, entry.symbol != candidate.intent.symbol {
                        // Routed to an inverse ETF: the broker's word on that symbol is what counts.
                        risk.released(symbol: entry.symbol)
                        facts = try brokerFacts(entry.symbol, account: account)
                        screening = risk.screen(candidate, facts: facts, entryPrice: price, session: window.name,
                                                lastPrice: { self.lastBars[$0]?.close }, at: clock.nowNanoseconds)
                    }
                    switch screening {
                    case .eligible(let entry, let checks):
                        return Eligible(candidate: candidate, entry: entry, facts: facts, checks: checks)
                    case .rejected(let code, let sentence, let checks):
                        decide(candidate, entry: nil, level: level, outcome: .rejected, code: code, sentence: sentence, checks: checks)
                    }
                } catch {
                    decide(candidate, entry: nil, level: level, outcome: .rejected, code: .brokerError,
                           sentence: "broker \(broker.id) could not answer for \(candidate.intent.symbol): \(error)", checks: [])
                }
            }
            return nil
        }
        var accepted: [Eligible] = []
        while accepted.count < slots, let eligible = nextEligible() { accepted.append(eligible) }
        // No free slot: the walk still runs so every candidate is recorded with its reason.
        if slots == 0 { _ = nextEligible() }
        if accepted.count < min(slots, pool.count, size) {
            record(.note("  pool of \(min(pool.count, size)) from \(bot.id): \(accepted.count) eligible for \(slots) free slot(s)"))
        }
        let shares = risk.prepared.sessionShares(count: accepted.count)
        for (slot, first) in accepted.enumerated() {
            level = 0
            var current: Eligible? = first
            while let choice = current {
                if attempt(choice, share: shares[slot], poolCap: poolCap, level: level) { break }
                level += 1
                current = nextEligible()
            }
        }
    }

    /// Sizes, budgets and sends one accepted candidate. False when it was rejected and its
    /// slot should fall back to the next eligible candidate.
    private func attempt(_ choice: Eligible, share: PreparedDecimal, poolCap: Money, level: Int) -> Bool {
        let candidate = choice.candidate, entry = choice.entry
        defer { risk.released(symbol: entry.symbol) }
        var checks = choice.checks
        switch risk.size(entry, candidate: candidate, facts: choice.facts, share: share, poolCap: poolCap) {
        case .rejected(let code, let sentence, let more):
            decide(candidate, entry: entry, level: level, outcome: .rejected, code: code, sentence: sentence, checks: checks + more)
            return false
        case .sized(let quantity, let amount, let more):
            checks += more
            let request = budgetRequest(bot: candidate.bot, symbol: entry.symbol, side: entry.side, quantity: quantity,
                                        entry: entry.entry, stop: entry.stop)
            switch admitted(request) {
            case .allowed:
                break
            case .queued:
                // The entry waits for an operator's approval: its slot is not handed on.
                decide(candidate, entry: entry, level: level, outcome: .rejected, code: .budgetRejected,
                       sentence: "queued for an operator's approval (the module or bot does not autotrade)", checks: checks)
                return true
            case .rejected:
                decide(candidate, entry: entry, level: level, outcome: .rejected, code: .budgetRejected,
                       sentence: "the budgets did not admit the entry (see the budget line above)", checks: checks)
                return false
            }
            var tags = [String]()
            if risk.defense.active { tags.append("DEFENSE_MODE_ACTIVE") }
            if entry.route != "long" { tags.append(entry.route.replacingOccurrences(of: " ", with: "_")) }
            switch submit(symbol: entry.symbol, side: entry.side, quantity: quantity, expectedPrice: entry.entry, bot: candidate.bot,
                          tags: tags, fallbackLevel: level) {
            case .sent:
                decide(candidate, entry: entry, level: level, outcome: .approved, code: nil,
                       sentence: "\(quantity) shares, risk \(amount)", checks: checks, quantity: quantity, amount: amount)
                risk.committed(symbol: entry.symbol, broker: broker.id, risk: amount)
                // Kept for the trade's history line, whether the broker filled now or fills later.
                entryNotes[entry.symbol] = (level, tags)
                return true
            case .rejected(let reason):
                decide(candidate, entry: entry, level: level, outcome: .rejected, code: .orderRejected,
                       sentence: "broker \(broker.id) rejected the order: \(reason)", checks: checks)
                return false
            case .failed(let reason):
                decide(candidate, entry: entry, level: level, outcome: .rejected, code: .brokerError,
                       sentence: "the order was not placed: \(reason)", checks: checks)
                return false
            }
        }
    }

    /// The broker's answers for one symbol, asked in rank order.
    func brokerFacts(_ symbol: String, account: BrokerAccount) throws -> BrokerFacts {
        var facts = BrokerFacts(broker: broker.id, tradable: try broker.isTradable(symbol), fractional: try broker.supportsFractional(symbol),
                                minimum: try broker.minimumOrder(symbol), shortSelling: broker.hasCapability(TBOT_EXT_BROKER_SHORT_SELLING),
                                options: broker.hasCapability(TBOT_EXT_BROKER_OPTIONS), buyingPower: account.buyingPower, quote: nil)
        facts.replayWithoutQuotes = mode == .backtest
        return facts
    }

    private func decide(_ candidate: RiskCandidate, entry: RoutedEntry?, level: Int, outcome: RiskDecision.Outcome, code: RiskCode?,
                        sentence: String, checks: [RiskCheck], quantity: Quantity? = nil, amount: Money? = nil) {
        let decision = RiskDecision(
            id: nil, decidedNanoseconds: clock.nowNanoseconds, session: window.name, sessionStartNanoseconds: window.startNanoseconds,
            broker: broker.id, bot: candidate.bot, intentSymbol: candidate.intent.symbol, symbol: entry?.symbol ?? candidate.intent.symbol,
            side: entry?.side ?? candidate.intent.side, poolRank: candidate.poolRank, fallbackLevel: level, outcome: outcome, code: code,
            sentence: sentence, quantity: quantity, riskAmount: amount, defense: risk.defense.active, checks: checks)
        if outcome == .rejected { counts.riskRejections += 1 }
        record(.risk(decision))
        pendingDecisions.append(decision)
        if pendingDecisions.count >= 256 { flushDecisions() }
    }

    /// Writes the buffered decisions in one commit: they are the audit trail, not money, so a
    /// crash may lose the last few but never a posting.
    func flushDecisions() {
        guard !pendingDecisions.isEmpty else { return }
        do { try risk.journal.record(pendingDecisions) } catch { record(.note("risk journal write failed: \(error)")) }
        pendingDecisions = []
    }

    /// The session starts at the broker: its float, its holdings and the risk notifications.
    func beginRiskSession(_ session: SessionWindow) {
        do {
            let account = try broker.account()
            let holdings = book.holdings.mapValues { Money(units: abs($0.bookValue.units)) }
            for event in try risk.beginSession(session, broker: broker.id, float: account.equity, holdings: holdings, at: clock.nowNanoseconds) {
                record(.riskNotification(event))
            }
            if let halted = risk.isHalted(broker: broker.id) { record(.note("broker \(broker.id) is halted for today: \(halted)")) }
        } catch {
            halt("risk engine could not start the session, trading halted: \(error)")
        }
    }

    /// After a fill is booked: a closed trade's result feeds the kill switch and the circuit
    /// breaker; a flat symbol frees its portfolio slot.
    func noteRisk(fill: BrokerFill, outcome: PositionBook.Outcome, context: LedgerPoster.FillContext) {
        if book.holdings[fill.symbol] == nil { risk.positionClosed(symbol: fill.symbol) }
        guard let net = outcome.netResult else { return }
        do {
            for firing in try risk.realized(net, symbol: fill.symbol, broker: broker.id, at: clock.nowNanoseconds) {
                if firing.broker == broker.id {
                    record(.note("kill switch: broker \(broker.id) halted for the day: \(firing.reason)"))
                    pendingKillSwitch = firing.reason
                } else {
                    record(.note("circuit breaker: \(firing.reason)"))
                }
            }
        } catch {
            halt("risk journal write failed, trading halted: \(error)")
        }
    }
}

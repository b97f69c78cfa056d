import Foundation

/// The second pass: the size of an eligible candidate and the rules that depend on it.
///
/// Risk amount = the least of the candidate's weighted share of the session cap, the account's
/// MAX_RISK_PER_TRADE of capital and the module's max_risk_per_trade. Quantity = risk amount /
/// |entry - stop|, capped so the position is worth at most MAX_POSITION_PCT of capital and no
/// more than the strategy's max_quantity (a fixed-size strategy) and the buying power; whole shares unless FRACTIONAL and the broker takes fractions
/// of the symbol; then the broker's minimums and the portfolio heat.
extension RiskEngine {
    public enum Sizing: Sendable, Equatable {
        case sized(quantity: Quantity, risk: Money, checks: [RiskCheck])
        case rejected(RiskCode, String, checks: [RiskCheck])
    }

    /// `share` is the candidate's weight; `poolCap` the session cap left when its pool began.
    public func size(_ entry: RoutedEntry, candidate: RiskCandidate, facts: BrokerFacts, share: Decimal, poolCap: Money) -> Sizing {
        size(entry, candidate: candidate, facts: facts, share: PreparedDecimal(share), poolCap: poolCap)
    }

    /// The same, with the share's exact value and percentage made once per pool (sessionShares).
    func size(_ entry: RoutedEntry, candidate: RiskCandidate, facts: BrokerFacts, share: PreparedDecimal, poolCap: Money) -> Sizing {
        let prepared = self.prepared
        var checks: [RiskCheck] = []
        checks.reserveCapacity(5)
        func reject(_ rule: String, _ code: RiskCode, _ detail: ByteText) -> Sizing {
            let sentence = detail.string
            checks.append(RiskCheck(rule: rule, passed: false, code: code, detail: sentence))
            return .rejected(code, sentence, checks: checks)
        }
        func pass(_ rule: String, _ detail: ByteText) { checks.append(RiskCheck(rule: rule, passed: true, detail: detail.string)) }

        let weighted = min(poolCap.cut(times: share), remainingCap(broker: facts.broker))
        guard weighted > .zero else {
            return reject("TOTAL_ALLOCATION", .sessionCapExhausted,
                          "the session cap of broker \(facts.broker) is used up (\(usage[facts.broker]?.cap ?? .zero) at TOTAL_ALLOCATION \(prepared.totalAllocation.percent))")
        }
        pass("WEIGHTS", "weight \(share.percent) of session cap \(poolCap) = \(weighted)")
        let capital = self.capital
        let perTrade = capital.cut(times: prepared.maxRiskPerTrade)
        var risk = min(weighted, perTrade)
        var bound = risk == weighted ? "session weight" : "MAX_RISK_PER_TRADE \(prepared.maxRiskPerTrade.percent) of capital \(capital)"
        if let moduleMax = candidate.moduleMaxRisk, moduleMax < risk {
            risk = moduleMax
            bound = "module max_risk_per_trade \(moduleMax)"
        }
        pass("MAX_RISK_PER_TRADE", "risk amount \(risk), set by the \(bound)")

        let entryPrice = ExactNumber(price: entry.entry)
        let perShare = entryPrice.distance(to: ExactNumber(price: entry.stop))
        let maxQuantity = candidate.intent.maxQuantity
        let count = ShareCount(risk: risk, perShare: perShare, capital: capital, positionShare: prepared.maxPositionShare, entry: entryPrice,
                               maxQuantity: maxQuantity, buyingPower: facts.buyingPower)
            ?? ShareCount(entry, risk: risk, capital: capital, positionShare: prepared.maxPositionShare.decimal, maxQuantity: maxQuantity,
                          buyingPower: facts.buyingPower)
        var sizing = ["\(risk) / \(perShare.text) per share"]
        for cap in count.caps {
            switch cap {
            case .positionShare: sizing.append("capped at MAX_POSITION_PCT \(prepared.maxPositionShare.percent) of capital \(capital)")
            case .maxQuantity: sizing.append("capped at the strategy's max_quantity \(maxQuantity ?? .zero)")
            case .buyingPower: sizing.append("capped by buying power \(facts.buyingPower)")
            }
        }
        var quantity = count.quantity
        let fractional = prepared.limits.fractional && facts.fractional
        if !fractional {
            quantity = quantity.wholeSharesOnly
            sizing.append(prepared.limits.fractional ? "whole shares: broker \(facts.broker) takes no fractions of \(entry.symbol)" : "whole shares: FRACTIONAL=false")
        }
        guard quantity > .zero else { return reject("SIZE", .sizeZero, "sized quantity is 0 (\(sizing.joined(separator: ", ")))") }
        pass("SIZE", "\(quantity) shares (\(sizing.joined(separator: ", ")))")

        let notional = Money(quantity, times: entryPrice)
        if quantity < facts.minimum.quantity {
            return reject("BROKER_MINIMUM", .belowBrokerMinimum, "quantity \(quantity) is below broker \(facts.broker)'s minimum \(facts.minimum.quantity) for \(entry.symbol)")
        }
        if notional < facts.minimum.notional {
            return reject("BROKER_MINIMUM", .belowBrokerMinimum, "order value \(notional) is below broker \(facts.broker)'s minimum \(facts.minimum.notional) for \(entry.symbol)")
        }
        pass("BROKER_MINIMUM", "quantity \(quantity) and value \(notional) meet the minimums \(facts.minimum.quantity) and \(facts.minimum.notional)")

        let actualRisk = Money(quantity, times: perShare)
        let heatLimit = capital.cut(times: prepared.maxHeat)
        let openRisk = self.openRisk
        let heat = openRisk + actualRisk
        if heat > heatLimit {
            return reject("MAX_PORTFOLIO_HEAT", .heatLimit,
                          "open risk \(openRisk) + this trade's \(actualRisk) = \(heat) is above MAX_PORTFOLIO_HEAT \(prepared.maxHeat.percent) of capital (\(heatLimit))")
        }
        pass("MAX_PORTFOLIO_HEAT", "open risk \(openRisk) + \(actualRisk) = \(heat) within \(heatLimit)")
        return .sized(quantity: quantity, risk: actualRisk, checks: checks)
    }
}

/// How many shares a risk amount buys before whole-share rounding: risk / per-share risk, capped
/// by MAX_POSITION_PCT of capital, then by the strategy's max_quantity, then by the buying power.
struct ShareCount: Equatable {
    enum Cap: Equatable { case positionShare, maxQuantity, buyingPower }

    var quantity: Quantity
    /// The caps that lowered the count, in the order they applied.
    var caps: [Cap]

    /// In integers (DecimalQuotient). nil when an input is not short enough, or when a cap and the
    /// count so far agree to 12 decimals: then only Decimal's own cuts say which one is lower.
    init?(risk: Money, perShare: ExactNumber, capital: Money, positionShare: PreparedDecimal, entry: ExactNumber,
          maxQuantity: Quantity?, buyingPower: Money) {
        guard let perShare = perShare.scaled, let entry = entry.scaled, let share = positionShare.exact.scaled,
              let byRisk = DecimalQuotient(numerator: Int128(risk.units), numeratorScale: Money.scaleDigits, divisor: perShare),
              let byPosition = DecimalQuotient(numerator: Int128(capital.units) * Int128(share.units),
                                               numeratorScale: Money.scaleDigits + share.scale, divisor: entry),
              let byCash = DecimalQuotient(numerator: Int128(buyingPower.units), numeratorScale: Money.scaleDigits, divisor: entry),
              (maxQuantity?.units ?? 0) >= 0
        else { return nil }
        // Each at 1e-12 share; a cap lowers the count when strictly below it, as Decimal compares.
        var count = byRisk.floor12
        var caps: [Cap] = []
        let candidates: [(Int128?, Cap)] = [(byPosition.floor12, .positionShare), (maxQuantity.map { Int128($0.units) * 1_000 }, .maxQuantity),
                                            (byCash.floor12, .buyingPower)]
        for case let (value?, cap) in candidates {
            guard value != count else { return nil }
            if value < count {
                count = value
                caps.append(cap)
            }
        }
        // Quantity(truncating:) cuts toward zero, so 1e-9 share is the 1e-12 count cut by 3 digits.
        guard let units = Int64(exactly: count / 1_000) else { return nil }
        quantity = Quantity(units: units)
        self.caps = caps
    }

    /// Foundation's Decimal, from the prices as sizing has always read them.
    init(_ entry: RoutedEntry, risk: Money, capital: Money, positionShare: Decimal, maxQuantity: Quantity?, buyingPower: Money) {
        let entryPrice = RiskRules.decimal(entry.entry)
        let perShare = abs(entryPrice - RiskRules.decimal(entry.stop))
        var shares = risk.decimal / perShare
        var caps: [Cap] = []
        let positionCap = capital.decimal * positionShare / entryPrice
        if positionCap < shares {
            shares = positionCap
            caps.append(.positionShare)
        }
        if let cap = maxQuantity, cap.decimal < shares {
            shares = cap.decimal
            caps.append(.maxQuantity)
        }
        let cashCap = buyingPower.decimal / entryPrice
        if cashCap < shares {
            shares = cashCap
            caps.append(.buyingPower)
        }
        quantity = Quantity(truncating: shares)
        self.caps = caps
    }
}

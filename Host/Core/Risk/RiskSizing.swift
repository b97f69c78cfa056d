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
        let limits = inForce
        var checks: [RiskCheck] = []
        func reject(_ rule: String, _ code: RiskCode, _ detail: String) -> Sizing {
            checks.append(RiskCheck(rule: rule, passed: false, code: code, detail: detail))
            return .rejected(code, detail, checks: checks)
        }
        func pass(_ rule: String, _ detail: String) { checks.append(RiskCheck(rule: rule, passed: true, detail: detail)) }

        let weighted = min(Money(poolCap.decimal * share, roundingDown: true), remainingCap(broker: facts.broker))
        guard weighted > .zero else {
            return reject("TOTAL_ALLOCATION", .sessionCapExhausted,
                          "the session cap of broker \(facts.broker) is used up (\(usage[facts.broker]?.cap ?? .zero) at TOTAL_ALLOCATION \(RiskRules.percent(limits.totalAllocation)))")
        }
        pass("WEIGHTS", "weight \(RiskRules.percent(share)) of session cap \(poolCap) = \(weighted)")
        let capital = self.capital
        let perTrade = Money(capital.decimal * limits.maxRiskPerTrade, roundingDown: true)
        var risk = min(weighted, perTrade)
        var bound = risk == weighted ? "session weight" : "MAX_RISK_PER_TRADE \(RiskRules.percent(limits.maxRiskPerTrade)) of capital \(capital)"
        if let moduleMax = candidate.moduleMaxRisk, moduleMax < risk {
            risk = moduleMax
            bound = "module max_risk_per_trade \(moduleMax)"
        }
        pass("MAX_RISK_PER_TRADE", "risk amount \(risk), set by the \(bound)")

        let entryPrice = RiskRules.decimal(entry.entry)
        let perShare = abs(entryPrice - RiskRules.decimal(entry.stop))
        var shares = risk.decimal / perShare
        var sizing = ["\(risk) / \(RiskRules.text(perShare)) per share"]
        let positionCap = capital.decimal * limits.maxPositionShare / entryPrice
        if positionCap < shares {
            shares = positionCap
            sizing.append("capped at MAX_POSITION_PCT \(RiskRules.percent(limits.maxPositionShare)) of capital \(capital)")
        }
        if let cap = candidate.intent.maxQuantity, cap.decimal < shares {
            shares = cap.decimal
            sizing.append("capped at the strategy's max_quantity \(cap)")
        }
        let cashCap = facts.buyingPower.decimal / entryPrice
        if cashCap < shares {
            shares = cashCap
            sizing.append("capped by buying power \(facts.buyingPower)")
        }
        var quantity = Quantity(truncating: shares)
        let fractional = limits.fractional && facts.fractional
        if !fractional {
            quantity = quantity.wholeSharesOnly
            sizing.append(limits.fractional ? "whole shares: broker \(facts.broker) takes no fractions of \(entry.symbol)" : "whole shares: FRACTIONAL=false")
        }
        guard quantity > .zero else { return reject("SIZE", .sizeZero, "sized quantity is 0 (\(sizing.joined(separator: ", ")))") }
        pass("SIZE", "\(quantity) shares (\(sizing.joined(separator: ", ")))")

        let notional = Money.value(of: quantity, at: entry.entry)
        if quantity < facts.minimum.quantity {
            return reject("BROKER_MINIMUM", .belowBrokerMinimum, "quantity \(quantity) is below broker \(facts.broker)'s minimum \(facts.minimum.quantity) for \(entry.symbol)")
        }
        if notional < facts.minimum.notional {
            return reject("BROKER_MINIMUM", .belowBrokerMinimum, "order value \(notional) is below broker \(facts.broker)'s minimum \(facts.minimum.notional) for \(entry.symbol)")
        }
        pass("BROKER_MINIMUM", "quantity \(quantity) and value \(notional) meet the minimums \(facts.minimum.quantity) and \(facts.minimum.notional)")

        let actualRisk = Money(quantity.decimal * perShare)
        let heatLimit = Money(capital.decimal * limits.maxHeat, roundingDown: true)
        let heat = openRisk + actualRisk
        if heat > heatLimit {
            return reject("MAX_PORTFOLIO_HEAT", .heatLimit,
                          "open risk \(openRisk) + this trade's \(actualRisk) = \(heat) is above MAX_PORTFOLIO_HEAT \(RiskRules.percent(limits.maxHeat)) of capital (\(heatLimit))")
        }
        pass("MAX_PORTFOLIO_HEAT", "open risk \(openRisk) + \(actualRisk) = \(heat) within \(heatLimit)")
        return .sized(quantity: quantity, risk: actualRisk, checks: checks)
    }
}

import Foundation

/// The host's stop-based sizing: risk a fixed share of equity between entry and stop,
/// never put more than a tenth of equity in one position, never spend more cash than there
/// is, and respect the broker's share and notional minimums. Plugins never size orders.
public struct PositionSizer: Sendable {
    /// Share of equity at risk per trade (MAX_RISK_PER_TRADE).
    public var maxRiskPerTrade: Decimal
    /// Largest position as a share of equity (the risk spec's 10% cap).
    public var maxPositionShare: Decimal = Decimal(string: "0.10")!

    public init(maxRiskPerTrade: Decimal) { self.maxRiskPerTrade = maxRiskPerTrade }

    public struct Inputs: Sendable {
        public var entryPrice: Double
        public var stopPrice: Double
        public var equity: Money
        public var cash: Money
        public var fractional: Bool
        public var minimum: OrderMinimum
    }

    public enum Outcome: Equatable, Sendable {
        case sized(Quantity, explanation: String)
        case rejected(String)
    }

    public func size(_ input: Inputs) -> Outcome {
        guard input.entryPrice > 0 else { return .rejected("no entry price to size against") }
        guard input.stopPrice > 0 else { return .rejected("intent has no stop price; stop-based sizing needs one") }
        let entry = DecimalText.fromPrice(input.entryPrice)
        let perShareRisk = abs(entry - DecimalText.fromPrice(input.stopPrice))
        guard perShareRisk > 0 else { return .rejected("stop equals entry; the risk per share is zero") }
        let riskBudget = input.equity.decimal * maxRiskPerTrade
        var shares = riskBudget / perShareRisk
        var limits = ["risk \(Money(riskBudget)) / \(DecimalText.format(perShareRisk, fractionDigits: 4, trimZeros: true)) per share"]
        let positionCap = input.equity.decimal * maxPositionShare / entry
        if positionCap < shares {
            shares = positionCap
            limits.append("capped at \(DecimalText.format(maxPositionShare * 100, fractionDigits: 0))% of equity \(input.equity)")
        }
        let cashCap = input.cash.decimal / entry
        if cashCap < shares {
            shares = cashCap
            limits.append("capped by cash \(input.cash)")
        }
        var quantity = Quantity(truncating: shares)
        if !input.fractional { quantity = quantity.wholeSharesOnly }
        guard quantity > .zero, quantity >= input.minimum.quantity else {
            return .rejected("sized quantity \(quantity) is below the broker minimum \(input.minimum.quantity) (\(limits.joined(separator: ", ")))")
        }
        let notional = Money.value(of: quantity, at: input.entryPrice)
        guard notional >= input.minimum.notional else {
            return .rejected("order value \(notional) is below the broker minimum \(input.minimum.notional)")
        }
        return .sized(quantity, explanation: limits.joined(separator: ", "))
    }
}

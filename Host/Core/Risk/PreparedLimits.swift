import Foundation

/// A limit or a session share with what the rules read of it on every candidate, worked out once:
/// its exact form for the integer paths and its texts as the sentences print them.
struct PreparedDecimal {
    let decimal: Decimal
    let exact: ExactNumber
    /// The Decimal's own text: "1.5", "100".
    let text: String
    /// RiskRules.percent: "2%".
    let percent: String
    let isAboveZero: Bool

    init(_ decimal: Decimal) {
        self.decimal = decimal
        isAboveZero = decimal > 0
        exact = ExactNumber(decimal)
        text = "\(decimal)"
        percent = RiskRules.percent(decimal)
    }
}

/// The limits in force with everything the rules print or multiply by worked out once per mode,
/// normal or Defense: every candidate reads them, and a Decimal's text or percentage costs
/// thousands of instructions to make.
final class PreparedLimits {
    let limits: RiskLimits
    /// TRADING_DAYS as the sentences list them: "mon,tue,wed,thu,fri".
    let tradingDays: String
    let totalAllocation: PreparedDecimal
    let maxRiskPerTrade: PreparedDecimal
    let maxPositionShare: PreparedDecimal
    let minRewardRisk: PreparedDecimal
    let minPrice: PreparedDecimal
    let maxPrice: PreparedDecimal
    let maxHeat: PreparedDecimal
    let dailyLossLimit: PreparedDecimal
    let circuitBreakerLoss: PreparedDecimal
    /// The WEIGHTS split by count of accepted intents: asked for by every pool, made once per count.
    private var sharesByCount: [Int: [PreparedDecimal]] = [:]

    init(_ limits: RiskLimits) {
        self.limits = limits
        tradingDays = limits.tradingDays.joined(separator: ",")
        totalAllocation = PreparedDecimal(limits.totalAllocation)
        maxRiskPerTrade = PreparedDecimal(limits.maxRiskPerTrade)
        maxPositionShare = PreparedDecimal(limits.maxPositionShare)
        minRewardRisk = PreparedDecimal(limits.minRewardRisk)
        minPrice = PreparedDecimal(limits.minPrice)
        maxPrice = PreparedDecimal(limits.maxPrice)
        maxHeat = PreparedDecimal(limits.maxHeat)
        dailyLossLimit = PreparedDecimal(limits.dailyLossLimit)
        circuitBreakerLoss = PreparedDecimal(limits.circuitBreakerLoss)
    }

    /// The shares of `count` accepted intents (SessionWeights).
    func sessionShares(count: Int) -> [PreparedDecimal] {
        if let known = sharesByCount[count] { return known }
        let shares = SessionWeights(weights: limits.weights).shares(count: count).map(PreparedDecimal.init)
        sharesByCount[count] = shares
        return shares
    }
}

import Foundation

/// reward / risk as the MIN_REWARD_RISK rule shows it (two decimals, half to even) and whether it
/// meets the minimum, with the Decimal quotient's results.
struct RewardRiskRatio: Equatable {
    var shown: String
    var meets: Bool

    /// In integers (DecimalQuotient); nil when an input is not short enough, or in the one case the
    /// integers cannot settle: the quotient just above a half cent, where Decimal's cut after F
    /// decimals may land exactly on the half and round to even.
    init?(reward: ExactNumber, risk: ExactNumber, minimum: PreparedDecimal) {
        guard let reward = reward.scaled, let risk = risk.scaled, let limit = minimum.exact.scaled,
              limit.scale <= DecimalQuotient.digits, let ratio = DecimalQuotient(reward, by: risk) else { return nil }
        // Decimal's quotient is cut after at least 12 decimals, the limit has at most 12: cutting
        // never moves the quotient across it.
        meets = ratio.floor12 >= limit.units(atScale: DecimalQuotient.digits)
        let cents = ratio.floor12.quotientAndRemainder(dividingBy: ScaledDecimal.powerOfTen(DecimalQuotient.digits - 2))
        let half = ScaledDecimal.powerOfTen(DecimalQuotient.digits - 2) / 2
        if cents.remainder == half && !ratio.endsBy12 { return nil }
        let roundsUp = cents.remainder > half || (cents.remainder == half && cents.quotient % 2 != 0)
        guard let text = ScaledDecimal.text(units: cents.quotient + (roundsUp ? 1 : 0), scale: 2, fractionDigits: 2, trimZeros: false) else {
            return nil
        }
        shown = text
    }

    /// Foundation's Decimal, from the prices as the rule has always read them.
    init(_ entry: RoutedEntry, minimum: PreparedDecimal) {
        let reward = abs(RiskRules.decimal(entry.target) - RiskRules.decimal(entry.entry))
        let risk = abs(RiskRules.decimal(entry.entry) - RiskRules.decimal(entry.stop))
        let ratio = reward / risk
        shown = DecimalText.format(ratio, fractionDigits: 2)
        meets = ratio >= minimum.decimal
    }
}

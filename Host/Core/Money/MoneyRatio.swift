import Foundation

/// One amount as a fraction of another (drawdowns), with the results of Foundation's Decimal
/// division, whose every call costs tens of thousands of instructions, from integers where
/// they provably agree.
enum MoneyRatio {
    /// numerator.decimal / denominator.decimal.
    static func quotient(_ numerator: Money, _ denominator: Money) -> Decimal {
        FixedPointDecimal.quotient(numerator.units, digits: 4, by: denominator.units, digits: 4)
            ?? numerator.decimal / denominator.decimal
    }

    /// Whether quotient(numerator, denominator) > limit.
    ///
    /// In integers when the numerator is at least 0, the denominator above 0, the quotient q
    /// below 10^8 and the limit m a / 10^k with a >= 0 and k <= 8. Decimal's quotient q' is q
    /// cut toward zero after at least 29 decimals (37 less q's integer digits, or exact). If
    /// q > m, then q - m = (n 10^k - a d) / (d 10^k) >= 10^-27 since d < 10^19, so q' > m too;
    /// if q <= m, then q' <= q <= m. So q' > m exactly when n 10^k > a d.
    static func exceeds(_ numerator: Money, _ denominator: Money, _ limit: Decimal) -> Bool {
        if numerator.units >= 0, denominator.units > 0, let bound = DecimalDigits(limit)?.fixedPoint, bound.units >= 0, bound.scale <= 8,
           Int128(numerator.units) < Int128(denominator.units) * FixedPointDecimal.powerOfTen(8) {
            return Int128(numerator.units) * FixedPointDecimal.powerOfTen(bound.scale) > Int128(bound.units) * Int128(denominator.units)
        }
        return quotient(numerator, denominator) > limit
    }
}

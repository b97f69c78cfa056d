import Foundation

/// Exact conversions between fixed-point integers (money in 1/10000, quantities in 1e-9
/// share) and Decimal that never go through Decimal division or text. Foundation's Decimal
/// division costs tens of microseconds a call, and money crosses this boundary on every
/// fill, risk check and budget settlement; the results are the same values, in the same
/// normalized form (no trailing zeros in the mantissa), that the division gave.
enum FixedPointDecimal {
    /// `units` / 10^fractionDigits.
    static func decimal(units: Int64, fractionDigits: Int) -> Decimal {
        guard units != 0 else { return .zero }
        var magnitude = units.magnitude
        var exponent = -fractionDigits
        while magnitude % 10 == 0 {
            magnitude /= 10
            exponent += 1
        }
        return Decimal(sign: units < 0 ? .minus : .plus, exponent: exponent, significand: Decimal(magnitude))
    }
}

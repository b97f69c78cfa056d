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

    /// (`numerator` / 10^numeratorDigits) / (`denominator` / 10^denominatorDigits) when the
    /// quotient ends within 18 decimals and fits: then Decimal's division computes it without
    /// dropping a digit, and this is that value in that normalized form. Nil otherwise (a
    /// repeating quotient is cut by Decimal after 38 digits: the caller divides in Decimal).
    static func quotient(_ numerator: Int64, digits numeratorDigits: Int, by denominator: Int64, digits denominatorDigits: Int) -> Decimal? {
        guard denominator != 0, (0...18).contains(numeratorDigits), (0...18).contains(denominatorDigits) else { return nil }
        // value = numerator x 10^(denominatorDigits - numeratorDigits + k) / denominator / 10^k
        let shift = denominatorDigits - numeratorDigits
        let divisor = Int128(denominator.magnitude)
        for extra in 0...18 {
            let power = shift + extra
            guard power >= 0 else { continue }
            let (top, overflow) = Int128(numerator.magnitude).multipliedReportingOverflow(by: powerOfTen(power))
            guard !overflow else { return nil }
            let (whole, remainder) = top.quotientAndRemainder(dividingBy: divisor)
            guard remainder == 0 else { continue }
            guard let units = Int64(exactly: whole) else { return nil }
            let negative = (numerator < 0) != (denominator < 0)
            return decimal(units: negative ? -units : units, fractionDigits: extra)
        }
        return nil
    }

    /// `value` / 10^digits rounded half to even, as NSDecimalRound's .bankers rounds a magnitude.
    static func roundedHalfEven(_ value: Int128, droppingDigits digits: Int) -> Int128 {
        guard digits > 0 else { return value }
        let divisor = powerOfTen(digits)
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        let twice = remainder.magnitude * 2, whole = UInt128(divisor)
        let away = twice > whole || (twice == whole && quotient % 2 != 0)
        return away ? quotient + (value < 0 ? -1 : 1) : quotient
    }

    private static let powersOfTen: [Int128] = (0...38).map { exponent in
        (0..<exponent).reduce(Int128(1)) { power, _ in power * 10 }
    }

    /// 10^exponent for 0 ... 38.
    static func powerOfTen(_ exponent: Int) -> Int128 { powersOfTen[exponent] }

    /// Below this a product of two fixed-point values is kept digit for digit by Decimal's
    /// 38-digit mantissa, so its rounding is the only step that can lose anything.
    static let exactProductLimit = UInt128(powerOfTen(36))
}

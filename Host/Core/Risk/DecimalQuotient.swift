import Foundation

/// A positive quotient, exactly as a fraction, with what Foundation's Decimal division would make
/// of it: the rules print reward:risk and size orders from Decimal quotients, and one Decimal
/// division costs several thousand instructions.
///
/// Why the integer answers are Decimal's: Decimal divides the dividend's mantissa, times 10^38,
/// by the divisor's mantissa and drops the digits that do not fit 128 bits, both toward zero. Its
/// quotient is therefore the exact one cut (not rounded) after some F decimals: F = 38 + log10
/// (dividend mantissa) - log10(divisor mantissa) - log10(quotient) when nothing was dropped, and
/// at least 37 - log10(quotient) when digits were. Every divisor here is a ScaledDecimal (its
/// Decimal mantissa below 10^18) and every quotient is kept below 10^8 (else nil), so F >= 12.
/// When the exponents are 19 or more apart, Decimal first rescales the dividend, exactly at these
/// magnitudes, and F is then at least 29. Cut after F >= 12 decimals and then after 12, it is the
/// exact quotient cut after 12: `floor12`. Callers compare at 12 decimals and hand any tie to
/// Decimal, since the cut quotients of two different values may then compare either way.
struct DecimalQuotient {
    /// floor(quotient x 10^12).
    let floor12: Int128
    /// The quotient has no digit past the 12th decimal.
    let endsBy12: Bool

    static let digits = 12

    /// `numerator` / 10^numeratorScale divided by `divisor`; nil unless both are at least 0, the
    /// divisor above 0 and the quotient below 10^8, or when an intermediate would overflow.
    init?(numerator: Int128, numeratorScale: Int, divisor: ScaledDecimal) {
        guard numerator >= 0, divisor.units > 0, (0...ScaledDecimal.maxScale).contains(numeratorScale) else { return nil }
        // Both at the larger scale: the divisor's units stay below 10^36, the remainder below that.
        let scale = max(numeratorScale, divisor.scale)
        let (top, topOverflow) = numerator.multipliedReportingOverflow(by: ScaledDecimal.powerOfTen(scale - numeratorScale))
        let bottom = divisor.units(atScale: scale)
        guard !topOverflow else { return nil }
        let (whole, remainder) = top.quotientAndRemainder(dividingBy: bottom)
        guard whole < ScaledDecimal.powerOfTen(8) else { return nil }
        let (scaledRemainder, remainderOverflow) = remainder.multipliedReportingOverflow(by: ScaledDecimal.powerOfTen(Self.digits))
        guard !remainderOverflow else { return nil }
        let (fraction, rest) = scaledRemainder.quotientAndRemainder(dividingBy: bottom)
        floor12 = whole * ScaledDecimal.powerOfTen(Self.digits) + fraction
        endsBy12 = rest == 0
    }

    init?(_ dividend: ScaledDecimal, by divisor: ScaledDecimal) {
        self.init(numerator: Int128(dividend.units), numeratorScale: dividend.scale, divisor: divisor)
    }
}

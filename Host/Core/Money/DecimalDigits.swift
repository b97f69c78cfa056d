import Foundation

/// A Decimal as the integers it holds: its significand (trailing zeros kept, as stored) and
/// its exponent, read through Foundation's public API for a few hundred instructions.
/// Decimal's own description divides its mantissa by ten once per digit (about fifteen
/// thousand instructions), and the ledger prints prices and sizes on every posting.
struct DecimalDigits {
    let significand: UInt64
    let exponent: Int
    let negative: Bool

    /// Nil for NaN and for a significand of 2^64 or more (the caller keeps to Decimal).
    init?(_ value: Decimal) {
        guard !value.isNaN else { return nil }
        let stored = value.significand
        let integer = NSDecimalNumber(decimal: stored).uint64Value
        // The conversion is checked, not trusted: a significand it cannot carry gives nil.
        guard Decimal(integer) == stored else { return nil }
        significand = integer
        exponent = value.exponent
        negative = value.sign == .minus && integer != 0
    }

    /// Decimal's description: the significand's digits with the point placed by the exponent,
    /// zeros added where the exponent reaches past them, "0" for zero.
    var text: String {
        guard significand != 0 else { return "0" }
        let digits = String(significand)
        var result = negative ? "-" : ""
        if exponent >= 0 {
            result += digits
            result += String(repeating: "0", count: exponent)
        } else {
            let fraction = -exponent, count = digits.utf8.count
            if count > fraction {
                let point = digits.utf8.index(digits.utf8.startIndex, offsetBy: count - fraction)
                result += digits[..<point]
                result += "."
                result += digits[point...]
            } else {
                result += "0."
                result += String(repeating: "0", count: fraction - count)
                result += digits
            }
        }
        return result
    }

    /// The value as a whole count of 10^-scale (scale 0 ... 18) when it has at most that many
    /// decimals and fits an Int64.
    var fixedPoint: (units: Int64, scale: Int)? {
        let scale = max(0, -exponent)
        guard scale <= 18 else { return nil }
        var magnitude = Int128(significand)
        if exponent > 0 {
            guard exponent <= 18 else { return nil }
            magnitude *= FixedPointDecimal.powerOfTen(exponent)
        }
        guard let units = Int64(exactly: negative ? -magnitude : magnitude) else { return nil }
        return (units, scale)
    }
}

extension DecimalText {
    /// The same text as `value.description`, from integers where the value allows.
    static func description(_ value: Decimal) -> String {
        DecimalDigits(value)?.text ?? value.description
    }
}

import Foundation

/// Strict text <-> Decimal conversion shared by money, quantities and config values.
public enum DecimalText {
    private static let posix = Locale(identifier: "en_US_POSIX")

    /// Accepts only `[+-]digits[.digits]` (no exponent, no spaces, no thousands separators).
    public static func parse(_ text: String) -> Decimal? {
        var body = Substring(text)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        let pieces = body.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(pieces.count), !pieces[0].isEmpty,
              pieces.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return nil }
        return Decimal(string: text, locale: posix)
    }

    /// A market price at its shortest round-trip decimal form: 50.12 stays 50.12.
    public static func fromPrice(_ price: Double) -> Decimal {
        let text = price.description
        // Plain digits are what Decimal(string:) reads digit for digit; built from integers
        // they are the same value in the same normalized form, without the parser's cost.
        if let plain = plainDigits(text) { return FixedPointDecimal.decimal(units: plain.units, fractionDigits: plain.scale) }
        return Decimal(string: text, locale: posix) ?? Decimal(price)
    }

    /// The price's shortest round-trip digits as a whole count of 10^-scale, the exact value
    /// fromPrice gives; nil for exponent forms, signed zero, non-finite or over 18 digits.
    static func plainDigits(_ price: Double) -> (units: Int64, scale: Int)? {
        price.isFinite ? plainDigits(price.description) : nil
    }

    /// `[-]digits[.digits]` with at most 18 digits, as a whole count of 10^-scale.
    static func plainDigits(_ text: String) -> (units: Int64, scale: Int)? {
        var units: Int64 = 0, scale = 0, digits = 0
        var negative = false, sawPoint = false, first = true
        for byte in text.utf8 {
            defer { first = false }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits += 1
                guard digits <= 18 else { return nil }
                units = units * 10 + Int64(byte - UInt8(ascii: "0"))
                if sawPoint { scale += 1 }
            case UInt8(ascii: "."):
                guard !sawPoint, digits > 0 else { return nil }
                sawPoint = true
            case UInt8(ascii: "-") where first:
                negative = true
            default:
                return nil
            }
        }
        // "-0.0" is left to Decimal(string:), which has its own idea of a signed zero.
        guard digits > 0, !(negative && units == 0) else { return nil }
        return (negative ? -units : units, scale)
    }

    /// Fixed-point rendering with half-even rounding, e.g. format(2.5, 2) == "2.50".
    public static func format(_ value: Decimal, fractionDigits: Int, trimZeros: Bool = false) -> String {
        var input = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &input, fractionDigits, .bankers)
        if let fast = integerFormat(rounded, fractionDigits: fractionDigits, trimZeros: trimZeros) { return fast }
        let number = NSDecimalNumber(decimal: rounded)
        let formatter = NumberFormatter()
        formatter.locale = posix
        formatter.numberStyle = .decimal
        formatter.usesGroupingSeparator = false
        formatter.minimumIntegerDigits = 1
        formatter.maximumFractionDigits = fractionDigits
        formatter.minimumFractionDigits = trimZeros ? 0 : fractionDigits
        return formatter.string(from: number) ?? number.stringValue
    }

    /// The same text from integer digits, without a NumberFormatter (which costs tens of
    /// microseconds a call): `rounded` times 10^digits is a whole number; nil when it does not
    /// fit an Int64 (the formatter then handles it).
    private static func integerFormat(_ rounded: Decimal, fractionDigits: Int, trimZeros: Bool) -> String? {
        guard (0...15).contains(fractionDigits) else { return nil }
        var power: Int64 = 1
        for _ in 0..<fractionDigits { power *= 10 }
        let scaled = rounded * Decimal(power)
        guard scaled.magnitude < Decimal(Int64.max / 10), scaled == scaled.rounded0 else { return nil }
        let integer = NSDecimalNumber(decimal: scaled).int64Value
        let magnitude = integer.magnitude
        var fraction = fractionDigits == 0 ? "" : String(magnitude % UInt64(power))
        fraction = String(repeating: "0", count: max(0, fractionDigits - fraction.count)) + fraction
        if trimZeros { while fraction.hasSuffix("0") { fraction.removeLast() } }
        let text = String(magnitude / UInt64(power)) + (fraction.isEmpty || fractionDigits == 0 ? "" : "." + fraction)
        return integer < 0 ? "-" + text : text
    }
}

/// Decimal to int64 with an explicit rounding rule.
private extension Decimal {
    /// Rounded to a whole number (for checking that a value has no fraction left).
    var rounded0: Decimal {
        var input = self
        var result = Decimal()
        NSDecimalRound(&result, &input, 0, .plain)
        return result
    }
}

enum DecimalRounding {
    /// The largest magnitude a rounded amount may have.
    static let limit = Decimal(Int64.max)

    static func int64(_ value: Decimal, mode: NSDecimalNumber.RoundingMode = .bankers) -> Int64 {
        var input = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &input, 0, mode)
        // int64Value is exact on this Foundation (swift-foundation reads the mantissa; checked
        // digit for digit against the text in FixedPointDecimalTests) but wraps silently out of
        // range, so the range is checked first. Text parsing cost a microsecond a call.
        guard rounded.magnitude <= limit else {
            preconditionFailure("amount \(rounded) does not fit the int64 fixed-point range")
        }
        return NSDecimalNumber(decimal: rounded).int64Value
    }
}

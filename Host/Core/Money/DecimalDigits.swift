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
    /// zeros added where the exponent reaches past them, "0" for zero. Written right to left
    /// into a stack buffer: at most 20 digits, 127 zeros or 128 decimals, a point and a sign.
    var text: String {
        guard significand != 0 else { return "0" }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 160) { buffer in
            var position = buffer.count
            func put(_ byte: UInt8) {
                position -= 1
                buffer[position] = byte
            }
            for _ in 0..<max(0, exponent) { put(UInt8(ascii: "0")) }
            var rest = significand, written = 0
            repeat {
                if exponent < 0, written == -exponent { put(UInt8(ascii: ".")) }
                put(UInt8(ascii: "0") + UInt8(rest % 10))
                rest /= 10
                written += 1
            } while rest > 0
            if exponent < 0, written <= -exponent {
                // All digits are decimals: zeros up to the point, then "0.".
                for _ in written..<(-exponent) { put(UInt8(ascii: "0")) }
                put(UInt8(ascii: "."))
                put(UInt8(ascii: "0"))
            }
            if negative { put(UInt8(ascii: "-")) }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[position...]), as: UTF8.self)
        }
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

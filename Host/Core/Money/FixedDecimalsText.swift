import Foundation

/// A Double printed with a fixed number of decimals exactly as printf's "%.Nf" prints it:
/// the exact binary value rounded half to even, "-" kept on negatives that round to zero.
/// Done in integers because String(format:) costs about ten thousand instructions per call,
/// and transcript lines print several prices per order.
enum FixedDecimalsText {
    private static let powersOfTen: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000]

    /// `value` with `decimals` decimals, as printf's "%.Nf" prints it, written into `bytes`.
    static func append(_ value: Double, decimals: Int, to bytes: inout [UInt8]) {
        // Outside this range (or not finite) printf's own rules are kept by calling it.
        // value * 10^6 stays below 2^63 under 1e12.
        guard value.isFinite, value.magnitude < 1e12, decimals >= 0, decimals < powersOfTen.count else {
            bytes.append(contentsOf: String(format: "%.\(decimals)f", value).utf8)
            return
        }
        let scale = powersOfTen[decimals]
        let units = scaledRounded(value.magnitude, scale: scale)
        if value.sign == .minus { bytes.append(UInt8(ascii: "-")) }
        appendDigits(units / scale, minimumWidth: 1, to: &bytes)
        if decimals > 0 {
            bytes.append(UInt8(ascii: "."))
            appendDigits(units % scale, minimumWidth: decimals, to: &bytes)
        }
    }

    /// `value` as String(value) writes it: a "-" and the digits.
    static func appendInteger(_ value: Int64, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDigits(value.magnitude, minimumWidth: 1, to: &bytes)
    }

    /// The decimal digits of `value`, with leading zeros up to `minimumWidth` (at most 20).
    static func appendDigits(_ value: UInt64, minimumWidth: Int, to bytes: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, filled from the end
        withUnsafeMutableBytes(of: &digits) { scratch in
            var index = scratch.count, rest = value
            repeat {
                index -= 1
                scratch[index] = UInt8(truncatingIfNeeded: 0x30 &+ rest % 10)
                rest /= 10
            } while rest > 0 || scratch.count - index < minimumWidth
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[index...]))
        }
    }

    /// magnitude * scale rounded half to even, from the double's exact significand and exponent.
    private static func scaledRounded(_ magnitude: Double, scale: UInt64) -> UInt64 {
        guard magnitude > 0 else { return 0 }
        let significand = magnitude.significandBitPattern | (magnitude.isNormal ? 1 << 52 : 0)
        let exponent = magnitude.isNormal ? Int(magnitude.exponentBitPattern) - 1075 : -1074
        let product = UInt128(significand) * UInt128(scale)
        // Below 1e12 the exponent is negative: the significand has 53 bits and 1e12 < 2^40.
        let shift = -exponent
        // product < 2^73: shifted this far it is below one half.
        if shift > 100 { return 0 }
        let quotient = product >> shift
        let remainder = product - (quotient << shift)
        let half = UInt128(1) << (shift - 1)
        let roundsUp = remainder > half || (remainder == half && quotient & 1 == 1)
        return UInt64(quotient) + (roundsUp ? 1 : 0)
    }
}

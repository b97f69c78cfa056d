/// Parsers that read eight bytes of a field at once (SWAR: SIMD within a register) for the short
/// numbers and times of day that make up almost every row. Each covers only the plain forms and
/// answers nil for anything else; the byte-at-a-time parsers in `OHLCVScan` then decide, so no
/// result ever differs from theirs. Loads reach at most 16 bytes past a field's start, which
/// the padding after the chunk buffer's sentinel covers; bytes past the field's end are never used.
enum OHLCVWord {
    /// '0' in every byte: a word xor this holds each digit's value in its byte.
    static let zeros: UInt64 = 0x3030_3030_3030_3030

    /// Eight bytes from `p`, the first in the lowest byte.
    @inline(__always)
    static func load(_ p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    }

    /// A word with its lowest `count` (0...8) bytes set.
    static func lowBytes(_ count: Int) -> UInt64 { count >= 8 ? ~0 : (1 << UInt64(8 * count)) - 1 }

    /// Checks a word against a template in one test: `values` is the word xor a template with
    /// '0' where a digit belongs and the exact byte elsewhere, so a fitting byte is 0...9 or 0;
    /// `slack` has 0x76 where a digit belongs and 0x7F where an exact byte does, so only fitting
    /// bytes stay below 0x80. The result has the high bit of every byte that does not fit (a
    /// byte above it may be marked wrongly after a carry, but never left unmarked); bytes with
    /// 0 in both template and slack are never marked.
    @inline(__always)
    static func misfits(_ values: UInt64, slack: UInt64) -> UInt64 { (values &+ slack) | values }

    /// The high bit of every byte of `digits` (bytes xor '0') that is not 0...9: `misfits`
    /// with a digit everywhere. Exact up to and including the first such byte.
    @inline(__always)
    static func nonDigits(_ digits: UInt64) -> UInt64 {
        misfits(digits, slack: 0x7676_7676_7676_7676) & 0x8080_8080_8080_8080
    }

    /// The index of the byte the lowest mark of `marks` (not zero) stands for.
    @inline(__always)
    static func firstMarked(_ marks: UInt64) -> Int { marks.trailingZeroBitCount &>> 3 }

    /// The number written by eight digit values, the first (most significant) in the lowest
    /// byte: pairs, then groups of four, then all eight, each step one multiplication.
    @inline(__always)
    static func eightDigits(_ digits: UInt64) -> UInt64 {
        let pairs = ((digits &* (10 << 8 + 1)) &>> 8) & 0x00FF_00FF_00FF_00FF
        let quads = ((pairs &* (100 << 16 + 1)) &>> 16) & 0x0000_FFFF_0000_FFFF
        return (quads &* (10_000 << 32 + 1)) &>> 32
    }

    /// The number written by the first `count` (0...8) digit values of `digits`. Moving them to
    /// the top bytes drops the rest and turns the bytes shifted in into leading zeros.
    @inline(__always)
    static func leadingDigits(_ digits: UInt64, count: Int) -> UInt64 {
        eightDigits(digits << UInt64(64 - 8 * count))
    }

    /// 10^`exponent`, for 0...8.
    @inline(__always)
    static func tenToThe(_ exponent: Int) -> UInt64 {
        switch exponent {
        case 0: return 1
        case 1: return 10
        case 2: return 100
        case 3: return 1_000
        case 4: return 10_000
        case 5: return 100_000
        case 6: return 1_000_000
        case 7: return 10_000_000
        default: return 100_000_000
        }
    }

    /// A plain unsigned decimal: its digits without the point as one integer, how many of them
    /// follow the point, and its length (`50.02,` is 5002, 2, 5). The byte at `length` is the
    /// first that does not belong to the number, and the caller must check that it is a
    /// delimiter (`1e5` reads as 1 of length 1). Covers up to 15 digits without a point, or up
    /// to 7 on each side of one; nil for anything else (a sign, more digits, no digit at all).
    @_transparent
    static func decimal(_ p: UnsafePointer<UInt8>) -> (mantissa: UInt64, fraction: Int, length: Int)? {
        let digits = load(p) ^ zeros
        let marks = nonDigits(digits)
        guard marks != 0 else { return longInteger(p, digits) }
        let stop = firstMarked(marks)
        guard p[stop] == UInt8(ascii: ".") else {
            guard stop > 0 else { return nil }
            return (leadingDigits(digits, count: stop), 0, stop)
        }
        // The mark after the point's is exact: only digits and the point come before it.
        let after = marks & (marks &- 1)
        guard after != 0 else { return longFraction(p, digits, point: stop) }
        let length = firstMarked(after)
        guard length > 1 else { return nil }
        // The integer digits move up one byte over the point, which leaves a leading zero.
        let integerBytes = (UInt64(1) &<< UInt64(stop &* 8)) &- 1
        let joined = ((digits & integerBytes) &<< 8) | (digits & ~((integerBytes &<< 8) | 0xFF))
        return (leadingDigits(joined, count: length), length &- stop &- 1, length)
    }

    /// Eight or more integer digits: the rest, up to 7 more, are in the next word.
    @inline(__always)
    static func longInteger(_ p: UnsafePointer<UInt8>, _ high: UInt64) -> (mantissa: UInt64, fraction: Int, length: Int)? {
        let low = load(p + 8) ^ zeros
        let marks = nonDigits(low)
        guard marks != 0 else { return nil }
        let count = firstMarked(marks)
        return (eightDigits(high) &* tenToThe(count) &+ leadingDigits(low, count: count), 0, 8 &+ count)
    }

    /// A point at `point` whose fraction digits run past the word: up to 7 of them, read from
    /// the word after the point.
    @inline(__always)
    static func longFraction(_ p: UnsafePointer<UInt8>, _ integer: UInt64, point: Int)
        -> (mantissa: UInt64, fraction: Int, length: Int)? {
        let start = p + point + 1
        let fraction = load(start) ^ zeros
        let marks = nonDigits(fraction)
        guard marks != 0 else { return nil }
        let count = firstMarked(marks)
        let mantissa = leadingDigits(integer, count: point) &* tenToThe(count) &+ leadingDigits(fraction, count: count)
        return (mantissa, count, point &+ 1 &+ count)
    }

    /// `HH:MM:SS` in the eight bytes at `p`, as nanoseconds since midnight; nil when they are
    /// anything else or out of range. The caller checks the byte after them.
    @inline(__always)
    static func clock(_ p: UnsafePointer<UInt8>) -> Int64? {
        // The template `00:00:00`: digits' values stay, the colons become 0.
        let values = load(p) ^ 0x3030_3A30_303A_3030
        guard misfits(values, slack: 0x7676_7F76_767F_7676) & 0x8080_8080_8080_8080 == 0 else { return nil }
        // Each byte becomes ten times itself plus the next: hours in byte 0, minutes in byte 3,
        // seconds in byte 6 (no byte exceeds 9, so no sum exceeds 99 and nothing carries).
        let parts = ((values &* (10 << 8 + 1)) &>> 8) & 0x00FF_0000_FF00_00FF
        // Adding 256 - 24 to the hours and 256 - 60 to the others carries into the byte above
        // exactly when a part is out of range.
        guard (parts &+ 0x00C4_0000_C400_00E8) & 0x0100_0001_0000_0100 == 0 else { return nil }
        // One multiplication puts 60 * hours + minutes in bytes 3 to 5.
        let minutes = ((parts &* (60 << 24 + 1)) &>> 24) & 0xFF_FFFF
        return Int64(minutes &* 60 &+ (parts &>> 48)) &* 1_000_000_000
    }
}

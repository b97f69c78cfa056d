import Foundation

/// Byte-level parsers for one CSV field, used by `OHLCVReader` on its chunk buffer.
/// Each takes the field's first byte and, on success, leaves the pointer on the byte after
/// the field, which is always a delimiter (',', '\r' or '\n'). The buffer ends with a '\n'
/// sentinel, so a parser that stops at the first unexpected byte never runs past the data.
enum OHLCVScan {
    static let comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

    @inline(__always)
    static func isDelimiter(_ byte: UInt8) -> Bool { byte == comma || byte == lf || byte == cr }

    @inline(__always)
    static func digit(_ byte: UInt8) -> UInt8 { byte &- 48 }

    /// A decimal number. Up to 19 significant digits with no exponent: integer mantissa and a
    /// count of fraction digits, converted exactly (a mantissa below 2^53 divided by an exact
    /// power of ten, at most 10^22, is one correctly rounded IEEE division). The short plain
    /// forms are read a word at a time, the rest a byte at a time; anything else (longer,
    /// exponent, nan, inf) goes to strtod, which must consume the whole field.
    /// `@_transparent` because the optimizer left `@inline(__always)` as a call per field,
    /// which measured 10-25% slower per row.
    @_transparent
    static func decimal(_ pointer: inout UnsafePointer<UInt8>, _ result: inout Double) -> Bool {
        if let number = OHLCVWord.decimal(pointer), isDelimiter(pointer[number.length]) {
            pointer += number.length
            result = exactly(mantissa: number.mantissa, fraction: number.fraction)
            return true
        }
        return byteDecimal(&pointer, &result)
    }

    /// A decimal as `decimal` reads it, except that the byte after it is not checked: for
    /// callers that check it themselves (for a comma, say). Followed by a delimiter, the value
    /// is `decimal`'s; otherwise the caller must let `decimal` read the field (`1e5` reads here
    /// as 1 followed by `e`).
    @_transparent
    static func number(_ pointer: inout UnsafePointer<UInt8>, _ result: inout Double) -> Bool {
        if let number = OHLCVWord.decimal(pointer) {
            pointer += number.length
            result = exactly(mantissa: number.mantissa, fraction: number.fraction)
            return true
        }
        return byteDecimal(&pointer, &result)
    }

    /// `mantissa` / 10^`fraction`, correctly rounded: the mantissa is below 2^53 and the power
    /// of ten at most 10^22, so both are exact doubles and the division rounds once.
    @inline(__always)
    static func exactly(mantissa: UInt64, fraction: Int) -> Double {
        // Through Int64: the mantissa fits, and the signed conversion is one instruction.
        let value = Double(Int64(bitPattern: mantissa))
        // Integers (a constant 0 where inlined) skip the division and its latency.
        return fraction == 0 ? value : value / powersOfTen[fraction]
    }

    /// `decimal` for the forms `OHLCVWord.decimal` leaves: a sign, more digits, no digits.
    @_transparent
    static func byteDecimal(_ pointer: inout UnsafePointer<UInt8>, _ result: inout Double) -> Bool {
        guard let number = byteDecimal(at: pointer) else { return false }
        pointer += number.length
        result = number.value
        return true
    }

    /// The value and length of the decimal at `start`, byte by byte. Out of line, and taking
    /// nothing by reference, so that the callers' pointer and values stay in registers.
    @inline(never)
    static func byteDecimal(at start: UnsafePointer<UInt8>) -> (value: Double, length: Int)? {
        var q = start
        let negative = q.pointee == UInt8(ascii: "-")
        if negative || q.pointee == UInt8(ascii: "+") { q += 1 }
        var mantissa: UInt64 = 0
        let integerStart = q
        while true {
            let d = digit(q.pointee)
            if d > 9 { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            q += 1
        }
        var digits = q - integerStart
        var fraction = 0
        if q.pointee == UInt8(ascii: ".") {
            q += 1
            let fractionStart = q
            while true {
                let d = digit(q.pointee)
                if d > 9 { break }
                mantissa = mantissa &* 10 &+ UInt64(d)
                q += 1
            }
            fraction = q - fractionStart
            digits += fraction
        }
        guard digits > 0, digits <= 19, isDelimiter(q.pointee), mantissa < (1 << 53), fraction <= 22 else {
            var end = start
            guard let value = slowDecimal(&end) else { return nil }
            return (value, end - start)
        }
        let value = exactly(mantissa: mantissa, fraction: fraction)
        return (negative ? -value : value, q - start)
    }

    /// 10^0 ... 10^22, the powers of ten that are exact doubles. A constant array the compiler
    /// lays out statically: one indexed load, where a switch became a jump per number.
    static let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
                                        1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

    /// strtod on a copy of the field; nil unless it reads the whole field.
    @inline(never)
    static func slowDecimal(_ pointer: inout UnsafePointer<UInt8>) -> Double? {
        let end = fieldEnd(pointer)
        let length = end - pointer
        guard length > 0, length < 256 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { text -> Double? in
            let base = text.baseAddress!
            UnsafeMutableRawPointer(base).copyMemory(from: pointer, byteCount: length)
            base[length] = 0
            // strtod would skip leading blanks and accept hex; a number starts with a sign, digit or dot.
            let first = UInt8(bitPattern: base[0])
            guard digit(first) <= 9 || first == UInt8(ascii: "-") || first == UInt8(ascii: "+")
                || first == UInt8(ascii: ".") || first | 0x20 == UInt8(ascii: "n") || first | 0x20 == UInt8(ascii: "i") else { return nil }
            var stop: UnsafeMutablePointer<CChar>?
            let value = strtod(base, &stop)
            guard let stop, stop - base == length else { return nil }
            let lower = String(cString: base).lowercased()
            if lower.contains("x") { return nil }
            pointer = end
            return value
        }
    }

    /// The first delimiter at or after `pointer`.
    @inline(__always)
    static func fieldEnd(_ pointer: UnsafePointer<UInt8>) -> UnsafePointer<UInt8> {
        var q = pointer
        while !isDelimiter(q.pointee) { q += 1 }
        return q
    }

    /// `HH:MM[:SS[.fffffffff]]` as nanoseconds since midnight; nil when malformed or out of range.
    /// Fraction digits past the ninth are read and dropped.
    @inline(__always)
    static func timeOfDay(_ pointer: inout UnsafePointer<UInt8>) -> Int64? {
        let p = pointer
        let h1 = digit(p[0]); guard h1 <= 9 else { return nil }
        let h2 = digit(p[1]); guard h2 <= 9, p[2] == UInt8(ascii: ":") else { return nil }
        let m1 = digit(p[3]); guard m1 <= 9 else { return nil }
        let m2 = digit(p[4]); guard m2 <= 9 else { return nil }
        let hour = Int64(h1) * 10 + Int64(h2), minute = Int64(m1) * 10 + Int64(m2)
        guard hour < 24, minute < 60 else { return nil }
        var seconds = hour * 3600 + minute * 60
        var q = p + 5
        var nanos: Int64 = 0
        if q.pointee == UInt8(ascii: ":") {
            let s1 = digit(q[1]); guard s1 <= 9 else { return nil }
            let s2 = digit(q[2]); guard s2 <= 9 else { return nil }
            let second = Int64(s1) * 10 + Int64(s2)
            guard second < 60 else { return nil }
            seconds += second
            q += 3
            if q.pointee == UInt8(ascii: ".") {
                q += 1
                var scale: Int64 = 100_000_000
                let start = q
                while true {
                    let d = digit(q.pointee)
                    if d > 9 { break }
                    nanos += Int64(d) * scale
                    scale /= 10
                    q += 1
                }
                guard q > start else { return nil }
            }
        }
        pointer = q
        return seconds * 1_000_000_000 + nanos
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil);
    /// nil when the month or day does not exist.
    @inline(__always)
    static func days(year: Int64, month: Int64, day: Int64) -> Int64? {
        guard month >= 1, month <= 12, day >= 1, day <= daysInMonth(year: year, month: month) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Reads `count` ASCII digits as a number; nil if any is not a digit.
    @inline(__always)
    static func number(_ p: UnsafePointer<UInt8>, count: Int) -> Int64? {
        var value: Int64 = 0
        for index in 0..<count {
            let d = digit(p[index])
            if d > 9 { return nil }
            value = value * 10 + Int64(d)
        }
        return value
    }
}

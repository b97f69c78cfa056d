import Foundation

/// Strict parsers for the literal forms a config value may take.
/// Strict on purpose: "1e3", "5.", ".5", "0x10" or "1,5" in a money setting are typos, not numbers.
enum ConfigLiterals {
    private static let posix = Locale(identifier: "en_US_POSIX")
    /// Decimal's mantissa holds 38 digits; a longer literal would be rounded silently.
    private static let maxDigits = 38

    /// ASCII only: Character.isNumber would also accept digits from other scripts.
    static func isDigit(_ c: Character) -> Bool { ("0"..."9").contains(c) }
    static func isLetter(_ c: Character) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) }

    /// Optional sign, digits, optional '.' and digits. Exact (Decimal, never Double).
    static func decimal(_ text: String) -> Decimal? {
        guard isDecimalLiteral(text) else { return nil }
        guard text.filter({ isDigit($0) }).count <= maxDigits else { return nil }
        return Decimal(string: text, locale: posix)
    }

    static func isDecimalLiteral(_ text: String) -> Bool {
        var chars = Substring(text)
        if let first = chars.first, first == "+" || first == "-" { chars = chars.dropFirst() }
        let parts = chars.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy({ isDigit($0) }) }
    }

    /// Optional sign and digits; nil on overflow.
    static func integer(_ text: String) -> Int? {
        var chars = Substring(text)
        if let first = chars.first, first == "+" || first == "-" { chars = chars.dropFirst() }
        guard !chars.isEmpty, chars.allSatisfy({ isDigit($0) }) else { return nil }
        return Int(text.hasPrefix("+") ? String(text.dropFirst()) : text)
    }

    /// H:MM or HH:MM, 00:00 to 23:59.
    static func timeOfDay(_ text: String) -> (hour: Int, minute: Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2,
              (1...2).contains(parts[0].count), parts[1].count == 2,
              parts.allSatisfy({ $0.allSatisfy({ isDigit($0) }) }),
              let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        return (hour, minute)
    }

    /// "250ms", "1s", "2m" (any letter case) in milliseconds; nil unless above zero.
    static func durationMilliseconds(_ text: String) -> Int? {
        let lower = text.lowercased()
        let units: [(suffix: String, factor: Int)] = [("ms", 1), ("s", 1000), ("m", 60_000)]
        // "ms" is tried before "m" and "s" so "250ms" is not read as 250m + s.
        for unit in units where lower.hasSuffix(unit.suffix) {
            let number = lower.dropLast(unit.suffix.count)
            guard !number.isEmpty, number.allSatisfy({ isDigit($0) }), let n = Int(number) else { return nil }
            let (ms, overflow) = n.multipliedReportingOverflow(by: unit.factor)
            return overflow || ms <= 0 ? nil : ms
        }
        return nil
    }

    /// v1.0.0, optionally with a suffix such as v1.2.0-rc1. The leading 'v' follows the seed.
    static func isVersionTag(_ text: String) -> Bool {
        guard text.hasPrefix("v") else { return false }
        let body = text.dropFirst()
        let core = body.prefix { $0 != "-" && $0 != "+" }
        let suffix = body.dropFirst(core.count)
        let numbers = core.split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 3, numbers.allSatisfy({ !$0.isEmpty && $0.allSatisfy({ isDigit($0) }) }) else {
            return false
        }
        if suffix.isEmpty { return true }
        let rest = suffix.dropFirst()
        return !rest.isEmpty && rest.allSatisfy { isDigit($0) || isLetter($0) || $0 == "." || $0 == "-" }
    }
}

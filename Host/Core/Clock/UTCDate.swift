import Foundation

/// Dates and times given on the command line, always read as UTC.
public enum UTCDate {
    /// `2024-01-02` (midnight UTC) or `2024-01-02T14:30:00Z`; nil for anything else.
    public static func nanoseconds(parsing text: String) -> Int64? {
        let digits = text.split(omittingEmptySubsequences: false) { "-T:Z".contains($0) }.map(String.init)
        if text.count == 10, digits.count == 3, let y = Int(digits[0]), let m = Int(digits[1]), let d = Int(digits[2]), valid(y, m, d) {
            return UTCTimestamp.nanoseconds(year: y, month: m, day: d)
        }
        if text.count == 20, text.hasSuffix("Z"), digits.count == 7,
           let y = Int(digits[0]), let m = Int(digits[1]), let d = Int(digits[2]),
           let h = Int(digits[3]), let mi = Int(digits[4]), let s = Int(digits[5]), valid(y, m, d), h < 24, mi < 60, s < 60 {
            return UTCTimestamp.nanoseconds(year: y, month: m, day: d, hour: h, minute: mi, second: s)
        }
        return nil
    }

    /// The UTC calendar day of a timestamp, `YYYY-MM-DD`.
    public static func day(of nanoseconds: Int64) -> String { String(UTCTimestamp.iso8601(nanoseconds: nanoseconds).prefix(10)) }

    private static func valid(_ year: Int, _ month: Int, _ day: Int) -> Bool {
        guard (1970...9999).contains(year), (1...12).contains(month), day >= 1 else { return false }
        let start = UTCTimestamp.nanoseconds(year: year, month: month, day: day)
        return UTCTimestamp.iso8601(nanoseconds: start).hasPrefix(String(format: "%04d-%02d-%02d", year, month, day))
    }
}

extension UTCDate {
    /// Days since 1970-01-01 of a UTC time, rounding down (times before 1970 too).
    public static func dayIndex(of nanoseconds: Int64) -> Int64 {
        let perDay: Int64 = 86_400_000_000_000
        return nanoseconds >= 0 ? nanoseconds / perDay : -((-nanoseconds + perDay - 1) / perDay)
    }
}

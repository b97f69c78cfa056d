import Foundation

/// ISO-8601 UTC rendering of host timestamps, the one format for logs and reports.
public enum UTCTimestamp {
    /// `2024-01-02T14:30:00Z`, or with milliseconds when `fractional` is set.
    public static func iso8601(nanoseconds: Int64, fractional: Bool = false) -> String {
        let seconds = nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let base = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d",
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        guard fractional else { return base + "Z" }
        let millis = (nanoseconds - seconds * 1_000_000_000) / 1_000_000
        return base + String(format: ".%03dZ", Int(millis))
    }

    /// Nanoseconds of a UTC calendar time.
    public static func nanoseconds(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) -> Int64 {
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Int64(timegm(&parts)) * 1_000_000_000
    }
}

import Foundation

/// ISO-8601 UTC rendering of host timestamps, the one format for logs and reports.
public enum UTCTimestamp {
    /// `2024-01-02T14:30:00Z`, or with milliseconds when `fractional` is set.
    public static func iso8601(nanoseconds: Int64, fractional: Bool = false) -> String {
        let seconds = nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        // Built by hand: String(format:) dominates the cost of posting a transaction.
        var text = [UInt8]()
        text.reserveCapacity(24)
        func append(_ value: Int, width: Int) {
            var digits = [UInt8](repeating: 0x30, count: width)
            var rest = value
            for index in stride(from: width - 1, through: 0, by: -1) {
                digits[index] = UInt8(0x30 + rest % 10)
                rest /= 10
            }
            text += digits
        }
        append(Int(parts.tm_year) + 1900, width: 4); text.append(0x2D)
        append(Int(parts.tm_mon) + 1, width: 2); text.append(0x2D)
        append(Int(parts.tm_mday), width: 2); text.append(0x54)
        append(Int(parts.tm_hour), width: 2); text.append(0x3A)
        append(Int(parts.tm_min), width: 2); text.append(0x3A)
        append(Int(parts.tm_sec), width: 2)
        if fractional {
            text.append(0x2E)
            append(Int((nanoseconds - seconds * 1_000_000_000) / 1_000_000), width: 3)
        }
        text.append(0x5A)
        return String(decoding: text, as: UTF8.self)
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

import Foundation

/// ISO-8601 UTC rendering of host timestamps, the one format for logs and reports.
public enum UTCTimestamp {
    /// `2024-01-02T14:30:00Z`, or with milliseconds when `fractional` is set.
    /// Built from the day count by arithmetic (no gmtime_r, no formatter, one allocation at
    /// most): the transcript and the ledger render tens of thousands of these per backtest.
    public static func iso8601(nanoseconds: Int64, fractional: Bool = false) -> String {
        let parts = CivilTime(nanoseconds: nanoseconds)
        return String(unsafeUninitializedCapacity: fractional ? 24 : 20) { text in
            var at = 0
            func put(_ value: Int, width: Int) {
                var rest = value
                for index in stride(from: at + width - 1, through: at, by: -1) {
                    text[index] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
                    rest /= 10
                }
                at += width
            }
            func put(_ byte: UInt8) {
                text[at] = byte
                at += 1
            }
            put(parts.year, width: 4); put(0x2D)
            put(parts.month, width: 2); put(0x2D)
            put(parts.day, width: 2); put(0x54)
            put(parts.hour, width: 2); put(0x3A)
            put(parts.minute, width: 2); put(0x3A)
            put(parts.second, width: 2)
            if fractional {
                put(0x2E)
                put(parts.millisecond, width: 3)
            }
            put(0x5A)
            return at
        }
    }

    /// `yyyymmddHHMM` of a time: the minute stamp in client order ids.
    public static func compactMinute(nanoseconds: Int64) -> String {
        let parts = CivilTime(nanoseconds: nanoseconds)
        let value = ((parts.year * 100 + parts.month) * 100 + parts.day) * 10_000 + parts.hour * 100 + parts.minute
        return zeroPaddedDigits(value, width: 12)
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

    private static func zeroPaddedDigits(_ value: Int, width: Int) -> String {
        String(unsafeUninitializedCapacity: width) { text in
            var rest = value
            for index in stride(from: width - 1, through: 0, by: -1) {
                text[index] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
                rest /= 10
            }
            return width
        }
    }
}

/// The UTC calendar fields of a host timestamp (proleptic Gregorian, as gmtime gives them),
/// from days since 1970-01-01 with Howard Hinnant's civil_from_days.
struct CivilTime: Equatable {
    let year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int

    init(nanoseconds: Int64) {
        let perSecond: Int64 = 1_000_000_000
        let seconds = nanoseconds >= 0 ? nanoseconds / perSecond : (nanoseconds - (perSecond - 1)) / perSecond
        millisecond = Int((nanoseconds - seconds * perSecond) / 1_000_000)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        hour = secondOfDay / 3600
        minute = secondOfDay / 60 % 60
        second = secondOfDay % 60
        let shifted = days + 719_468                      // days since 0000-03-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097            // 0...146096
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // from March 1st
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        day = Int(dayOfYear - (153 * monthFromMarch + 2) / 5 + 1)
        month = Int(monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9)
        year = Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0)
    }
}

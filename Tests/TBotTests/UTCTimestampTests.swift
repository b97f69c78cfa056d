import Foundation
import XCTest
@testable import TBotCore

/// The arithmetic calendar against the C library's gmtime_r on many times, leap days and
/// century years included.
final class UTCTimestampTests: XCTestCase {
    private func reference(_ nanoseconds: Int64, fractional: Bool) -> String {
        let seconds = nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var text = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                          Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        if fractional { text += String(format: ".%03d", Int((nanoseconds - seconds * 1_000_000_000) / 1_000_000)) }
        return text + "Z"
    }

    func testMatchesGmtimeOnSeededTimes() {
        var generator = SeededRandom(seed: 20_241_121)
        // From 1906 to 2255: about the whole range of Int64 nanoseconds.
        for _ in 0..<50_000 {
            let nanoseconds = Int64.random(in: -2_000_000_000_000_000_000...9_000_000_000_000_000_000, using: &generator)
            XCTAssertEqual(UTCTimestamp.iso8601(nanoseconds: nanoseconds), reference(nanoseconds, fractional: false), "\(nanoseconds)")
            XCTAssertEqual(UTCTimestamp.iso8601(nanoseconds: nanoseconds, fractional: true), reference(nanoseconds, fractional: true))
        }
    }

    func testCalendarEdges() {
        let edges: [(Int, Int, Int, Int, Int, Int, String)] = [
            (1970, 1, 1, 0, 0, 0, "1970-01-01T00:00:00Z"),
            (2000, 2, 29, 23, 59, 59, "2000-02-29T23:59:59Z"),
            (2000, 3, 1, 0, 0, 0, "2000-03-01T00:00:00Z"),
            (2024, 2, 29, 14, 30, 0, "2024-02-29T14:30:00Z"),
            (2100, 2, 28, 12, 0, 0, "2100-02-28T12:00:00Z"),
            (2100, 3, 1, 0, 0, 1, "2100-03-01T00:00:01Z"),
            (1969, 12, 31, 23, 59, 59, "1969-12-31T23:59:59Z"),
            (1900, 3, 1, 0, 0, 0, "1900-03-01T00:00:00Z"),
        ]
        for (year, month, day, hour, minute, second, text) in edges {
            let nanoseconds = UTCTimestamp.nanoseconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
            XCTAssertEqual(UTCTimestamp.iso8601(nanoseconds: nanoseconds), text)
        }
        XCTAssertEqual(UTCTimestamp.iso8601(nanoseconds: -1, fractional: true), "1969-12-31T23:59:59.999Z")
        XCTAssertEqual(UTCTimestamp.iso8601(nanoseconds: 1_704_205_800_123_456_789, fractional: true), "2024-01-02T14:30:00.123Z")
    }

    func testCompactMinuteIsTheDigitsOfTheMinute() {
        let nanoseconds = UTCTimestamp.nanoseconds(year: 2024, month: 1, day: 2, hour: 14, minute: 30, second: 59)
        XCTAssertEqual(UTCTimestamp.compactMinute(nanoseconds: nanoseconds), "202401021430")
        XCTAssertEqual(UTCTimestamp.compactMinute(nanoseconds: 0), "197001010000")
    }
}

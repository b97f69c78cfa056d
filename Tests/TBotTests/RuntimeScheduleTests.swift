import Foundation
import XCTest
@testable import TBotCore

/// The runtime's pure parts: the UTC session timetable, the watchdog's escalation, the
/// retry backoff and the unresolved-orders log.
final class RuntimeScheduleTests: XCTestCase {
    private func config(_ lines: [String]) throws -> RuntimeConfig {
        try RuntimeConfigFixtures.config(Dictionary(uniqueKeysWithValues: lines.map { line in
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }))
    }

    private let minute: Int64 = 60_000_000_000
    /// 2024-01-02, a Tuesday.
    private let tuesday: Int64 = 19724

    func testDefaultScheduleFollowsTheSeedTimesInUTC() throws {
        let schedule = SessionSchedule(config: try config(["TEST_MODE=false"]))
        let sessions = schedule.sessions(onDay: tuesday)
        XCTAssertEqual(sessions.map(\.name), ["open", "mid", "close"])
        let day = tuesday * 86_400_000_000_000
        XCTAssertEqual(UTCTimestamp.iso8601(nanoseconds: sessions[0].start), "2024-01-02T14:30:00Z")
        // OPEN: 20 analysis + 10 breakout + 30 monitoring minutes.
        XCTAssertEqual(sessions[0].analysisEnd, day + (14 * 60 + 50) * minute)
        XCTAssertEqual(sessions[0].breakoutEnd, day + (15 * 60) * minute)
        XCTAssertEqual(sessions[0].end, day + (15 * 60 + 30) * minute)
        // MID starts at 15:30 when OPEN ends; CLOSE at 19:30 for 10 + 10 + 30.
        XCTAssertEqual(sessions[1].start, day + (15 * 60 + 30) * minute)
        XCTAssertEqual(sessions[2].end, day + (20 * 60 + 20) * minute)
        XCTAssertEqual(sessions[0].phase(at: day + (14 * 60 + 40) * minute), .analyzing)
        XCTAssertEqual(sessions[0].phase(at: day + (14 * 60 + 55) * minute), .trading)
        XCTAssertEqual(sessions[0].phase(at: day + (15 * 60 + 10) * minute), .monitoring)
        XCTAssertNil(sessions[0].phase(at: day + (15 * 60 + 30) * minute))
    }

    func testTestModeCapsAnalysisAndHalvesMonitoring() throws {
        let sessions = SessionSchedule(config: try config(["TEST_MODE=true"])).sessions(onDay: tuesday)
        let open = sessions[0]
        XCTAssertEqual(open.analysisEnd - open.start, 1 * minute)
        XCTAssertEqual(open.breakoutEnd - open.analysisEnd, 10 * minute)
        XCTAssertEqual(open.end - open.breakoutEnd, 15 * minute)
        // MID monitors 45 minutes: 23 in test mode (rounded up).
        XCTAssertEqual(sessions[1].end - sessions[1].breakoutEnd, 23 * minute)
    }

    func testTradingDaysOverrideAndOverlap() throws {
        let weekdays = SessionSchedule(config: try config(["TEST_MODE=false"]))
        XCTAssertEqual(weekdays.sessions(onDay: tuesday + 4).count, 0, "Saturday is not in TRADING_DAYS")
        XCTAssertEqual(SessionSchedule.weekday(ofDay: tuesday), 1)
        let override = SessionSchedule(config: try config(["TEST_MODE=false", "STRATEGY_OVERRIDE=close"]))
        XCTAssertEqual(override.sessions(onDay: tuesday).map(\.name), ["close"])
        let disabled = SessionSchedule(config: try config(["TEST_MODE=false", "STRAT_MID_ENABLED=false"]))
        XCTAssertEqual(disabled.sessions(onDay: tuesday).map(\.name), ["open", "close"])
        // MID at 14:40 would overlap OPEN (until 15:30): it starts when OPEN ends.
        let overlap = SessionSchedule(config: try config(["TEST_MODE=false", "START_TIME_MID=14:40"]))
        let sessions = overlap.sessions(onDay: tuesday)
        XCTAssertEqual(sessions[1].start, sessions[0].end)
        // Friday after the close: the next session is Monday's open.
        let fridayEvening = (tuesday + 3) * 86_400_000_000_000 + 22 * 60 * minute
        XCTAssertEqual(UTCTimestamp.iso8601(nanoseconds: weekdays.current(orNextAfter: fridayEvening)!.start), "2024-01-08T14:30:00Z")
    }

    func testWatchdogEscalatesThenRestores() {
        let second: Int64 = 1_000_000_000
        var watchdog = Watchdog(intervalSeconds: 10, thresholdSeconds: 30, graceSeconds: 60, startNanoseconds: 0)
        XCTAssertEqual(watchdog.due(at: 0), [.probe])
        XCTAssertEqual(watchdog.record(success: true, at: 0), [])
        XCTAssertEqual(watchdog.due(at: 5 * second), [])
        XCTAssertEqual(watchdog.due(at: 10 * second), [.probe])
        XCTAssertEqual(watchdog.record(success: false, at: 10 * second), [])
        XCTAssertEqual(watchdog.record(success: false, at: 20 * second), [])
        XCTAssertFalse(watchdog.isConnected)
        XCTAssertEqual(watchdog.record(success: false, at: 30 * second), [.lost(sinceNanoseconds: 0)])
        XCTAssertEqual(watchdog.record(success: false, at: 60 * second), [])
        XCTAssertEqual(watchdog.record(success: true, at: 70 * second), [.restored])
        XCTAssertTrue(watchdog.isConnected)
        // Lost again and never back: shutdown once the grace period has passed.
        _ = watchdog.record(success: false, at: 80 * second)
        XCTAssertEqual(watchdog.record(success: false, at: 100 * second), [.lost(sinceNanoseconds: 70 * second)])
        XCTAssertEqual(watchdog.due(at: 159 * second), [.probe])
        XCTAssertEqual(watchdog.record(success: false, at: 160 * second), [.shutdown])
        XCTAssertEqual(watchdog.record(success: false, at: 170 * second), [], "shutdown is asked for once")
    }

    func testRetryBackoffIsExponentialJitteredAndHonoursRetryAfter() {
        let policy = RetryPolicy(limit: 3, baseDelay: 1, maxDelay: 3, maxRetryAfter: 10)
        var random = SeededRandom(seed: 1)
        let delays = (1...4).map { policy.delay(retry: $0, retryAfterMilliseconds: nil, random: &random)! }
        XCTAssertTrue((0.5..<1).contains(delays[0]), "\(delays)")
        XCTAssertTrue((1..<2).contains(delays[1]), "\(delays)")
        XCTAssertTrue((1.5..<3).contains(delays[2]), "\(delays)")
        XCTAssertTrue((1.5..<3).contains(delays[3]), "capped at maxDelay: \(delays)")
        var again = SeededRandom(seed: 1)
        XCTAssertEqual((1...4).map { policy.delay(retry: $0, retryAfterMilliseconds: nil, random: &again)! }, delays, "seeded: repeatable")
        XCTAssertEqual(policy.delay(retry: 1, retryAfterMilliseconds: 4000, random: &random), 4.0)
        XCTAssertNil(policy.delay(retry: 1, retryAfterMilliseconds: 11_000, random: &random), "a longer Retry-After gives up")
    }

    func testUnresolvedOrdersLogWritesTruncatedJSONLines() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("unresolved-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let layout = OutputLayout(outputDirectory: root, backupDirectory: root, identity: RuntimeConfig.defaults.ledgerIdentity, mode: .paper)
        let log = UnresolvedOrdersLog(layout: layout)
        XCTAssertEqual(log.url.lastPathComponent, "unresolved_orders_paper.log")
        try log.append(at: 1_704_205_800_000_000_000, strategy: "open", broker: "alpaca_broker", fault: .network, code: "HTTP 503",
                       detail: String(repeating: "x", count: 900))
        try log.append(at: 1_704_205_860_000_000_000, strategy: "open", broker: "alpaca_broker", fault: .broker, code: "ORDER_REJECTED",
                       detail: "SPY: insufficient buying power")
        let lines = try String(contentsOf: log.url, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[1].hasPrefix(#"{"broker":"alpaca_broker","detail":"SPY: insufficient buying power","error_code":"ORDER_REJECTED","error_type":"BrokerError","strategy":"open","timestamp":"2024-01-02T14:31:00Z"}"#), String(lines[1]))
        let first = try log.entries()[0]
        XCTAssertEqual(first.detail.count, 500)
        XCTAssertEqual(first.errorType, "NetworkError")
    }
}

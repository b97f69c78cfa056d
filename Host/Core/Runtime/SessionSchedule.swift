import Foundation

/// One strategy session on one UTC day: analysis from START_TIME_<S>, then the breakout
/// (entry) window, then monitoring of what was entered. Entries are accepted only before
/// the monitoring phase; at the end what is still open is closed.
public struct ScheduledSession: Equatable, Sendable {
    public enum Phase: String, Sendable {
        case analyzing, trading, monitoring
    }

    public let name: String
    public let start: Int64
    public let analysisEnd: Int64
    public let breakoutEnd: Int64
    public let end: Int64

    public var window: SessionWindow { SessionWindow(name: name, startNanoseconds: start, endNanoseconds: end) }

    /// nil before the start and from the end on.
    public func phase(at now: Int64) -> Phase? {
        guard now >= start, now < end else { return nil }
        if now < analysisEnd { return .analyzing }
        return now < breakoutEnd ? .trading : .monitoring
    }
}

/// The UTC timetable of `tbot run`, from the config: STRATEGY_OVERRIDE or
/// STRATEGY_SEQUENCE (sessions whose STRAT_<S>_ENABLED is false are left out), each at
/// START_TIME_<S> for <S>_ANALYSIS_TIME + <S>_BREAKOUT_TIME + <S>_MONITORING_TIME minutes,
/// on TRADING_DAYS only. A session that would overlap the one before it starts when that
/// one ends, so two sessions never run at once.
///
/// TEST_MODE compresses the windows as the seed says ("shortens analysis/monitoring windows",
/// "symbol scan duration is capped at 1 minute"): analysis is capped at 1 minute and
/// monitoring takes half its minutes, rounded up; the breakout (entry) window is unchanged.
public struct SessionSchedule: Sendable {
    public struct Timing: Equatable, Sendable {
        public var name: String
        public var hour: Int, minute: Int
        public var analysis: Int, breakout: Int, monitoring: Int
    }

    public let timings: [Timing]
    public let tradingDays: Set<Int>
    public let compressed: Bool

    static let minute: Int64 = 60_000_000_000
    static let day: Int64 = 86_400_000_000_000

    public init(config: RuntimeConfig) {
        let names = config.strategyOverride.map { [$0] } ?? config.strategySequence.filter { config.sessionEnabled($0) }
        timings = names.map { name in
            let upper = name.uppercased()
            let start = config.startTime(session: name)
            func minutes(_ key: String) -> Int { Int(config.string("\(upper)_\(key)_TIME") ?? "") ?? 1 }
            return Timing(name: name, hour: start.hour, minute: start.minute,
                          analysis: minutes("ANALYSIS"), breakout: minutes("BREAKOUT"), monitoring: minutes("MONITORING"))
        }
        tradingDays = Set(config.tradingDays.compactMap { ConfigValueKind.weekdayNames.firstIndex(of: $0) })
        compressed = config.testMode
    }

    /// 0 = Monday ... 6 = Sunday; 1970-01-01 was a Thursday.
    public static func weekday(ofDay day: Int64) -> Int { Int(((day % 7) + 7 + 3) % 7) }

    /// The sessions of UTC day `day` (days since 1970-01-01), in order; none off TRADING_DAYS.
    public func sessions(onDay day: Int64) -> [ScheduledSession] {
        guard tradingDays.contains(Self.weekday(ofDay: day)) else { return [] }
        var result: [ScheduledSession] = []
        for timing in timings {
            let analysis = compressed ? min(timing.analysis, 1) : timing.analysis
            let breakout = timing.breakout
            let monitoring = compressed ? (timing.monitoring + 1) / 2 : timing.monitoring
            var start = day * Self.day + Int64(timing.hour * 60 + timing.minute) * Self.minute
            if let previous = result.last { start = max(start, previous.end) }
            let analysisEnd = start + Int64(analysis) * Self.minute
            let breakoutEnd = analysisEnd + Int64(breakout) * Self.minute
            result.append(ScheduledSession(name: timing.name, start: start, analysisEnd: analysisEnd, breakoutEnd: breakoutEnd,
                                           end: breakoutEnd + Int64(monitoring) * Self.minute))
        }
        return result
    }

    /// The session running at `now`, or else the next one to start, looking up to two weeks ahead.
    public func current(orNextAfter now: Int64) -> ScheduledSession? {
        let today = now >= 0 ? now / Self.day : (now - Self.day + 1) / Self.day
        // A session may run past midnight: yesterday's is looked at too.
        for day in (today - 1)...(today + 14) {
            if let session = sessions(onDay: day).first(where: { $0.end > now }) { return session }
        }
        return nil
    }
}

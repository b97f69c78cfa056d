import Foundation

/// Realized results per broker and day: the per-broker kill switch and the portfolio-wide
/// circuit breaker. A firing halts entries (exits still run), is journaled, written to the
/// broker's shutdown_flag file and raised as a CRITICAL notification.
extension RiskEngine {
    public struct Firing: Sendable, Equatable {
        /// nil: the portfolio circuit breaker (every broker).
        public var broker: String?
        public var reason: String
    }

    /// A trade closed at `broker` with net result `pnl`. Returns what fired because of it.
    public func realized(_ pnl: Money, symbol: String, broker: String, at now: Int64) throws -> [Firing] {
        // A result before the day's first session belongs to its own UTC day, measured against
        // the last float known; the roll reads the day's earlier results from the journal.
        if let known = days[broker] { try rollDay(broker: broker, float: known.startFloat, at: now) }
        try journal.record(RiskTradeResult(closedNanoseconds: now, broker: broker, session: session?.name ?? "",
                                           sessionStartNanoseconds: session?.startNanoseconds ?? now, symbol: symbol, pnl: pnl))
        guard var day = days[broker] else { return [] }
        day.realized = day.realized + pnl
        days[broker] = day
        var fired: [Firing] = []
        let dailyLossLimit = prepared.dailyLossLimit
        let limit = day.startFloat.cut(times: dailyLossLimit)
        if day.halted == nil, -day.realized.units > limit.units {
            let reason = "realized loss \(-day.realized) today exceeds DAILY_LOSS_LIMIT \(dailyLossLimit.percent) of float \(day.startFloat) (\(limit))"
            days[broker]?.halted = reason
            let event = KillSwitchEvent(firedNanoseconds: now, day: day.day, broker: broker, realized: day.realized, limit: limit, reason: reason)
            try journal.record(event)
            if let flag = flagFile?(broker) { try ShutdownFlag.write(event, to: flag) }
            try journal.record(RiskEvent(atNanoseconds: now, level: .critical, subject: "kill_switch:\(broker)",
                                         message: "kill switch: broker \(broker) halted for the rest of the UTC day: \(reason)"))
            fired.append(Firing(broker: broker, reason: reason))
        }
        if let reason = try checkCircuitBreaker(at: now) {
            try journal.record(RiskEvent(atNanoseconds: now, level: .critical, subject: "circuit_breaker",
                                         message: "circuit breaker: every entry blocked until the next UTC day: \(reason)"))
            fired.append(Firing(broker: nil, reason: reason))
        }
        return fired
    }

    /// Opens the circuit breaker when today's realized results across all brokers (from the
    /// journal, so a restart the same day sees them too) pass its limit. Returns the reason
    /// when it opened now.
    func checkCircuitBreaker(at now: Int64) throws -> String? {
        let today = now / Self.day
        guard circuitBreaker?.day != today else { return nil }
        let total = try journal.trades(since: today * Self.day).reduce(Money.zero) { $0 + $1.pnl }
        let breakerLoss = prepared.circuitBreakerLoss
        let breaker = capital.cut(times: breakerLoss)
        guard -total.units > breaker.units else { return nil }
        let reason = "realized loss \(-total) today across all brokers exceeds CIRCUIT_BREAKER_DAILY_LOSS \(breakerLoss.percent) of capital \(capital) (\(breaker))"
        circuitBreaker = (today, reason)
        return reason
    }
}

/// The shutdown_flag file: why a broker was halted, for the operator and for a restart the
/// same day. JSON with the broker, the UTC day, the time and the reason.
public enum ShutdownFlag {
    public struct Content: Codable, Equatable {
        public var broker: String
        public var day: Int64
        public var firedAt: String
        public var reason: String
    }

    static func write(_ event: KillSwitchEvent, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let content = Content(broker: event.broker, day: event.day, firedAt: UTCTimestamp.iso8601(nanoseconds: event.firedNanoseconds),
                              reason: event.reason)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(content).write(to: url, options: .atomic)
    }

    public static func read(_ url: URL) -> Content? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(Content.self, from: data)
    }
}

extension RiskEngine {
    /// Fires the broker's kill switch for a fault rather than a loss (broker retries
    /// exhausted, the watchdog): the same halt for the rest of the UTC day, journal entry,
    /// shutdown_flag file and CRITICAL event. Returns false when the broker was already halted.
    @discardableResult
    public func haltBroker(_ broker: String, reason: String, at now: Int64) throws -> Bool {
        guard var day = days[broker] else { return false }
        guard day.halted == nil else { return false }
        day.halted = reason
        days[broker] = day
        let event = KillSwitchEvent(firedNanoseconds: now, day: day.day, broker: broker, realized: day.realized, limit: .zero, reason: reason)
        try journal.record(event)
        if let flag = flagFile?(broker) { try ShutdownFlag.write(event, to: flag) }
        try journal.record(RiskEvent(atNanoseconds: now, level: .critical, subject: "kill_switch:\(broker)",
                                     message: "kill switch: broker \(broker) halted for the rest of the UTC day: \(reason)"))
        return true
    }
}

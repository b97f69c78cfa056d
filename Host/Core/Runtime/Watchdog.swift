import Foundation

/// The broker heartbeat. Every WATCHDOG_INTERVAL seconds of host time the runtime probes the
/// broker (its market clock, else its account) once, without retries. When no probe has
/// succeeded for WATCHDOG_THRESHOLD seconds the broker is lost: the runtime cancels pending
/// orders, suspends entries and raises an alert. Lost for WATCHDOG_GRACE seconds more, the
/// runtime shuts down gracefully. A probe that succeeds again restores entries.
public struct Watchdog: Sendable {
    public enum Action: Equatable, Sendable {
        /// Probe the broker now.
        case probe
        /// The broker just became unreachable: cancel pending orders, suspend entries, alert.
        case lost(sinceNanoseconds: Int64)
        /// It answered again after being lost.
        case restored
        /// Lost beyond the grace period: shut down gracefully.
        case shutdown
    }

    public let interval: Int64
    public let threshold: Int64
    public let grace: Int64

    public private(set) var lastSuccess: Int64
    public private(set) var lastProbe: Int64 = .min
    public private(set) var lostSince: Int64?
    public private(set) var failures = 0
    private var shutdownSent = false

    public var isConnected: Bool { lostSince == nil && failures == 0 }

    public init(intervalSeconds: Int, thresholdSeconds: Int, graceSeconds: Int, startNanoseconds: Int64) {
        interval = Int64(intervalSeconds) * 1_000_000_000
        threshold = Int64(thresholdSeconds) * 1_000_000_000
        grace = Int64(graceSeconds) * 1_000_000_000
        lastSuccess = startNanoseconds
    }

    public init(config: RuntimeConfig, startNanoseconds: Int64) {
        func seconds(_ key: String, _ fallback: Int) -> Int { Int(config.string(key) ?? "") ?? fallback }
        self.init(intervalSeconds: seconds("WATCHDOG_INTERVAL", 30), thresholdSeconds: seconds("WATCHDOG_THRESHOLD", 120),
                  graceSeconds: seconds("WATCHDOG_GRACE", 300), startNanoseconds: startNanoseconds)
    }

    /// What to do at `now`: probe when the interval has passed, escalate when the threshold
    /// or the grace period ran out. Call `record` with each probe's outcome.
    public mutating func due(at now: Int64) -> [Action] {
        var actions: [Action] = []
        if lastProbe == .min || now - lastProbe >= interval { actions.append(.probe) }
        actions += escalation(at: now)
        return actions
    }

    /// Records a probe made at `now`; returns .restored when a lost broker answered again.
    public mutating func record(success: Bool, at now: Int64) -> [Action] {
        lastProbe = now
        if success {
            failures = 0
            lastSuccess = now
            if lostSince != nil {
                lostSince = nil
                shutdownSent = false
                return [.restored]
            }
            return []
        }
        failures += 1
        return escalation(at: now)
    }

    private mutating func escalation(at now: Int64) -> [Action] {
        guard failures > 0 else { return [] }
        if lostSince == nil, now - lastSuccess >= threshold {
            lostSince = now
            return [.lost(sinceNanoseconds: lastSuccess)]
        }
        if let lost = lostSince, !shutdownSent, now - lost >= grace {
            shutdownSent = true
            return [.shutdown]
        }
        return []
    }
}

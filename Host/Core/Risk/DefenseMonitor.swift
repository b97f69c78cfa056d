import Foundation

/// Whether Defense Mode is on, since when and why.
public struct DefenseState: Sendable, Equatable {
    public var active = false
    public var since: Int64?
    public var reasons: [String] = []
    public init() {}
}

/// The Disaster Risk Reduction Protocol. Evaluated when a session begins:
/// - triggers (any one starts Defense Mode): the win rate of the trades closed in the last
///   DEFENSE_WIN_RATE_DAYS days is below DEFENSE_WIN_RATE_FLOOR (once there are at least
///   DEFENSE_MIN_TRADES of them); a broker's float is more than DEFENSE_FLOAT_DRAWDOWN below
///   its starting float; the kill switch fired more than DEFENSE_KILL_SWITCH_LIMIT times in the
///   last DEFENSE_KILL_SWITCH_WINDOW trading days. Only trades and firings after the last
///   deactivation count, so an exit is not undone by the history that caused the entry.
/// - exit (either one): at least DEFENSE_EXIT_TRADES trades closed since activation and the
///   win rate of the last DEFENSE_EXIT_TRADES of them above DEFENSE_EXIT_WIN_RATE; or the last
///   DEFENSE_EXIT_SESSIONS sessions with trades since activation each above it.
/// DEFENSE_MODE_ACTIVE=true holds it on regardless. Activation and deactivation go to the
/// disaster log with the triggers and the limits in force.
public enum DefenseMonitor {
    /// The state the disaster log's last entry leaves: active since its activation, or not.
    public static func restore(journal: RiskJournal) throws -> DefenseState {
        var state = DefenseState()
        if let last = try journal.defenseLog().last, last.event == .activated {
            state.active = true
            state.since = last.atNanoseconds
            state.reasons = last.reasons
        }
        return state
    }

    static func winRate(_ trades: [RiskTradeResult]) -> Decimal {
        guard !trades.isEmpty else { return 0 }
        return Decimal(trades.filter { $0.pnl > .zero }.count) / Decimal(trades.count)
    }

    /// winRate(trades) compared with `rate` without the division (slow on Decimal, and this
    /// runs at every session start): wins against rate x count. Negative: below, positive: above.
    static func compareWinRate(_ trades: [RiskTradeResult], with rate: Decimal) -> Int {
        compareWinRate(wins: trades.filter { $0.pnl > .zero }.count, of: trades.count, with: rate)
    }

    static func compareWinRate(wins: Int, of trades: Int, with rate: Decimal) -> Int {
        let wins = Decimal(wins), bar = rate * Decimal(trades)
        return wins < bar ? -1 : wins > bar ? 1 : 0
    }

    /// The same in integers when the rate is short: wins x 10^scale against the rate's units x trades.
    static func compareWinRate(wins: Int, of trades: Int, with rate: PreparedDecimal) -> Int {
        guard let exact = rate.exact.scaled else { return compareWinRate(wins: wins, of: trades, with: rate.decimal) }
        let left = Int128(wins) * ScaledDecimal.powerOfTen(exact.scale), right = Int128(exact.units) * Int128(trades)
        return left < right ? -1 : left > right ? 1 : 0
    }

    static func triggers(policy: RiskLimits.DefensePolicy, trades: [RiskTradeResult], floats: [(broker: String, start: Money, now: Money)],
                         killSwitchDays: [Int64], tradingDays: [String], at now: Int64) -> [String] {
        var reasons: [String] = []
        if policy.forced { reasons.append("DEFENSE_MODE_ACTIVE=true in the configuration") }
        let windowStart = now - Int64(policy.winRateDays) * RiskEngine.day
        let recent = trades.filter { $0.closedNanoseconds >= windowStart }
        if recent.count >= policy.minTrades, compareWinRate(recent, with: policy.winRateFloor) < 0 {
            reasons.append("win rate \(RiskRules.percent(winRate(recent))) of \(recent.count) trades in \(policy.winRateDays) days is below \(RiskRules.percent(policy.winRateFloor))")
        }
        for float in floats where float.start > .zero
            && Decimal(float.start.units - float.now.units) > policy.floatDrawdown * Decimal(float.start.units) {
            // Compared above without a division; the share is worked out only for the message.
            let drawdown = (float.start.decimal - float.now.decimal) / float.start.decimal
            reasons.append("broker \(float.broker) float \(float.now) is \(RiskRules.percent(drawdown)) below its starting float \(float.start) (limit \(RiskRules.percent(policy.floatDrawdown)))")
        }
        let firstDay = windowFirstDay(tradingDays: tradingDays, count: policy.killSwitchWindowDays, today: now / RiskEngine.day)
        let firings = killSwitchDays.filter { $0 >= firstDay }.count
        if firings > policy.killSwitchLimit {
            reasons.append("kill switch fired \(firings) times in the last \(policy.killSwitchWindowDays) trading days (limit \(policy.killSwitchLimit))")
        }
        return reasons
    }

    /// The first UTC day of a window of `count` trading days ending today.
    static func windowFirstDay(tradingDays: [String], count: Int, today: Int64) -> Int64 {
        var day = today, counted = 0
        while day > today - 3660 {
            if tradingDays.contains(RiskRules.weekday(day * RiskEngine.day)) {
                counted += 1
                if counted == count { return day }
            }
            day -= 1
        }
        return day
    }
}

/// The exit review over the trades closed since activation, as counts kept while the trades
/// arrive (oldest first), so a session start costs the trades added since the last one instead of
/// a pass over every trade since activation: the results of the last DEFENSE_EXIT_TRADES trades,
/// and the wins and trades of each session.
struct DefenseExitTally {
    /// Activation: the trades counted closed at or after it.
    let since: Int64
    /// Trades counted.
    private(set) var count = 0
    private let policy: RiskLimits.DefensePolicy
    private let exitWinRate: PreparedDecimal
    /// The last DEFENSE_EXIT_TRADES results (true: a win) as a ring, and how many are wins.
    private var lastResults: [Bool] = []
    private var lastWins = 0
    /// Every session with a trade, by start time ascending.
    private var sessions: [(start: Int64, wins: Int, trades: Int)] = []

    init(since: Int64, policy: RiskLimits.DefensePolicy) {
        self.since = since
        self.policy = policy
        exitWinRate = PreparedDecimal(policy.exitWinRate)
    }

    mutating func add(_ trade: RiskTradeResult) {
        let won = trade.pnl > .zero
        count += 1
        let window = policy.exitTrades
        if window > 0 {
            if lastResults.count < window {
                lastResults.append(won)
            } else {
                // The slot of the trade `window` places back.
                let slot = (count - 1) % window
                if lastResults[slot] { lastWins -= 1 }
                lastResults[slot] = won
            }
            if won { lastWins += 1 }
        }
        tally(won, inSessionStarting: trade.sessionStartNanoseconds)
    }

    private mutating func tally(_ won: Bool, inSessionStarting start: Int64) {
        // Trades arrive in time order, so nearly always in the latest session or a new one.
        var index = sessions.count
        while index > 0, sessions[index - 1].start > start { index -= 1 }
        if index > 0, sessions[index - 1].start == start {
            sessions[index - 1].wins += won ? 1 : 0
            sessions[index - 1].trades += 1
        } else {
            sessions.insert((start, won ? 1 : 0, 1), at: index)
        }
    }

    /// Why Defense Mode ends now, or nil: at least DEFENSE_EXIT_TRADES trades and the win rate of
    /// the last DEFENSE_EXIT_TRADES above DEFENSE_EXIT_WIN_RATE; or the latest DEFENSE_EXIT_SESSIONS
    /// sessions with trades each above it.
    func exitReason() -> String? {
        if count >= policy.exitTrades, DefenseMonitor.compareWinRate(wins: lastWins, of: policy.exitTrades, with: exitWinRate) > 0 {
            let rate = Decimal(lastWins) / Decimal(policy.exitTrades)
            return "win rate \(RiskRules.percent(rate)) over the last \(policy.exitTrades) trades is above \(exitWinRate.percent)"
        }
        var run = 0
        for session in sessions.reversed() {
            guard DefenseMonitor.compareWinRate(wins: session.wins, of: session.trades, with: exitWinRate) > 0 else { break }
            run += 1
        }
        if run >= policy.exitSessions {
            return "\(run) consecutive sessions each above a \(exitWinRate.percent) win rate"
        }
        return nil
    }
}

extension RiskEngine {
    /// Evaluates Defense Mode as a session begins at `broker`, whose float is measured then (the
    /// other triggers are global); returns the notifications it raised.
    func evaluateDefense(at now: Int64, broker: String, float: Money) throws -> [RiskEvent] {
        let policy = limits.defense
        // Recorded at the broker's first session, active or not: the base of the drawdown trigger.
        let startingFloat = try journal.startingFloat(broker: broker, current: float, at: now)
        if defense.active {
            guard !policy.forced else { return [] }
            guard let reason = try caughtUpExitTally(since: defense.since ?? .min).exitReason() else { return [] }
            try journal.record(DefenseLogEntry(atNanoseconds: now, event: .deactivated, reasons: [reason], limits: limits))
            defense = DefenseState()
            return [try notify(now, .info, "Defense Mode deactivated: \(reason); normal limits in force")]
        }
        let lastExit = try journal.defenseLog().last { $0.event == .deactivated }?.atNanoseconds ?? .min
        // Only the win-rate window is read: the journal grows with every trade ever closed.
        let trades = try journal.trades(since: max(lastExit, now - Int64(policy.winRateDays) * RiskEngine.day))
        let firings = try journal.killSwitchEvents().filter { $0.firedNanoseconds > lastExit }.map(\.day)
        let reasons = DefenseMonitor.triggers(policy: policy, trades: trades, floats: [(broker, startingFloat, float)], killSwitchDays: firings,
                                              tradingDays: limits.tradingDays, at: now)
        guard !reasons.isEmpty else { return [] }
        defense = DefenseState()
        defense.active = true
        defense.since = now
        defense.reasons = reasons
        let reduced = inForce
        try journal.record(DefenseLogEntry(atNanoseconds: now, event: .activated, reasons: reasons, limits: reduced))
        return [try notify(now, .critical, "Defense Mode activated: \(reasons.joined(separator: "; ")). Limits in force: TOTAL_ALLOCATION "
            + "\(RiskRules.percent(reduced.totalAllocation)), MAX_TRADES \(reduced.maxTrades), MAX_CONCURRENT_TRADES_PER_BROKER "
            + "\(reduced.maxConcurrentPerBroker), WEIGHTS \(reduced.weights.map { "\($0)" }.joined(separator: ","))")]
    }

    /// The exit counts over the trades since `since`. When the journal keeps every trade in memory
    /// in order (a sole writer), the counts of the last session start go on with just the trades
    /// added since; otherwise another writer may have added one in between, so all are counted again.
    private func caughtUpExitTally(since: Int64) throws -> DefenseExitTally {
        if let counted = exitTally, counted.since == since, let added = journal.trades(since: since, after: counted.count) {
            for trade in added { exitTally?.add(trade) }
        } else {
            var tally = DefenseExitTally(since: since, policy: limits.defense)
            for trade in try journal.trades(since: since) { tally.add(trade) }
            exitTally = tally
        }
        return exitTally!
    }

    private func notify(_ now: Int64, _ level: NotificationLevel, _ message: String) throws -> RiskEvent {
        var event = RiskEvent(atNanoseconds: now, level: level, subject: "defense_mode", message: message)
        event.id = try journal.record(event)
        return event
    }
}

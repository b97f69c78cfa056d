import Foundation

/// The host's risk engine: every entry passes it between the budgets and the broker.
///
/// It keeps, per broker, the UTC day (float at the day's start, realized P&L, kill switch) and
/// the current session's allocation (cap, slots and risk used); across brokers, the open
/// positions with their risk, sector and broker, the daily circuit breaker, Defense Mode and
/// the daily price history the volume and correlation rules read. Rules are plain functions
/// of this state and of BrokerFacts, so the same engine runs live, in a replay and in tests.
///
/// Two capital bases (docs/risk.md): the broker's float (its account equity) for the session
/// cap, the kill switch, rebalancing and the float drawdown; the account capital (the budget
/// plan's total, else the sum of the brokers' floats) for per-trade risk, the position cap,
/// heat and the circuit breaker.
public final class RiskEngine {
    public let limits: RiskLimits
    public let sectors: SectorMap
    public let journal: RiskJournal
    /// Daily closes and volumes; carried from one session's engine to the next by the caller.
    public private(set) var history: PriceHistory
    public internal(set) var defense = DefenseState()
    /// False in a backtest: the rebalance notice asks an operator to move money by hand, and
    /// a replay's whole cash sits in its one simulated broker by design.
    public var notifiesRebalance = true
    public var inForce: RiskLimits { prepared.limits }
    /// The limits in force with their texts and exact ratios, made once per mode: every
    /// candidate reads them (and the Defense Mode weights take a Decimal division).
    var prepared: PreparedLimits { defense.active ? defensePrepared : normalPrepared }
    private lazy var normalPrepared = PreparedLimits(limits)
    private lazy var defensePrepared = PreparedLimits(limits.inForce(defense: true))
    /// The sector of each symbol seen: the map's lookup trims and upper-cases the symbol.
    private var sectorMemo: [String: String?] = [:]
    /// The Defense Mode exit counts, carried from one session start to the next (DefenseMonitor).
    var exitTally: DefenseExitTally?

    let accountCapital: Money?
    /// Brokers sharing the deployed float; the rebalance target splits it equally among them.
    let activeBrokers: [String]
    /// Where shutdown_flag files go; nil writes none (tests of pure rules).
    let flagFile: ((String) -> URL)?
    var days: [String: BrokerDay] = [:]
    var usage: [String: SessionUsage] = [:]
    var positions: [String: OpenRisk] = [:]
    var circuitBreaker: (day: Int64, reason: String)?
    var session: SessionWindow?

    static let day = PriceHistory.nanosecondsPerDay

    func sector(of symbol: String) -> String? {
        if let known = sectorMemo[symbol] { return known }
        let sector = sectors.sector(of: symbol)
        sectorMemo[symbol] = .some(sector)
        return sector
    }

    /// One broker's trading day.
    struct BrokerDay {
        var day: Int64
        var startFloat: Money
        var realized: Money
        var halted: String?
    }

    /// One broker's share of the current session.
    struct SessionUsage {
        var cap: Money
        var slotsUsed: Int
        var riskUsed: Money
    }

    /// An open (or reserved) position as the portfolio rules count it.
    struct OpenRisk {
        var broker: String
        var risk: Money
        var sector: String?
        /// Accepted in a pool but not yet sent.
        var reserved: Bool
    }

    public init(limits: RiskLimits, sectors: SectorMap = .empty, journal: RiskJournal, accountCapital: Money? = nil,
                activeBrokers: [String], flagFile: ((String) -> URL)? = nil, history: PriceHistory = PriceHistory()) throws {
        self.limits = limits
        self.history = history
        self.sectors = sectors
        self.journal = journal
        self.accountCapital = accountCapital
        self.activeBrokers = activeBrokers
        self.flagFile = flagFile
        defense = try DefenseMonitor.restore(journal: journal)
    }

    /// Every bar: the daily closes and volumes the volume and correlation rules read.
    @inline(__always)
    public func observe(_ bar: Bar) { history.observe(bar) }

    /// The capital per-trade risk, position size, heat and the circuit breaker are measured against.
    var capital: Money {
        accountCapital ?? days.values.reduce(Money.zero) { $0 + $1.startFloat }
    }

    /// A session begins at a broker whose float (account equity) is `float`. Rolls the broker's
    /// day, evaluates Defense Mode once per session, sets the session cap, brings the open
    /// positions in line with the broker's `holdings` (symbol -> book value), and checks the
    /// float against its target. Returns the notifications it raised.
    @discardableResult
    public func beginSession(_ window: SessionWindow, broker: String, float: Money, holdings: [String: Money],
                             at now: Int64) throws -> [RiskEvent] {
        var raised: [RiskEvent] = []
        try rollDay(broker: broker, float: float, at: now)
        if session != window {
            session = window
            usage = [:]
        }
        raised += try evaluateDefense(at: now, broker: broker, float: float)
        usage[broker] = SessionUsage(cap: float.cut(times: prepared.totalAllocation), slotsUsed: 0, riskUsed: .zero)
        syncPositions(broker: broker, holdings: holdings)
        raised += try BrokerFloat.check(engine: self, broker: broker, float: float, at: now)
        return raised
    }

    /// Resets the broker's day at a new UTC day; a kill switch fired earlier the same day
    /// (this process or another, per the journal or the shutdown flag) still holds.
    func rollDay(broker: String, float: Money, at now: Int64) throws {
        let today = now / Self.day
        guard days[broker]?.day != today else { return }
        let realized = try journal.trades(since: today * Self.day).filter { $0.broker == broker }.reduce(Money.zero) { $0 + $1.pnl }
        var halted = try journal.killSwitchEvents(broker: broker).last { $0.day == today }?.reason
        if halted == nil, let flag = flagFile?(broker), let stored = ShutdownFlag.read(flag), stored.day == today {
            halted = stored.reason
        }
        days[broker] = BrokerDay(day: today, startFloat: float, realized: realized, halted: halted)
        if let breaker = circuitBreaker, breaker.day != today { circuitBreaker = nil }
        _ = try checkCircuitBreaker(at: now)
    }

    /// Positions the broker holds that the engine does not know (recovered after a restart)
    /// count with the largest risk one trade may take, since their stop is unknown.
    private func syncPositions(broker: String, holdings: [String: Money]) {
        for symbol in positions.keys where positions[symbol]?.broker == broker && holdings[symbol] == nil {
            positions[symbol] = nil
        }
        for symbol in holdings.keys where positions[symbol] == nil {
            let risk = capital.cut(times: prepared.maxRiskPerTrade)
            positions[symbol] = OpenRisk(broker: broker, risk: risk, sector: sector(of: symbol), reserved: false)
        }
    }

    // MARK: pool bookkeeping

    /// Holds a slot for an accepted candidate while its pool is sized and sent.
    func reserve(_ entry: RoutedEntry, broker: String) {
        positions[entry.symbol] = OpenRisk(broker: broker, risk: .zero, sector: sector(of: entry.symbol), reserved: true)
    }

    /// The order for `symbol` was accepted by the broker: the slot and the risk are used.
    public func committed(symbol: String, broker: String, risk: Money) {
        positions[symbol] = OpenRisk(broker: broker, risk: risk, sector: sector(of: symbol), reserved: false)
        var use = usage[broker] ?? SessionUsage(cap: .zero, slotsUsed: 0, riskUsed: .zero)
        use.slotsUsed += 1
        use.riskUsed = use.riskUsed + risk
        usage[broker] = use
    }

    /// A reserved candidate that was not sent gives its slot back.
    public func released(symbol: String) {
        if positions[symbol]?.reserved == true { positions[symbol] = nil }
    }

    /// The position in `symbol` is flat again.
    public func positionClosed(symbol: String) { positions[symbol] = nil }

    /// What is left of the broker's session cap.
    public func remainingCap(broker: String) -> Money {
        guard let use = usage[broker] else { return .zero }
        return max(.zero, use.cap - use.riskUsed)
    }

    /// Slots left in the broker's session: MAX_TRADES less orders sent and candidates reserved.
    public func remainingSlots(broker: String) -> Int {
        let reserved = positions.values.filter { $0.broker == broker && $0.reserved }.count
        return max(0, prepared.limits.maxTrades - (usage[broker]?.slotsUsed ?? 0) - reserved)
    }

    public func isHalted(broker: String) -> String? { days[broker]?.halted }
    public var openRisk: Money { positions.values.reduce(Money.zero) { $0 + $1.risk } }
    public var openPositionCount: Int { positions.count }
}

extension Money {
    /// A decimal amount cut (not rounded) to 1/10000: a limit computed from a share never
    /// grows past what the share allows.
    init(_ amount: Decimal, roundingDown: Bool) {
        self.init(units: DecimalRounding.int64(amount * Decimal(Money.scale), mode: roundingDown ? .down : .bankers))
    }
}

import Foundation
import TBotPluginAPI

/// A strategy bot as the pipeline runs it: its own plugin instance (created with the bot's
/// parameters), the module that pays for it, and the symbols whose bars it sees.
public struct PipelineBot {
    public let id: String
    public let module: String
    public let strategy: StrategyPlugin
    /// nil: every symbol.
    public let symbols: Set<String>?

    public init(id: String, module: String, strategy: StrategyPlugin, symbols: Set<String>?) {
        self.id = id
        self.module = module
        self.strategy = strategy
        self.symbols = symbols
    }

    func wants(_ symbol: String) -> Bool { symbols?.contains(symbol) ?? true }
}

/// The one pipeline: bars -> strategy bots -> filters -> ranked pool -> risk engine (rules,
/// session weights, sizing) -> budgets -> broker -> fills -> ledger, budget settlement and the
/// risk engine's realized results (kill switch, circuit breaker).
/// Single-threaded and event-driven; the clock is moved to each bar's end before anything
/// sees the bar, so plugins read the same time in a replay as they would have live.
public final class TradingPipeline {
    public let bots: [PipelineBot]
    public let filters: [FilterPlugin]
    public let broker: BrokerPlugin
    /// Every entry passes it; it sizes every order.
    public let risk: RiskEngine
    /// The budget hierarchy every entry must fit and every closed trade settles into.
    public let budgets: BudgetBook?
    /// The latest VIX close at a time, when a VIX series is configured (the supervisor's check).
    public var vix: ((Int64) -> Double?)?
    let clock: SimulatedClock
    /// The session being run, for the risk engine's records.
    var window = SessionWindow(name: "", startNanoseconds: 0, endNanoseconds: 0)
    /// Risk decisions not yet written to the journal (written in batches: one commit each).
    var pendingDecisions: [RiskDecision] = []

    public private(set) var transcript: [String] = []
    /// When set, transcript lines go here as they are made and are not kept (a backtest
    /// streams them to its log, so memory does not grow with the run).
    public var transcriptSink: ((String) -> Void)?
    public private(set) var book: PositionBook
    public internal(set) var counts = Counts()
    /// Closed trades and failed orders, for the trade history.
    public private(set) var tradeRecords: [TradeRecord] = []
    /// Every closed round trip with its entry and exit times, for a backtest's metrics.
    public private(set) var closedTrades: [ClosedTrade] = []
    /// When each open position's first fill happened, and at what price.
    private var openedAt: [String: (time: Int64, price: Double)] = [:]
    /// True while the books hold any position (a backtest's exposure).
    public var hasOpenPositions: Bool { !book.holdings.isEmpty }
    /// Posts every fill to the books; nil runs without a ledger.
    private let poster: LedgerPoster?
    let mode: LedgerMode
    /// What was decided for each order, to attach to its fills: strategy, expected price, when.
    private var orderContexts: [String: (context: LedgerPoster.FillContext, decided: Int64)] = [:]
    private(set) var lastBars = LatestBars()
    /// Orders the broker accepted but has not finished (a simulated broker filling at the next
    /// bar's open, or a resting order): looked at after every bar until they are final.
    private var workingOrders: [String] = []
    /// Symbols with an exit order still working: a second exit intent is not sent twice.
    private var pendingExits = Set<String>()
    /// Filters that take every bar (indicator state), fed before strategies see the bar;
    /// unretained like `strategies` (`filters` keeps them alive).
    private let barFilters: [Unmanaged<FilterPlugin>]
    /// The bots each symbol's bars go to.
    private var routes: BotRoutes
    /// Each bot's strategy without a reference count: `bots` keeps them alive as long as the
    /// pipeline, and a retain and release per bar cost as much as the rest of the call's glue.
    private let strategies: [Unmanaged<StrategyPlugin>]
    /// The bar being processed in ABI form, shared by the broker, filters and strategies.
    private let abiBar = ABIBarSlot()
    /// False in a backtest: no operator can approve an entry or press the emergency stop
    /// inside a replay, so the once-a-minute look at the books is skipped.
    public var pollsOperators = true
    /// A session spanning several UTC days (a backtest) starts a new risk day at each day's
    /// first bar: daily limits, the kill switch and MAX_TRADES count per day, as live.
    private var riskDay: Int64 = .min
    private var seenFills = Set<String>()
    /// Fills at or after this time may still be new; older ones were all seen.
    private var fillCursor: Int64 = 0
    private var orderSequence = 0
    /// Session start as yyyymmddHHMM: client order ids stay unique across sessions, which a
    /// broker that deduplicates retries by client id requires.
    private var sessionStamp = ""
    /// Bots whose strategy returned TBOT_ERR_FATAL: no more calls this session.
    private var stoppedBots = Set<String>()
    /// Budget events already shown in the transcript.
    private var lastEventID: Int64 = 0
    /// The minute of the last look at the approval queue and the account's emergency state.
    private var lastBudgetPoll: Int64 = .min
    private var lastBudgetRevision = -1
    private var emergencyHandled = false
    private var pendingEmergencyClose = false
    /// Set when the kill switch fired during a fill: the broker's positions close once the fill is booked.
    var pendingKillSwitch: String?
    /// The entry's fallback level and tags, kept until the trade closes for its history line.
    var entryNotes: [String: (fallbackLevel: Int?, tags: [String])] = [:]
    private var collectingFills = false
    /// Set when the broker returned TBOT_ERR_FATAL: no more orders through it today.
    var brokerHalt: String?
    /// Set by the runtime (watchdog, a session's monitoring phase, a stop): entry intents are
    /// skipped with this reason; exits still run.
    public var entriesSuspended: String?
    /// Orders accepted and not final yet (the runtime cancels them when the broker is lost).
    public var workingOrderIDs: [String] { workingOrders }
    /// Told about every order the broker refused or that failed for good, for the runtime's
    /// unresolved_orders log: symbol, strategy, the fault class, a code and the detail.
    public var orderUnresolved: ((_ symbol: String, _ strategy: String, _ fault: FaultClass, _ code: String, _ detail: String) -> Void)?
    /// Told about every fill booked: the fill, its strategy and bot, and for a fill that closed
    /// a trade its entry price and net result (nil for an entry). E-mail alerts hang off it.
    public var fillBooked: ((_ fill: BrokerFill, _ strategy: String, _ bot: String, _ closed: (entryPrice: Decimal?, net: Money)?) -> Void)?
    /// Told about every supervisor decision on a closed trade (a rejection is an alert).
    public var supervisorDecided: ((SupervisorDecision) -> Void)?
    /// Why the pipeline stopped sending orders, if it did.
    public var haltReason: String? { brokerHalt }

    public struct Counts: Equatable, Sendable {
        public var bars = 0, intents = 0, blocked = 0, orders = 0, rejectedOrders = 0, fills = 0
        public var budgetRejections = 0, approvalsQueued = 0, riskRejections = 0

        public init() {}

        public mutating func add(_ other: Counts) {
            bars += other.bars
            intents += other.intents
            blocked += other.blocked
            orders += other.orders
            rejectedOrders += other.rejectedOrders
            fills += other.fills
            budgetRejections += other.budgetRejections
            approvalsQueued += other.approvalsQueued
            riskRejections += other.riskRejections
        }
    }

    public init(bots: [PipelineBot], filters: [FilterPlugin], broker: BrokerPlugin, risk: RiskEngine, clock: SimulatedClock,
                poster: LedgerPoster? = nil, book: PositionBook? = nil, mode: LedgerMode = .paper, budgets: BudgetBook? = nil) {
        self.bots = bots
        self.filters = filters
        self.broker = broker
        self.risk = risk
        self.clock = clock
        self.poster = poster
        self.book = book ?? PositionBook(uuidNamespace: "\(mode.rawValue)|\(broker.id)")
        self.mode = mode
        self.budgets = budgets
        barFilters = filters.filter(\.wantsBars).map { Unmanaged.passUnretained($0) }
        routes = BotRoutes(bots: bots)
        strategies = bots.map { Unmanaged.passUnretained($0.strategy) }
        lastEventID = (try? budgets?.events().last?.id ?? 0) ?? 0
    }

    /// One strategy trading every symbol outside the budgets: for plugin and ledger tests.
    public convenience init(strategy: StrategyPlugin, filters: [FilterPlugin], broker: BrokerPlugin, risk: RiskEngine,
                            clock: SimulatedClock, poster: LedgerPoster? = nil, book: PositionBook? = nil, mode: LedgerMode = .paper) {
        self.init(bots: [PipelineBot(id: strategy.id, module: strategy.id, strategy: strategy, symbols: nil)], filters: filters,
                  broker: broker, risk: risk, clock: clock, poster: poster, book: book, mode: mode)
    }

    /// Runs one session over `bars` (time-ordered), then closes what is still open.
    public func run(session: SessionWindow, bars: [Bar]) {
        begin(session: session)
        for bar in bars where bar.startNanoseconds < session.endNanoseconds { process(bar) }
        end(session: session)
    }

    /// Starts a session: the risk engine's day and cap, then every bot's session_start.
    public func begin(session: SessionWindow) {
        clock.advance(to: max(clock.nowNanoseconds, session.startNanoseconds))
        fillCursor = max(fillCursor, clock.nowNanoseconds)
        sessionStamp = UTCTimestamp.compactMinute(nanoseconds: session.startNanoseconds)
        stoppedBots = []
        window = session
        riskDay = UTCDate.dayIndex(of: session.startNanoseconds)
        beginRiskSession(riskWindow(day: riskDay))
        for filter in barFilters.map({ $0.takeUnretainedValue() }) {
            do { try filter.sessionStart(session) } catch { record(.filterError(pluginID: filter.id, message: "\(error)", fatal: false)) }
        }
        for (index, bot) in bots.enumerated() { handle(index) { try bot.strategy.sessionStart(session); return nil } }
    }

    /// One bar, in time order: the clock moves to its end, the simulated broker sees it (and
    /// fills what was waiting for it), then the filters that keep history, then the strategies.
    public func process(_ bar: Bar) {
        // Live, a bar arrives after its end and the clock is already past it.
        clock.advance(to: max(clock.nowNanoseconds, bar.endNanoseconds))
        counts.bars += 1
        let day = UTCDate.dayIndex(of: bar.startNanoseconds)
        if day != riskDay {
            riskDay = day
            beginRiskSession(riskWindow(day: day))
        }
        lastBars.update(bar)
        risk.observe(bar)
        let raw = abiBar.load(bar)
        do { try broker.marketBar(abi: raw) } catch { record(.note("broker market feed failed: \(error)")) }
        if !workingOrders.isEmpty { settleWorkingOrders() }
        for filter in barFilters {
            filter._withUnsafeGuaranteedRef { filter in
                do { try filter.marketBar(abi: raw) } catch { record(.filterError(pluginID: filter.id, message: "\(error)", fatal: false)) }
            }
        }
        if pollsOperators { pollBudgets() }
        let routed = routes.select(bar.symbol)
        for position in 0..<routed {
            let index = routes.selected[position]
            // Taken out of `self` first: a closure reading `self` retains it on every bar.
            let strategy = strategies[index]
            handle(index) { try strategy._withUnsafeGuaranteedRef { try $0.emittedOnBar(abi: raw) } }
        }
    }

    /// Moves the clock to `nanoseconds` (live: the wall clock) and books what the broker
    /// filled meanwhile: fills arrive between bars too.
    public func tick(to nanoseconds: Int64) {
        clock.advance(to: max(clock.nowNanoseconds, nanoseconds))
        if !workingOrders.isEmpty { settleWorkingOrders() }
        if pollsOperators { pollBudgets() }
    }

    /// Ends a session: the strategies' last exits, then (unless `flatten` is false: the end
    /// of a backtest's data, where no later bar could fill an exit) the host closes what is open.
    public func end(session: SessionWindow, flatten closeOpen: Bool = true) {
        for (index, bot) in bots.enumerated() { handle(index) { try bot.strategy.sessionEnd(session) } }
        if closeOpen { flatten(reason: "session \(session.name) ended") }
        flushDecisions()
    }

    /// Orders still working when the data ends are canceled: nothing may fill off the record.
    public func cancelWorkingOrders(reason: String) {
        for orderID in workingOrders {
            do {
                try broker.cancel(orderID: orderID)
                record(.note("order \(orderID) canceled: \(reason)"))
            } catch {
                record(.orderError(symbol: "*", message: "cancel \(orderID): \(error)"))
            }
        }
        settleWorkingOrders()
    }

    /// The risk engine's window for one UTC day of the session.
    private func riskWindow(day: Int64) -> SessionWindow {
        let start = day * PriceHistory.nanosecondsPerDay
        return SessionWindow(name: window.name, startNanoseconds: max(window.startNanoseconds, start),
                             endNanoseconds: min(window.endNanoseconds, start + PriceHistory.nanosecondsPerDay))
    }

    /// Books the fills of working orders and drops the ones that are final. An order the broker
    /// refused at fill time (cash, shares) is recorded like one refused at submission.
    private func settleWorkingOrders() {
        collectFills()
        var still: [String] = []
        for orderID in workingOrders {
            guard let order = try? broker.order(id: orderID) else { continue }
            switch order.status {
            case .new, .partiallyFilled, .pendingCancel:
                still.append(orderID)
            case .rejected:
                counts.rejectedOrders += 1
                pendingExits.remove(order.symbol)
                record(.order(order, type: "market"))
                tradeRecords.append(TradeRecord(
                    timeNanoseconds: clock.nowNanoseconds, strategyName: orderContexts[orderID]?.context.strategy ?? "", ticker: order.symbol,
                    side: order.side == .buy ? "long" : "short", size: order.quantity, entryPrice: nil, exitPrice: nil, pnl: nil,
                    broker: broker.id, mode: mode, errorCode: "ORDER_REJECTED", tags: (orderContexts[orderID]?.context.tags ?? []) + [order.rejectReason],
                    fallbackLevel: orderContexts[orderID]?.context.fallbackLevel))
            default:
                pendingExits.remove(order.symbol)
            }
        }
        workingOrders = still
    }

    /// A failed call's intents are discarded; a fatal failure stops that bot for the session.
    /// The bot is named by its position in `bots`: the bar path copies no bot.
    /// `produce` returns nil when the call emitted nothing (the usual bar).
    private func handle(_ botIndex: Int, intents produce: () throws -> [TradeIntent]?) {
        if !stoppedBots.isEmpty, stoppedBots.contains(bots[botIndex].id) { return }
        let intents: [TradeIntent]
        do {
            guard let emitted = try produce() else { return }
            intents = emitted
        } catch {
            let id = bots[botIndex].id
            let fatal = (error as? PluginCallError)?.isFatal ?? false
            if fatal { stoppedBots.insert(id) }
            record(.strategyError("\(id): \(error)" + (fatal ? "; strategy stopped for this session" : "")))
            return
        }
        // Most bars bring nothing: no more work for them.
        if intents.isEmpty, bots[botIndex].strategy.rejectedIntents.isEmpty { return }
        let bot = bots[botIndex]
        let rejections = bot.strategy.rejectedIntents
        for rejection in rejections { record(.intentDropped(strategy: bot.strategy.id, reason: rejection.reason)) }
        // Exits run as they come; the entries of one call are the strategy's ranked pool.
        var pool: [TradeIntent] = []
        for intent in intents {
            counts.intents += 1
            record(.intent(intent))
            guard passesFilters(intent) else {
                counts.blocked += 1
                continue
            }
            switch intent.action {
            case .exit: exit(intent, bot: bot)
            case .enter:
                if let entriesSuspended {
                    record(.skipped(symbol: intent.symbol, reason: entriesSuspended))
                } else {
                    pool.append(intent)
                }
            }
        }
        if !pool.isEmpty { runPool(pool, bot: bot) }
    }

    /// Every filter sees the intent; an error warns and allows unless it is fatal.
    private func passesFilters(_ intent: TradeIntent) -> Bool {
        var allowed = true
        for filter in filters {
            do {
                let verdict = try filter.evaluate(intent, lastBar: lastBars[intent.symbol], vix: vix?(clock.nowNanoseconds), now: clock.nowNanoseconds)
                record(.filter(pluginID: filter.id, verdict: verdict))
                if case .block = verdict { allowed = false }
            } catch let error as PluginCallError {
                record(.filterError(pluginID: filter.id, message: error.description, fatal: error.isFatal))
                if error.isFatal { allowed = false }
            } catch {
                record(.filterError(pluginID: filter.id, message: "\(error)", fatal: false))
            }
            if !allowed { break }
        }
        return allowed
    }

    func budgetRequest(bot: String, symbol: String, side: TradeSide, quantity: Quantity, entry: Double, stop: Double) -> BudgetEntryRequest {
        let open = book.openBuyingPowerByBot
        let module = budgets?.botState(bot)?.module
        let moduleOpen = open.filter { module != nil && budgets?.botState($0.key)?.module == module }.values.reduce(Money.zero, +)
        return BudgetEntryRequest(bot: bot, symbol: symbol, side: side, quantity: quantity, entryPrice: entry, stopPrice: stop,
                                  botOpenBuyingPower: open[bot] ?? .zero, moduleOpenBuyingPower: moduleOpen)
    }

    enum BudgetAdmission { case allowed, rejected, queued }

    /// The budgets' word on a sized entry. Without budgets (plugin tests) everything passes.
    /// An entry that needs an operator waits in the approval queue instead of being sent.
    func admitted(_ request: BudgetEntryRequest) -> BudgetAdmission {
        guard let budgets else { return .allowed }
        defer { showNewEvents() }
        do {
            switch try budgets.check(request, at: clock.nowNanoseconds) {
            case .allowed(let reason):
                record(.budgetAllowed(symbol: request.symbol, bot: request.bot, reason: reason))
                return .allowed
            case .rejected(let code, let reason):
                counts.budgetRejections += 1
                record(.budgetRejected(symbol: request.symbol, bot: request.bot, code: code, reason: reason))
            case .needsApproval(let reason):
                let approval = try budgets.queueApproval(request, explanation: reason, at: clock.nowNanoseconds)
                counts.approvalsQueued += 1
                record(.approvalQueued(id: approval.id, symbol: request.symbol, reason: reason))
                return .queued
            }
        } catch {
            record(.budgetRejected(symbol: request.symbol, bot: request.bot, code: "BUDGET_ERROR", reason: "\(error)"))
        }
        return .rejected
    }

    /// Once a minute of host time: approved entries are sent, expired ones recorded, and an
    /// emergency stop (from a settlement or an operator) closes the riskiest positions.
    private func pollBudgets() {
        guard let budgets else { return }
        let minute = clock.nowNanoseconds / 60_000_000_000
        guard minute != lastBudgetPoll else { return }
        lastBudgetPoll = minute
        do {
            try budgets.refreshIfChanged()
            // Nothing new and nothing waiting: no more to look at this minute.
            guard budgets.revision != lastBudgetRevision || budgets.openApprovals > 0 else { return }
            lastBudgetRevision = budgets.revision
            for approval in try budgets.approvedEntries(at: clock.nowNanoseconds) { sendApproved(approval) }
            let stopped = budgets.accountState?.pause.reason?.hasPrefix("emergency stop") ?? false
            if stopped, !emergencyHandled { closeRiskiest() }
            emergencyHandled = stopped
        } catch {
            record(.note("budget poll failed: \(error)"))
        }
        showNewEvents()
    }

    private func sendApproved(_ approval: Approval) {
        guard let budgets else { return }
        let now = clock.nowNanoseconds
        var refusal: String?
        if (try? position(approval.symbol)) != nil { refusal = "already holding \(approval.symbol)" }
        if refusal == nil { refusal = risk.entryBlock(broker: broker.id, at: now) }
        let request = budgetRequest(bot: approval.bot, symbol: approval.symbol, side: approval.side, quantity: approval.quantity,
                                    entry: NSDecimalNumber(decimal: approval.entryPrice).doubleValue,
                                    stop: NSDecimalNumber(decimal: approval.stopPrice).doubleValue)
        if refusal == nil {
            // The budgets are checked again: they may have moved while the entry waited.
            switch (try? budgets.check(request, at: now)) ?? .rejected(code: "BUDGET_ERROR", reason: "budget check failed") {
            case .allowed, .needsApproval: break
            case .rejected(let code, let reason): refusal = "\(code): \(reason)"
            }
        }
        try? budgets.settleApproval(approval.id, submitted: refusal == nil, note: refusal ?? "sent at \(UTCTimestamp.iso8601(nanoseconds: now))", at: now)
        guard refusal == nil else { return record(.skipped(symbol: approval.symbol, reason: "approval \(approval.id) not sent: \(refusal!)")) }
        record(.note("approval \(approval.id) approved: sending \(approval.side.rawValue) \(approval.quantity) \(approval.symbol) for bot \(approval.bot)"))
        submit(symbol: approval.symbol, side: approval.side, quantity: approval.quantity, expectedPrice: request.entryPrice,
               bot: approval.bot, tags: ["APPROVED_\(approval.id)"])
    }

    /// The emergency stop's exits: the largest positions at book value first.
    private func closeRiskiest() {
        guard let count = budgets?.plan.account.closeRiskiestOnEmergency, count > 0 else { return }
        let riskiest = book.holdings.sorted { (abs($0.value.bookValue.units), $1.key) > (abs($1.value.bookValue.units), $0.key) }.prefix(count)
        for (symbol, holding) in riskiest {
            record(.note("emergency stop: closing \(symbol) (book value \(Money(units: abs(holding.bookValue.units)).exactDescription))"))
            submit(symbol: symbol, side: holding.quantity > .zero ? .sell : .buy, quantity: Quantity(units: abs(holding.quantity.units)),
                   expectedPrice: lastBars[symbol]?.close, bot: holding.bot, tags: ["EMERGENCY_STOP_EXIT"])
        }
    }

    /// Budget notifications (from this session or an operator's command) into the transcript.
    private func showNewEvents() {
        guard let budgets, let events = try? budgets.events(after: lastEventID) else { return }
        for event in events {
            lastEventID = max(lastEventID, event.id ?? 0)
            record(.notification(event))
        }
    }

    private func exit(_ intent: TradeIntent, bot: PipelineBot) {
        do {
            guard !pendingExits.contains(intent.symbol) else {
                return record(.skipped(symbol: intent.symbol, reason: "an exit order for \(intent.symbol) is already working"))
            }
            guard let held = try position(intent.symbol) else {
                return record(.skipped(symbol: intent.symbol, reason: "no open position to exit"))
            }
            let owner = book.holdings[intent.symbol]?.bot ?? ""
            if budgets != nil, !owner.isEmpty, owner != bot.id {
                return record(.skipped(symbol: intent.symbol, reason: "position belongs to bot \(owner), not \(bot.id)"))
            }
            submit(symbol: held.symbol, side: held.quantity > .zero ? .sell : .buy, quantity: Quantity(units: abs(held.quantity.units)),
                   expectedPrice: intent.entryPrice > 0 ? intent.entryPrice : lastBars[intent.symbol]?.close, bot: owner.isEmpty ? bot.id : owner)
        } catch {
            record(.orderError(symbol: intent.symbol, message: "\(error)"))
        }
    }

    /// Exits every position the books hold at market: the host's end-of-session rule, and the
    /// kill switch's. What the account holds beyond the books (an operator's own shares) is
    /// not the host's to sell; at most the smaller of the two quantities is closed.
    func flatten(reason: String, tag: String = "SESSION_END_EXIT") {
        do {
            let open = try broker.positions().filter { $0.quantity != .zero && book.holdings[$0.symbol] != nil }
            if !open.isEmpty { record(.note("\(reason): closing \(open.count) open position(s)")) }
            for held in open where !pendingExits.contains(held.symbol) {
                let booked = abs(book.holdings[held.symbol]!.quantity.units)
                submit(symbol: held.symbol, side: held.quantity > .zero ? .sell : .buy, quantity: Quantity(units: min(abs(held.quantity.units), booked)),
                       expectedPrice: lastBars[held.symbol]?.close, bot: book.holdings[held.symbol]?.bot, tags: [tag])
            }
        } catch {
            record(.orderError(symbol: "*", message: "\(error)"))
        }
    }

    /// What became of an order: sent (accepted or filled), refused by the broker, or not placed.
    enum SubmitOutcome: Equatable {
        case sent
        case rejected(String)
        case failed(String)
    }

    @discardableResult
    func submit(symbol: String, side: TradeSide, quantity: Quantity, expectedPrice: Double?, bot: String?, tags: [String] = [],
                fallbackLevel: Int? = nil) -> SubmitOutcome {
        if let brokerHalt {
            record(.skipped(symbol: symbol, reason: brokerHalt))
            return .failed(brokerHalt)
        }
        orderSequence += 1
        let decided = clock.nowNanoseconds
        let request = OrderRequest(clientOrderID: "tbot-\(sessionStamp)-" + zeroPadded(Int64(orderSequence), width: 6), symbol: symbol,
                                   side: side, type: .market, quantity: quantity)
        do {
            let order = try broker.submit(request)
            counts.orders += 1
            let owner = bots.first { $0.id == bot }
            let module = owner?.module ?? bot.flatMap { budgets?.botState($0)?.module }
            let strategyID = owner?.strategy.id ?? module ?? bots.first?.strategy.id ?? ""
            let botID = budgets == nil ? nil : bot.flatMap { $0.isEmpty ? nil : $0 }
            orderContexts[order.orderID] = (LedgerPoster.FillContext(strategy: strategyID, bot: botID, module: botID == nil ? nil : module,
                                                                     expectedPrice: expectedPrice, tags: tags, fallbackLevel: fallbackLevel), decided)
            record(.order(order, type: "market"))
            if order.status == .rejected {
                orderUnresolved?(symbol, strategyID, .broker, "ORDER_REJECTED", order.rejectReason)
                counts.rejectedOrders += 1
                tradeRecords.append(TradeRecord(
                    timeNanoseconds: clock.nowNanoseconds, strategyName: orderContexts[order.orderID]?.context.strategy ?? "", ticker: symbol,
                    side: side == .buy ? "long" : "short", size: quantity, entryPrice: nil, exitPrice: nil, pnl: nil,
                    broker: broker.id, mode: mode, errorCode: "ORDER_REJECTED", tags: tags + [order.rejectReason], fallbackLevel: fallbackLevel))
            }
            if order.status == .new || order.status == .partiallyFilled {
                workingOrders.append(order.orderID)
                if let held = book.holdings[symbol], (held.quantity > .zero) == (side == .sell) { pendingExits.insert(symbol) }
            }
            collectFills()
            return order.status == .rejected ? .rejected(order.rejectReason) : .sent
        } catch {
            let strategy = bots.first { $0.id == bot }?.strategy.id ?? bots.first?.strategy.id ?? ""
            if let failure = error as? PluginCallError {
                orderUnresolved?(symbol, strategy, FaultClass.of(failure, detail: nil), failure.statusName, failure.description)
            } else {
                orderUnresolved?(symbol, strategy, .logic, "", "\(error)")
            }
            brokerFailed(error, symbol: symbol)
            return .failed("\(error)")
        }
    }

    private func collectFills() {
        let outermost = !collectingFills
        collectingFills = true
        defer {
            if outermost {
                collectingFills = false
                if pendingEmergencyClose {
                    pendingEmergencyClose = false
                    emergencyHandled = true
                    closeRiskiest()
                }
                if let reason = pendingKillSwitch {
                    pendingKillSwitch = nil
                    flatten(reason: "kill switch (\(reason))", tag: "KILL_SWITCH_EXIT")
                }
            }
        }
        do {
            // Only fills of this session's orders: earlier ones are in the books already, and
            // strays are reconciliation's to post.
            for fill in try broker.fills(since: fillCursor) where orderContexts[fill.orderID] != nil && !seenFills.contains(fill.fillID) {
                seenFills.insert(fill.fillID)
                fillCursor = max(fillCursor, fill.timeNanoseconds)
                counts.fills += 1
                bookFill(fill)
            }
        } catch {
            record(.orderError(symbol: "*", message: "\(error)"))
        }
    }

    /// Books one new fill: the position book, the ledger with the budget settlement of a trade
    /// it closed (one commit), the transcript and the trade history.
    private func bookFill(_ fill: BrokerFill) {
        let fallback = LedgerPoster.FillContext(strategy: bots.first?.strategy.id ?? "")
        let decision = orderContexts[fill.orderID] ?? (fallback, clock.nowNanoseconds)
        // A retried client id can hand back an order whose fill reconciliation already booked.
        if let poster, (try? poster.ledger.hasFill(broker: poster.brokerID, confirmation: fill.fillID)) == true {
            return record(.note("fill \(fill.fillID) is already in the books"))
        }
        if book.holdings[fill.symbol] == nil { openedAt[fill.symbol] = (fill.timeNanoseconds, fill.price) }
        let outcome = book.apply(fill, strategy: decision.context.strategy, bot: decision.context.bot ?? "")
        var settlement: BudgetSettlement?
        if let budgets, let net = outcome.netResult, let bot = outcome.closedBot, !bot.isEmpty {
            do {
                settlement = try budgets.settle(bot: bot, tradeUUID: outcome.tradeUUID, symbol: fill.symbol, pnl: net,
                                                vix: vix?(clock.nowNanoseconds), at: clock.nowNanoseconds)
            } catch {
                halt("budget settlement failed, trading halted: \(error)")
            }
        }
        if let poster {
            do {
                try poster.post(fill: fill, outcome: outcome, context: decision.context, book: &book, at: clock.nowNanoseconds,
                                settlement: settlement)
                if let settlement { budgets?.committed(settlement) }
            } catch {
                // Books that cannot be written stop trading: nothing may happen off the record.
                halt("ledger write failed, trading halted: \(error)")
                settlement = nil
            }
        } else if let pending = settlement, let budgets {
            do { try budgets.commit(pending.transactions, state: pending.state) } catch {
                halt("budget settlement failed, trading halted: \(error)")
                settlement = nil
            }
        }
        record(.fill(fill, realized: outcome.netResult))
        fillBooked?(fill, decision.context.strategy, decision.context.bot ?? outcome.closedBot ?? "",
                    outcome.netResult.map { (outcome.entryPrice, $0) })
        noteRisk(fill: fill, outcome: outcome, context: decision.context)
        if let settlement {
            record(.settlement(settlement.decision))
            supervisorDecided?(settlement.decision)
            showNewEvents()
            if settlement.emergencyStop { pendingEmergencyClose = true }
        }
        guard let result = outcome.netResult else { return }
        let opened = openedAt[fill.symbol]
        closedTrades.append(ClosedTrade(symbol: fill.symbol, side: fill.side == .sell ? .buy : .sell, quantity: outcome.closedQuantity,
                                        entryNanoseconds: opened?.time ?? fill.timeNanoseconds, exitNanoseconds: fill.timeNanoseconds,
                                        entryPrice: opened.map { DecimalText.fromPrice($0.price) }, exitPrice: DecimalText.fromPrice(fill.price),
                                        pnl: result))
        if book.holdings[fill.symbol] == nil { openedAt[fill.symbol] = nil }
        let entry = entryNotes[fill.symbol]
        if book.holdings[fill.symbol] == nil { entryNotes[fill.symbol] = nil }
        var tags = (entry?.tags ?? []) + decision.context.tags
        if let kind = settlement?.decision.kind { tags.append(kind.rawValue) }
        tradeRecords.append(TradeRecord(
            timeNanoseconds: clock.nowNanoseconds, strategyName: decision.context.strategy, ticker: fill.symbol,
            side: fill.side == .sell ? "long" : "short", size: outcome.closedQuantity, entryPrice: outcome.entryPrice,
            exitPrice: DecimalText.fromPrice(fill.price), pnl: result, broker: broker.id, mode: mode,
            tradeUUID: outcome.tradeUUID,
            executionMilliseconds: Double(clock.nowNanoseconds - decision.decided) / 1_000_000, tags: tags,
            fallbackLevel: entry?.fallbackLevel))
    }

    /// Stops every new order through the broker for the rest of the session (exits included:
    /// the broker cannot be trusted to take them).
    public func halt(_ reason: String) {
        guard brokerHalt == nil else { return }
        brokerHalt = reason
        record(.note(reason))
    }

    /// Records a broker failure; a fatal one halts the broker for the rest of the day.
    private func brokerFailed(_ error: Error, symbol: String) {
        record(.orderError(symbol: symbol, message: "\(error)"))
        if let failure = error as? PluginCallError, failure.isFatal, brokerHalt == nil {
            brokerHalt = "broker \(broker.id) halted for the day after a fatal error"
            record(.note(brokerHalt!))
        }
    }

    private func position(_ symbol: String) throws -> BrokerPosition? {
        try broker.positions().first { $0.symbol == symbol && $0.quantity != .zero }
    }

    func record(_ event: PipelineEvent) {
        let line = event.render(at: clock.nowNanoseconds)
        if let transcriptSink { transcriptSink(line) } else { transcript.append(line) }
    }
}

import Foundation
import TBotPluginAPI

/// The one pipeline: bars -> strategy -> filters -> host sizing -> broker -> fills.
/// Single-threaded and event-driven; the clock is moved to each bar's end before anything
/// sees the bar, so plugins read the same time in a replay as they would have live.
public final class TradingPipeline {
    public let strategy: StrategyPlugin
    public let filters: [FilterPlugin]
    public let broker: BrokerPlugin
    public let sizer: PositionSizer
    public let fractionalAllowed: Bool
    private let clock: SimulatedClock

    public private(set) var transcript: [String] = []
    public private(set) var book: PositionBook
    public private(set) var counts = Counts()
    /// Closed trades and failed orders, for the trade history.
    public private(set) var tradeRecords: [TradeRecord] = []
    /// Posts every fill to the books; nil runs without a ledger.
    private let poster: LedgerPoster?
    private let mode: LedgerMode
    /// What was decided for each order, to attach to its fills: strategy, expected price, when.
    private var orderContexts: [String: (context: LedgerPoster.FillContext, decided: Int64)] = [:]
    private var lastBars: [String: Bar] = [:]
    private var seenFills = Set<String>()
    /// Fills at or after this time may still be new; older ones were all seen.
    private var fillCursor: Int64 = 0
    private var orderSequence = 0
    /// Session start as yyyymmddHHMM: client order ids stay unique across sessions, which a
    /// broker that deduplicates retries by client id requires.
    private var sessionStamp = ""
    /// Set when the strategy returned TBOT_ERR_FATAL: no more calls this session.
    private var strategyStopped = false
    /// Set when the broker returned TBOT_ERR_FATAL: no more orders through it today.
    private var brokerHalt: String?

    public struct Counts: Equatable, Sendable {
        public var bars = 0, intents = 0, blocked = 0, orders = 0, rejectedOrders = 0, fills = 0

        public init() {}

        public mutating func add(_ other: Counts) {
            bars += other.bars
            intents += other.intents
            blocked += other.blocked
            orders += other.orders
            rejectedOrders += other.rejectedOrders
            fills += other.fills
        }
    }

    public init(strategy: StrategyPlugin, filters: [FilterPlugin], broker: BrokerPlugin,
                sizer: PositionSizer, fractionalAllowed: Bool, clock: SimulatedClock,
                poster: LedgerPoster? = nil, book: PositionBook? = nil, mode: LedgerMode = .paper) {
        self.strategy = strategy
        self.filters = filters
        self.broker = broker
        self.sizer = sizer
        self.fractionalAllowed = fractionalAllowed
        self.clock = clock
        self.poster = poster
        self.book = book ?? PositionBook(uuidNamespace: "\(mode.rawValue)|\(broker.id)")
        self.mode = mode
    }

    /// Runs one session over `bars` (time-ordered), then closes what is still open.
    public func run(session: SessionWindow, bars: [Bar]) {
        clock.advance(to: max(clock.nowNanoseconds, session.startNanoseconds))
        fillCursor = max(fillCursor, clock.nowNanoseconds)
        sessionStamp = String(UTCTimestamp.iso8601(nanoseconds: session.startNanoseconds).filter(\.isNumber).prefix(12))
        strategyStopped = false
        handle(intents: { try strategy.sessionStart(session); return [] })
        for bar in bars where bar.startNanoseconds < session.endNanoseconds {
            clock.advance(to: bar.endNanoseconds)
            counts.bars += 1
            lastBars[bar.symbol] = bar
            do { try broker.marketBar(bar) } catch { record(.note("broker market feed failed: \(error)")) }
            handle(intents: { try strategy.onBar(bar) })
        }
        handle(intents: { try strategy.sessionEnd(session) })
        flatten(reason: "session \(session.name) ended")
    }

    /// A failed call's intents are discarded; a fatal failure stops the strategy for the session.
    private func handle(intents produce: () throws -> [TradeIntent]) {
        guard !strategyStopped else { return }
        let intents: [TradeIntent]
        do {
            intents = try produce()
        } catch {
            strategyStopped = (error as? PluginCallError)?.isFatal ?? false
            record(.strategyError("\(error)" + (strategyStopped ? "; strategy stopped for this session" : "")))
            return
        }
        for rejection in strategy.rejectedIntents { record(.intentDropped(strategy: strategy.id, reason: rejection.reason)) }
        for intent in intents { process(intent) }
    }

    private func process(_ intent: TradeIntent) {
        counts.intents += 1
        record(.intent(intent))
        guard passesFilters(intent) else {
            counts.blocked += 1
            return
        }
        switch intent.action {
        case .exit: exit(intent)
        case .enter: enter(intent)
        }
    }

    /// Every filter sees the intent; an error warns and allows unless it is fatal.
    private func passesFilters(_ intent: TradeIntent) -> Bool {
        var allowed = true
        for filter in filters {
            do {
                let verdict = try filter.evaluate(intent, lastBar: lastBars[intent.symbol], vix: nil, now: clock.nowNanoseconds)
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

    private func enter(_ intent: TradeIntent) {
        if let brokerHalt { return record(.skipped(symbol: intent.symbol, reason: brokerHalt)) }
        if intent.side == .sell, !broker.hasCapability(TBOT_EXT_BROKER_SHORT_SELLING) {
            return record(.skipped(symbol: intent.symbol, reason: "broker \(broker.id) does not support short selling"))
        }
        do {
            if try position(intent.symbol) != nil {
                return record(.skipped(symbol: intent.symbol, reason: "already holding \(intent.symbol)"))
            }
            guard try broker.isTradable(intent.symbol) else {
                return record(.skipped(symbol: intent.symbol, reason: "broker \(broker.id) says \(intent.symbol) is not tradable"))
            }
            let account = try broker.account()
            let entry = intent.entryPrice > 0 ? intent.entryPrice : (lastBars[intent.symbol]?.close ?? 0)
            let inputs = PositionSizer.Inputs(
                entryPrice: entry, stopPrice: intent.stopPrice, equity: account.equity, cash: account.buyingPower,
                fractional: try fractionalAllowed && broker.supportsFractional(intent.symbol),
                minimum: try broker.minimumOrder(intent.symbol))
            switch sizer.size(inputs) {
            case .rejected(let reason):
                record(.skipped(symbol: intent.symbol, reason: reason))
            case .sized(let quantity, let explanation):
                record(.sized(symbol: intent.symbol, quantity: quantity, explanation: explanation))
                submit(symbol: intent.symbol, side: intent.side, quantity: quantity, expectedPrice: entry)
            }
        } catch {
            brokerFailed(error, symbol: intent.symbol)
        }
    }

    private func exit(_ intent: TradeIntent) {
        do {
            guard let held = try position(intent.symbol) else {
                return record(.skipped(symbol: intent.symbol, reason: "no open position to exit"))
            }
            submit(symbol: held.symbol, side: held.quantity > .zero ? .sell : .buy, quantity: Quantity(units: abs(held.quantity.units)),
                   expectedPrice: intent.entryPrice > 0 ? intent.entryPrice : lastBars[intent.symbol]?.close)
        } catch {
            record(.orderError(symbol: intent.symbol, message: "\(error)"))
        }
    }

    /// Exits every open position at market: the host's end-of-session rule.
    private func flatten(reason: String) {
        do {
            let open = try broker.positions().filter { $0.quantity != .zero }
            if !open.isEmpty { record(.note("\(reason): closing \(open.count) open position(s)")) }
            for held in open {
                submit(symbol: held.symbol, side: held.quantity > .zero ? .sell : .buy, quantity: Quantity(units: abs(held.quantity.units)),
                       expectedPrice: lastBars[held.symbol]?.close, tags: ["SESSION_END_EXIT"])
            }
        } catch {
            record(.orderError(symbol: "*", message: "\(error)"))
        }
    }

    private func submit(symbol: String, side: TradeSide, quantity: Quantity, expectedPrice: Double?, tags: [String] = []) {
        if let brokerHalt { return record(.skipped(symbol: symbol, reason: brokerHalt)) }
        orderSequence += 1
        let decided = clock.nowNanoseconds
        let request = OrderRequest(clientOrderID: "tbot-\(sessionStamp)-" + zeroPadded(Int64(orderSequence), width: 6), symbol: symbol,
                                   side: side, type: .market, quantity: quantity)
        do {
            let order = try broker.submit(request)
            counts.orders += 1
            orderContexts[order.orderID] = (LedgerPoster.FillContext(strategy: strategy.id, expectedPrice: expectedPrice, tags: tags), decided)
            record(.order(order, type: "market"))
            if order.status == .rejected {
                counts.rejectedOrders += 1
                tradeRecords.append(TradeRecord(
                    timeNanoseconds: clock.nowNanoseconds, strategyName: strategy.id, ticker: symbol,
                    side: side == .buy ? "long" : "short", size: quantity, entryPrice: nil, exitPrice: nil, pnl: nil,
                    broker: broker.id, mode: mode, errorCode: "ORDER_REJECTED", tags: [order.rejectReason]))
            }
            collectFills()
        } catch {
            brokerFailed(error, symbol: symbol)
        }
    }

    private func collectFills() {
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

    /// Books one new fill: the position book, the ledger, the transcript and the trade history.
    private func bookFill(_ fill: BrokerFill) {
        let decision = orderContexts[fill.orderID] ?? (LedgerPoster.FillContext(strategy: strategy.id), clock.nowNanoseconds)
        // A retried client id can hand back an order whose fill reconciliation already booked.
        if let poster, (try? poster.ledger.hasFill(broker: poster.brokerID, confirmation: fill.fillID)) == true {
            return record(.note("fill \(fill.fillID) is already in the books"))
        }
        let outcome = book.apply(fill, strategy: decision.context.strategy)
        if let poster {
            do {
                try poster.post(fill: fill, outcome: outcome, context: decision.context, book: &book, at: clock.nowNanoseconds)
            } catch {
                // Books that cannot be written stop trading: nothing may happen off the record.
                brokerHalt = "ledger write failed, trading halted: \(error)"
                record(.note(brokerHalt!))
            }
        }
        record(.fill(fill, realized: outcome.netResult))
        guard let result = outcome.netResult else { return }
        tradeRecords.append(TradeRecord(
            timeNanoseconds: clock.nowNanoseconds, strategyName: decision.context.strategy, ticker: fill.symbol,
            side: fill.side == .sell ? "long" : "short", size: outcome.closedQuantity, entryPrice: outcome.entryPrice,
            exitPrice: DecimalText.fromPrice(fill.price), pnl: result, broker: broker.id, mode: mode,
            tradeUUID: outcome.tradeUUID,
            executionMilliseconds: Double(clock.nowNanoseconds - decision.decided) / 1_000_000, tags: decision.context.tags))
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

    private func record(_ event: PipelineEvent) {
        transcript.append(event.render(at: clock.nowNanoseconds))
    }
}

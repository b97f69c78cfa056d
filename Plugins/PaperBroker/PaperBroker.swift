// The paper broker's rules (docs/backtesting.md, "Fill model"): MARKET orders fill at the last
// close it was shown (fill_price = "close") or at the open of the symbol's next bar
// ("next_open"); LIMIT, STOP and STOP_LIMIT orders and bracket legs fill "on touch"
// on later bars of their symbol, a gap through the price filling at the open. Long
// only, no partial fills. With state_file set, every change to orders, fills and cash
// is on disk before the call that made it returns.
import Foundation
import TBotPluginAPI

struct BrokerError: Error {
    let status: tbot_status_t
    let message: String
}

/// Where a MARKET order fills.
enum FillPrice: String {
    case close
    case nextOpen = "next_open"
}

/// One submit_order request, read out of the C struct.
struct OrderTicket {
    var clientOrderId: String
    var symbol: String
    var side: tbot_side_t
    var type: tbot_order_type_t
    var timeInForce: tbot_time_in_force_t = TBOT_TIF_DAY
    var quantity: tbot_qty_t
    var limitPrice: Double = 0
    var stopPrice: Double = 0
    var takeProfitPrice: Double = 0
    var stopLossPrice: Double = 0
}

private let nanosecondsPerDay: Int64 = 86_400 * 1_000_000_000

final class PaperBroker {
    let host: UnsafePointer<tbot_host_t>?
    let startingCashText: String
    let commissionText: String
    let commissionPerShareText: String
    let slippageText: String
    let startingCash: tbot_money_t
    let commission: tbot_money_t      // per order, money units
    let commissionPerShare: Decimal   // USD per share
    let slippageBps: Decimal
    let fillPrice: FillPrice
    let fractional: Bool
    let stateFile: StateFile?  // nil: the account lives in memory only

    /// Last prices and working-order counts per symbol; `marketHeader` is its storage,
    /// kept here so that the bar path reaches it with one load.
    let market = MarketTable()
    let marketHeader: UnsafeMutablePointer<MarketHeader>
    private let buyFactor: Double   // 1 + slippage_bps / 10000
    private let sellFactor: Double  // 1 - slippage_bps / 10000

    private(set) var state: AccountState

    init(host: UnsafePointer<tbot_host_t>?, params: [(key: String, value: String)]) throws {
        var cashText = "100000", commissionText = "0", fractionalText = "true", stateFileText = ""
        var perShareText = "0", slippageText = "0", fillPriceText = FillPrice.close.rawValue
        for (key, value) in params {
            switch key {
            case "starting_cash": cashText = value
            case "commission_per_order": commissionText = value
            case "commission_per_share": perShareText = value
            case "slippage_bps": slippageText = value
            case "fill_price": fillPriceText = value
            case "fractional": fractionalText = value
            case "state_file": stateFileText = value
            default:
                throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT,
                                  message: "unknown parameter '\(key)' (value '\(value)')")
            }
        }
        func money(_ key: String, _ text: String) throws -> tbot_money_t {
            guard let value = parseMoney(text) else {
                throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT,
                                  message: "invalid value '\(text)' for \(key): expected a decimal")
            }
            return value
        }
        func decimal(_ key: String, _ text: String, _ unit: String) throws -> Decimal {
            guard let value = parseDecimal(text) else {
                throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT,
                                  message: "invalid value '\(text)' for \(key): expected a decimal (\(unit))")
            }
            return value
        }
        guard fractionalText == "true" || fractionalText == "false" else {
            throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT,
                              message: "invalid value '\(fractionalText)' for fractional: expected true or false")
        }
        guard let fillPrice = FillPrice(rawValue: fillPriceText) else {
            throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT,
                              message: "invalid value '\(fillPriceText)' for fill_price: expected close or next_open")
        }
        self.host = host
        startingCashText = cashText
        self.commissionText = commissionText
        commissionPerShareText = perShareText
        self.slippageText = slippageText
        startingCash = try money("starting_cash", cashText)
        commission = try money("commission_per_order", commissionText)
        commissionPerShare = try decimal("commission_per_share", perShareText, "USD per share")
        slippageBps = try decimal("slippage_bps", slippageText, "basis points")
        self.fillPrice = fillPrice
        fractional = fractionalText == "true"
        // parseDecimal accepted the text, so Double reads it (correctly rounded).
        let bps = Double(slippageText) ?? 0
        buyFactor = 1 + bps / 10_000
        sellFactor = 1 - bps / 10_000
        marketHeader = market.header
        if stateFileText.isEmpty {
            stateFile = nil
            state = AccountState(cash: startingCash)
        } else {
            let file: StateFile
            do { file = try StateFile(parameter: stateFileText) } catch let error as StateFileError {
                throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT, message: error.message)
            }
            stateFile = file
            // A saved account wins over starting_cash; a fresh one is saved with its first order.
            if let (saved, bars) = try Self.load(file) {
                state = saved
                for (symbol, bar) in bars {
                    let slot = market.slot(creating: symbol)
                    market[slot].close = bar.close
                    market[slot].startNs = bar.startNs
                }
                for i in state.working.indices {
                    state.working[i].slot = market.slot(creating: stringFromCArray(state.orders[state.working[i].orderIndex].symbol))
                }
                recountWorking()
            } else {
                state = AccountState(cash: startingCash)
            }
        }
    }

    func parameterProblem() -> String? {
        if startingCash <= 0 { return "starting_cash (\(startingCashText)) must be greater than 0" }
        if commission < 0 { return "commission_per_order (\(commissionText)) must not be negative" }
        if commissionPerShare < 0 { return "commission_per_share (\(commissionPerShareText)) must not be negative" }
        if slippageBps < 0 || slippageBps >= 10_000 {
            return "slippage_bps (\(slippageText)) must be at least 0 and below 10000"
        }
        if let problem = stateFile?.directoryProblem() { return problem }
        return nil
    }

    /// The host clock, or nil when the host offers none.
    private func hostNow() -> tbot_time_ns_t? {
        guard let host, let nowNs = host.pointee.now_ns else { return nil }
        return nowNs(host.pointee.host_ctx)
    }

    /// The host clock; the last bar's time if the host offers none.
    private func now(_ symbol: String) -> tbot_time_ns_t {
        if let time = hostNow() { return time }
        return market.slot(of: symbol).map { market[$0].startNs } ?? 0
    }

    // MARK: persistence

    /// The account saved in `file` with its last prices, or nil when the file does not
    /// exist yet. A file that cannot be read or parsed fails create: starting over would
    /// lose fills the host reconciles its ledger against.
    private static func load(_ file: StateFile) throws -> (AccountState, [(symbol: String, bar: LastBar)])? {
        do {
            guard let data = try file.contents() else { return nil }
            let snapshot = try StateSnapshot.decode(data)
            return (try AccountState(snapshot), try AccountState.lastBars(snapshot))
        } catch let error as StateFileError {
            throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT, message: "cannot load state_file \(file.path): \(error.message)")
        }
    }

    /// The state to go back to if the change about to be made cannot be saved. Without a
    /// state_file nothing can fail to save, so no copy is kept (a copy would make the next
    /// mutation duplicate every order and fill).
    private func checkpoint() -> AccountState? {
        stateFile == nil ? nil : state
    }

    /// Writes the whole state durably before the calling function returns. When that
    /// fails, the change is undone (unless the file already shows it) and the call
    /// returns FATAL: an account that cannot be saved must stop taking orders.
    private func save(undoingTo previous: AccountState?) throws {
        guard let stateFile else { return }
        do {
            try stateFile.replace(with: StateSnapshot(state, market: market).encoded())
        } catch {
            let replaced = (error as? StateWriteError)?.replaced ?? false
            if !replaced, let previous {
                state = previous
                recountWorking()
            }
            let detail = (error as? StateWriteError)?.message ?? "\(error)"
            throw BrokerError(status: TBOT_ERR_FATAL, message: "cannot save state_file \(stateFile.path): \(detail)")
        }
    }

    /// Sets each symbol's working-order count and the band of prices and times a bar must
    /// reach to do anything to them (see action(_:_:)), which lets the bar path skip them.
    private func recountWorking() {
        market.resetWorking()
        let slots = market.header.pointee.slots
        for working in state.working {
            let slot = slots + working.slot
            slot.pointee.working += 1
            if working.expiresNs != 0 { slot.pointee.expiresNs = min(slot.pointee.expiresNs, working.expiresNs) }
            let buy = state.orders[working.orderIndex].side == TBOT_SIDE_BUY
            var low = -Double.infinity, high = Double.infinity  // this order acts when bar.low <= low or bar.high >= high
            switch state.orders[working.orderIndex].type {
            case TBOT_ORDER_MARKET:
                low = .infinity  // every bar fills it
            case TBOT_ORDER_LIMIT:
                if buy { low = working.limitPrice } else { high = working.limitPrice }
            case TBOT_ORDER_STOP:
                if buy { high = working.stopPrice } else { low = working.stopPrice }
            default:  // STOP_LIMIT: the stop until triggered, then the limit
                let price = working.triggered ? working.limitPrice : working.stopPrice
                if buy == working.triggered { low = price } else { high = price }
            }
            slot.pointee.triggerLow = max(slot.pointee.triggerLow, low)
            slot.pointee.triggerHigh = min(slot.pointee.triggerHigh, high)
        }
    }

    // MARK: simulation

    /// A bar the fast path in Entry.swift did not finish: a NULL field or an unusable
    /// close (an error), a symbol seen for the first time (`slot` is -1), or a symbol with
    /// working orders. Its close and start are already stored when `slot` is known.
    func onBar(_ bar: tbot_bar_t, slot known: Int) throws {
        guard let cSymbol = bar.symbol else {
            throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT, message: "bar.symbol is NULL")
        }
        guard bar.close.isFinite, bar.close > 0 else {
            throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT,
                              message: "bar for \(String(cString: cSymbol)) has an unusable close \(bar.close)")
        }
        var slot = known
        if slot < 0 {
            let symbol = String(cString: cSymbol)
            guard !symbol.isEmpty, symbol.utf8.count < symbolStride else {
                throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT,
                                  message: "bar symbol '\(symbol)' is empty or longer than \(symbolStride - 1) bytes")
            }
            // Memory only: a lost price is re-learnt from the next bar, so it need not cost an
            // fsync per bar. It reaches the file with the next order.
            slot = market.slot(creating: symbol)
            marketHeader.noteSeen(slot)
            market[slot].close = bar.close
            market[slot].startNs = bar.start_ns
        }
        if market[slot].working > 0 { try evaluate(slot: slot, bar: bar) }
    }

    private enum Action {
        case expire
        case trigger              // a STOP_LIMIT's stop was touched; its limit was not reachable
        case fill(price: Double)
    }

    /// Buy higher, sell lower: a MARKET or STOP fill's price after slippage.
    private func slipped(_ price: Double, buy: Bool) -> Double {
        slippageBps == 0 ? price : price * (buy ? buyFactor : sellFactor)
    }

    /// A limit order on this bar: a buy when low <= limit at min(open, limit), a sell when
    /// high >= limit at max(open, limit).
    private func limitFill(buy: Bool, limit: Double, _ bar: tbot_bar_t) -> Action? {
        if buy { return bar.low <= limit ? .fill(price: min(bar.open, limit)) : nil }
        return bar.high >= limit ? .fill(price: max(bar.open, limit)) : nil
    }

    /// What `bar` does to a working order of its symbol.
    private func action(_ working: WorkingOrder, _ bar: tbot_bar_t) -> Action? {
        if working.expiresNs != 0 && bar.start_ns >= working.expiresNs { return .expire }
        let type = state.orders[working.orderIndex].type
        let buy = state.orders[working.orderIndex].side == TBOT_SIDE_BUY
        switch type {
        case TBOT_ORDER_MARKET:
            return .fill(price: slipped(bar.open, buy: buy))
        case TBOT_ORDER_LIMIT:
            return limitFill(buy: buy, limit: working.limitPrice, bar)
        case TBOT_ORDER_STOP:
            let stop = working.stopPrice
            if buy { return bar.high >= stop ? .fill(price: slipped(max(bar.open, stop), buy: true)) : nil }
            return bar.low <= stop ? .fill(price: slipped(min(bar.open, stop), buy: false)) : nil
        case TBOT_ORDER_STOP_LIMIT:
            if working.triggered { return limitFill(buy: buy, limit: working.limitPrice, bar) }
            let stop = working.stopPrice, limit = working.limitPrice
            if buy {
                guard bar.high >= stop else { return nil }
                let reached = max(bar.open, stop)
                return reached <= limit ? .fill(price: reached) : .trigger
            }
            guard bar.low <= stop else { return nil }
            let reached = min(bar.open, stop)
            return reached >= limit ? .fill(price: reached) : .trigger
        default:
            return nil
        }
    }

    /// Runs the working orders of `slot` against `bar`, in submission order. Orders
    /// created during the bar (bracket legs of an entry that fills) wait for the next one.
    private func evaluate(slot: Int, bar: tbot_bar_t) throws {
        // Usually nothing happens: find that out without copying or allocating anything.
        guard state.working.contains(where: { $0.slot == slot && action($0, bar) != nil }) else { return }
        guard bar.open.isFinite, bar.open > 0, bar.high.isFinite, bar.high > 0, bar.low.isFinite, bar.low > 0 else {
            throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT,
                              message: "bar for \(market.symbols[slot]) has an unusable open, high or low "
                                  + "(\(bar.open), \(bar.high), \(bar.low)) while orders are working")
        }
        let previous = checkpoint()
        let candidates = state.working.filter { $0.slot == slot }.map(\.orderIndex)
        for orderIndex in candidates {
            // An earlier order of this bar may have canceled this one (one-cancels-other).
            guard let position = state.workingPosition(of: orderIndex) else { continue }
            let working = state.working[position]
            switch action(working, bar) {
            case nil:
                continue
            case .expire:
                finish(at: position, status: TBOT_ORDER_EXPIRED, time: working.expiresNs)
            case .trigger:
                state.working[position].triggered = true
            case .fill(let price):
                let time = max(bar.start_ns, state.orders[orderIndex].submitted_ns)
                let order = state.orders[orderIndex]
                let symbol = market.symbols[slot]
                if let reason = rejection(symbol: symbol, side: order.side, quantity: order.quantity, price: price) {
                    finish(at: position, status: TBOT_ORDER_REJECTED, time: time, reason: reason)
                } else {
                    state.working.remove(at: position)
                    complete(orderIndex, working: working, symbol: symbol, price: price, time: time)
                }
            }
        }
        recountWorking()
        try save(undoingTo: previous)
    }

    /// Ends a working order without a fill (CANCELED, EXPIRED, REJECTED). A bracket leg
    /// takes its sibling with it: the bracket is over.
    private func finish(at position: Int, status: tbot_order_status_t, time: tbot_time_ns_t, reason: String = "") {
        let working = state.working.remove(at: position)
        state.orders[working.orderIndex].status = status
        state.orders[working.orderIndex].updated_ns = time
        if !reason.isEmpty { copyCString(reason, into: &state.orders[working.orderIndex].reject_reason) }
        cancelSibling(of: working, time: time)
    }

    private func cancelSibling(of working: WorkingOrder, time: tbot_time_ns_t) {
        guard working.siblingIndex >= 0, let sibling = state.workingPosition(of: working.siblingIndex) else { return }
        finish(at: sibling, status: TBOT_ORDER_CANCELED, time: time)
    }

    /// Fills orders[index] (already checked by rejection(), no longer working) and does
    /// what follows: the other leg of a bracket is canceled, a bracket entry gets its legs,
    /// and when the fill closed the position, the symbol's remaining legs are canceled.
    private func complete(_ index: Int, working: WorkingOrder, symbol: String, price: Double, time: tbot_time_ns_t) {
        var order = state.orders[index]
        fill(&order, symbol: symbol, price: price, time: time)
        state.orders[index] = order
        cancelSibling(of: working, time: time)
        if working.takeProfitPrice > 0 || working.stopLossPrice > 0 {
            createLegs(of: index, working: working, time: time)
        }
        if state.positions[symbol] == nil {
            while let leg = state.working.firstIndex(where: { $0.leg != .none && $0.slot == working.slot }) {
                finish(at: leg, status: TBOT_ORDER_CANCELED, time: time)
            }
        }
    }

    /// The exit legs of a filled bracket entry: the stop first, then the target, so that in
    /// submission order the stop is evaluated first (it wins a bar that touches both).
    private func createLegs(of parentIndex: Int, working parent: WorkingOrder, time: tbot_time_ns_t) {
        let entry = state.orders[parentIndex]
        let parentClientId = stringFromCArray(entry.client_order_id)
        func leg(_ kind: Leg, type: tbot_order_type_t, suffix: String) -> Int {
            var order = tbot_order_t()
            order.size = cSize(tbot_order_t.self)
            copyCString(state.nextOrderId(), into: &order.order_id)
            let clientId = parentClientId + suffix
            if !parentClientId.isEmpty && clientId.utf8.count < Int(TBOT_ORDER_ID_CAP) {
                copyCString(clientId, into: &order.client_order_id)
            }
            order.symbol = entry.symbol
            order.side = TBOT_SIDE_SELL
            order.type = type
            order.status = TBOT_ORDER_NEW
            order.quantity = entry.filled_quantity
            order.submitted_ns = time
            order.updated_ns = time
            // Not indexed for retries: the client id belongs to the entry's request.
            let index = state.append(order, indexingClientId: false)
            state.working.append(WorkingOrder(
                orderIndex: index, slot: parent.slot,
                limitPrice: kind == .takeProfit ? parent.takeProfitPrice : 0,
                stopPrice: kind == .stopLoss ? parent.stopLossPrice : 0,
                leg: kind, parentIndex: parentIndex))
            return index
        }
        let stop = parent.stopLossPrice > 0 ? leg(.stopLoss, type: TBOT_ORDER_STOP, suffix: "-sl") : -1
        let target = parent.takeProfitPrice > 0 ? leg(.takeProfit, type: TBOT_ORDER_LIMIT, suffix: "-tp") : -1
        if stop >= 0 && target >= 0 {
            state.working[state.working.count - 2].siblingIndex = target
            state.working[state.working.count - 1].siblingIndex = stop
        }
    }

    // MARK: account

    func marketValue(_ symbol: String, _ position: Position) throws -> tbot_money_t {
        let price = market.close(of: symbol) ?? position.averageEntryPrice
        guard let value = fillValue(price: price, qty: position.quantity) else {
            throw BrokerError(status: TBOT_ERR_INTERNAL, message: "value of \(symbol) does not fit in money")
        }
        return value
    }

    func account() throws -> tbot_account_t {
        var equity = state.cash
        for (symbol, position) in state.positions { equity += try marketValue(symbol, position) }
        var out = tbot_account_t()
        out.size = cSize(tbot_account_t.self)
        out.cash = state.cash
        out.equity = equity
        out.buying_power = state.cash
        copyCString("USD", into: &out.currency)
        return out
    }

    /// Open positions, sorted by symbol so every run lists them in the same order.
    func positionList() throws -> [tbot_position_t] {
        try state.positions.keys.sorted().map { symbol in
            let position = state.positions[symbol]!
            var out = tbot_position_t()
            out.size = cSize(tbot_position_t.self)
            copyCString(symbol, into: &out.symbol)
            out.quantity = position.quantity
            out.average_entry_price = position.averageEntryPrice
            out.last_price = market.close(of: symbol) ?? position.averageEntryPrice
            out.market_value = try marketValue(symbol, position)
            return out
        }
    }

    // MARK: orders

    private func invalid(_ message: String) -> BrokerError {
        BrokerError(status: TBOT_ERR_INVALID_ARGUMENT, message: message)
    }

    /// Checks what does not depend on the account: type, side, quantity, prices, bracket.
    private func validate(_ ticket: inout OrderTicket) throws {
        let type = ticket.type
        guard type == TBOT_ORDER_MARKET || type == TBOT_ORDER_LIMIT || type == TBOT_ORDER_STOP
            || type == TBOT_ORDER_STOP_LIMIT else {
            throw BrokerError(status: TBOT_ERR_UNSUPPORTED,
                              message: "order type \(type) is not supported by the paper broker (MARKET, LIMIT, STOP and STOP_LIMIT are)")
        }
        guard ticket.side == TBOT_SIDE_BUY || ticket.side == TBOT_SIDE_SELL else {
            throw invalid("unknown order side \(ticket.side)")
        }
        guard ticket.quantity > 0 else { throw invalid("quantity must be positive, got \(ticket.quantity)") }
        guard !ticket.symbol.isEmpty, ticket.symbol.utf8.count < Int(TBOT_SYMBOL_CAP),
              ticket.clientOrderId.utf8.count < Int(TBOT_ORDER_ID_CAP) else {
            throw invalid("symbol or client_order_id is empty or too long")
        }
        switch ticket.timeInForce {
        case 0: ticket.timeInForce = TBOT_TIF_DAY  // not set: DAY
        case TBOT_TIF_DAY, TBOT_TIF_GTC: break
        case TBOT_TIF_IOC:
            guard type == TBOT_ORDER_MARKET else {
                throw BrokerError(status: TBOT_ERR_UNSUPPORTED,
                                  message: "time in force IOC is supported for MARKET orders only by the paper broker")
            }
        default:
            throw invalid("unknown time in force \(ticket.timeInForce)")
        }
        func price(_ value: Double, _ name: String) throws {
            guard value.isFinite, value > 0 else {
                throw invalid("\(name) must be a price above 0 for this order type, got \(value)")
            }
        }
        if type == TBOT_ORDER_LIMIT || type == TBOT_ORDER_STOP_LIMIT { try price(ticket.limitPrice, "limit_price") }
        if type == TBOT_ORDER_STOP || type == TBOT_ORDER_STOP_LIMIT { try price(ticket.stopPrice, "stop_price") }
        let takeProfit = ticket.takeProfitPrice, stopLoss = ticket.stopLossPrice
        guard takeProfit.isFinite, takeProfit >= 0, stopLoss.isFinite, stopLoss >= 0 else {
            throw invalid("take_profit_price and stop_loss_price must be 0 (none) or a price, got \(takeProfit) and \(stopLoss)")
        }
        if takeProfit > 0 || stopLoss > 0 {
            guard ticket.side == TBOT_SIDE_BUY else {
                throw BrokerError(status: TBOT_ERR_UNSUPPORTED,
                                  message: "bracket legs need a BUY entry: the paper broker is long only")
            }
            if takeProfit > 0 && stopLoss > 0 && takeProfit <= stopLoss {
                throw invalid("take_profit_price \(takeProfit) must be above stop_loss_price \(stopLoss)")
            }
        }
    }

    func submit(_ request: OrderTicket) throws -> tbot_order_t {
        var ticket = request
        try validate(&ticket)
        let symbol = ticket.symbol, side = ticket.side, quantity = ticket.quantity
        // A retry of an order already placed gets the same order back, not a second one.
        if !ticket.clientOrderId.isEmpty, let existing = state.clientIndex[ticket.clientOrderId] {
            return state.orders[existing]
        }

        // A MARKET order with fill_price = close fills now; everything else works until a later bar.
        let immediate = ticket.type == TBOT_ORDER_MARKET && fillPrice == .close
        var reason: String?
        var price = 0.0
        if let close = market.close(of: symbol) {
            price = slipped(close, buy: side == TBOT_SIDE_BUY)
            reason = immediate ? rejection(symbol: symbol, side: side, quantity: quantity, price: price)
                               : fractionRejection(symbol: symbol, quantity: quantity)
        } else {
            reason = "no market price for \(symbol) yet"
        }
        let previous = checkpoint()
        let time = now(symbol)
        var order = tbot_order_t()
        order.size = cSize(tbot_order_t.self)
        copyCString(state.nextOrderId(), into: &order.order_id)
        copyCString(ticket.clientOrderId, into: &order.client_order_id)
        copyCString(symbol, into: &order.symbol)
        order.side = side
        order.type = ticket.type
        order.status = TBOT_ORDER_NEW
        order.quantity = quantity
        order.submitted_ns = time
        order.updated_ns = time
        if let reason {
            order.status = TBOT_ORDER_REJECTED
            copyCString(reason, into: &order.reject_reason)
        }
        let index = state.append(order)
        if reason == nil {
            var working = WorkingOrder(orderIndex: index, slot: market.slot(creating: symbol),
                                       limitPrice: ticket.limitPrice, stopPrice: ticket.stopPrice,
                                       takeProfitPrice: ticket.takeProfitPrice, stopLossPrice: ticket.stopLossPrice)
            if immediate {
                complete(index, working: working, symbol: symbol, price: price, time: time)
            } else {
                // MARKET orders wait for the next bar whatever their time in force.
                if ticket.timeInForce == TBOT_TIF_DAY && ticket.type != TBOT_ORDER_MARKET {
                    working.expiresNs = Self.endOfUTCDay(time)
                }
                state.working.append(working)
            }
            recountWorking()
        }
        try save(undoingTo: previous)
        return state.orders[index]
    }

    /// 00:00 UTC of the day after the one `time` falls in.
    static func endOfUTCDay(_ time: tbot_time_ns_t) -> tbot_time_ns_t {
        let day = time >= 0 ? time / nanosecondsPerDay : (time - nanosecondsPerDay + 1) / nanosecondsPerDay
        return (day + 1) * nanosecondsPerDay
    }

    private func fractionRejection(symbol: String, quantity: tbot_qty_t) -> String? {
        if !fractional && quantity % qtyScale != 0 {
            return "quantity \(formatQty(quantity)) of \(symbol) is not a whole share and fractional trading is off"
        }
        return nil
    }

    /// The fee of a fill of `quantity`: commission_per_order plus the per-share part.
    private func fee(_ quantity: tbot_qty_t) -> tbot_money_t? {
        guard let perShare = perShareFee(commissionPerShare, qty: quantity) else { return nil }
        let (total, overflow) = commission.addingReportingOverflow(perShare)
        return overflow ? nil : total
    }

    /// Why the order cannot fill at `price` now, or nil when it can.
    private func rejection(symbol: String, side: tbot_side_t, quantity: tbot_qty_t, price: Double) -> String? {
        if let reason = fractionRejection(symbol: symbol, quantity: quantity) { return reason }
        guard let value = fillValue(price: price, qty: quantity), let fee = fee(quantity),
              case (let need, false) = value.addingReportingOverflow(fee) else {
            return "order value of \(formatQty(quantity)) \(symbol) at \(price) is too large"
        }
        if side == TBOT_SIDE_BUY {
            if need > state.cash { return "insufficient cash: need \(formatMoney(need)), have \(formatMoney(state.cash))" }
        } else {
            let held = state.positions[symbol]?.quantity ?? 0
            if quantity > held {
                return "cannot sell \(formatQty(quantity)) \(symbol): long position is \(formatQty(held)) (no short selling in the paper broker skeleton)"
            }
            if state.cash + value - fee < 0 {
                return "insufficient cash for the commission: need \(formatMoney(fee)), have \(formatMoney(state.cash + value))"
            }
        }
        return nil
    }

    /// Books a fill of the whole order at `price`: cash, position, the order and the fill.
    private func fill(_ order: inout tbot_order_t, symbol: String, price: Double, time: tbot_time_ns_t) {
        let quantity = order.quantity
        let value = fillValue(price: price, qty: quantity)!  // checked by rejection()
        let fee = fee(quantity)!
        var position = state.positions[symbol] ?? Position(quantity: 0, averageEntryPrice: 0)
        if order.side == TBOT_SIDE_BUY {
            state.cash -= value + fee
            let held = Double(position.quantity), added = Double(quantity)
            position.averageEntryPrice = (position.averageEntryPrice * held + price * added) / (held + added)
            position.quantity += quantity
        } else {
            state.cash += value - fee
            position.quantity -= quantity
        }
        state.positions[symbol] = position.quantity == 0 ? nil : position

        order.status = TBOT_ORDER_FILLED
        order.filled_quantity = quantity
        order.average_fill_price = price
        order.updated_ns = time

        var record = tbot_fill_t()
        record.size = cSize(tbot_fill_t.self)
        copyCString(state.nextFillId(), into: &record.fill_id)
        record.order_id = order.order_id
        record.symbol = order.symbol
        record.side = order.side
        record.quantity = quantity
        record.price = price
        record.fee = fee
        record.time_ns = time
        state.record(record)
    }

    /// A DAY order whose day ended by the host clock expires now, even before its
    /// symbol's next bar, so get_order and cancel_order never report it as working.
    private func expireIfDue(_ index: Int) throws {
        guard let position = state.workingPosition(of: index), state.working[position].expiresNs != 0,
              let time = hostNow(), time >= state.working[position].expiresNs else { return }
        let previous = checkpoint()
        finish(at: position, status: TBOT_ORDER_EXPIRED, time: state.working[position].expiresNs)
        recountWorking()
        try save(undoingTo: previous)
    }

    func order(id: String) throws -> tbot_order_t {
        guard let index = state.orderIndex[id] else {
            throw BrokerError(status: TBOT_ERR_NOT_FOUND, message: "no order \(id)")
        }
        try expireIfDue(index)
        return state.orders[index]
    }

    /// Cancels a working (NEW) order; a bracket leg takes its sibling with it, and a
    /// canceled bracket entry never gets legs. A final order cannot be canceled: the
    /// refusal changes nothing, so there is nothing to save.
    func cancel(id: String) throws {
        let order = try order(id: id)
        let index = state.orderIndex[id]!
        guard let position = state.workingPosition(of: index) else {
            let outcome: String
            switch order.status {
            case TBOT_ORDER_FILLED: outcome = "filled"
            case TBOT_ORDER_CANCELED: outcome = "canceled"
            case TBOT_ORDER_EXPIRED: outcome = "expired"
            default: outcome = "rejected"
            }
            throw BrokerError(status: TBOT_ERR_REJECTED, message: "order \(id) is already \(outcome)")
        }
        let previous = checkpoint()
        finish(at: position, status: TBOT_ORDER_CANCELED, time: now(stringFromCArray(order.symbol)))
        recountWorking()
        try save(undoingTo: previous)
    }

    /// Index of the first fill with time_ns >= since; list_fills emits from there on.
    func firstFill(since: tbot_time_ns_t) -> Int {
        state.firstFill(since: since)
    }

    // MARK: eligibility

    /// US-style tickers: 1 to 10 characters of A-Z and '.'.
    static func isTradable(_ symbol: String) -> Bool {
        let bytes = symbol.utf8
        return (1...10).contains(bytes.count) && bytes.allSatisfy { ($0 >= 65 && $0 <= 90) || $0 == 46 }
    }

    func minimum() -> tbot_order_minimum_t {
        var out = tbot_order_minimum_t()
        out.size = cSize(tbot_order_minimum_t.self)
        out.min_quantity = fractional ? 1 : qtyScale
        out.min_notional = moneyScale  // 1.00 USD
        return out
    }
}

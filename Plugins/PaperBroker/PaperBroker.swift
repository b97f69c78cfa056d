// The paper broker's rules: fills MARKET orders at the last close it was shown
// through the simulation extension. Long only, no partial fills. With state_file set,
// every order and fill is on disk before the call that made it returns.
import TBotPluginAPI

struct BrokerError: Error {
    let status: tbot_status_t
    let message: String
}

final class PaperBroker {
    let host: UnsafePointer<tbot_host_t>?
    let startingCashText: String
    let commissionText: String
    let startingCash: tbot_money_t
    let commission: tbot_money_t
    let fractional: Bool
    let stateFile: StateFile?  // nil: the account lives in memory only

    private(set) var state: AccountState

    init(host: UnsafePointer<tbot_host_t>?, params: [(key: String, value: String)]) throws {
        var cashText = "100000", commissionText = "0", fractionalText = "true", stateFileText = ""
        for (key, value) in params {
            switch key {
            case "starting_cash": cashText = value
            case "commission_per_order": commissionText = value
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
        guard fractionalText == "true" || fractionalText == "false" else {
            throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT,
                              message: "invalid value '\(fractionalText)' for fractional: expected true or false")
        }
        self.host = host
        startingCashText = cashText
        self.commissionText = commissionText
        startingCash = try money("starting_cash", cashText)
        commission = try money("commission_per_order", commissionText)
        fractional = fractionalText == "true"
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
            state = try Self.load(file) ?? AccountState(cash: startingCash)
        }
    }

    func parameterProblem() -> String? {
        if startingCash <= 0 { return "starting_cash (\(startingCashText)) must be greater than 0" }
        if commission < 0 { return "commission_per_order (\(commissionText)) must not be negative" }
        if let problem = stateFile?.directoryProblem() { return problem }
        return nil
    }

    /// The host clock; the last bar's time if the host offers none.
    private func now(_ symbol: String) -> tbot_time_ns_t {
        if let host, let nowNs = host.pointee.now_ns { return nowNs(host.pointee.host_ctx) }
        return state.lastBars[symbol]?.startNs ?? 0
    }

    // MARK: persistence

    /// The account saved in `file`, or nil when the file does not exist yet. A file that
    /// cannot be read or parsed fails create: starting over would lose fills the host
    /// reconciles its ledger against.
    private static func load(_ file: StateFile) throws -> AccountState? {
        do {
            guard let data = try file.contents() else { return nil }
            return try AccountState(StateSnapshot.decode(data))
        } catch let error as StateFileError {
            throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT, message: "cannot load state_file \(file.path): \(error.message)")
        }
    }

    /// Writes the whole state durably before the calling function returns. When that
    /// fails, the change is undone (unless the file already shows it) and the call
    /// returns FATAL: an account that cannot be saved must stop taking orders.
    private func save(undoingTo previous: AccountState) throws {
        guard let stateFile else { return }
        do {
            try stateFile.replace(with: StateSnapshot(state).encoded())
        } catch {
            let replaced = (error as? StateWriteError)?.replaced ?? false
            if !replaced { state = previous }
            let detail = (error as? StateWriteError)?.message ?? "\(error)"
            throw BrokerError(status: TBOT_ERR_FATAL, message: "cannot save state_file \(stateFile.path): \(detail)")
        }
    }

    // MARK: simulation

    func onBar(symbol: String, close: Double, startNs: tbot_time_ns_t) throws {
        guard close.isFinite, close > 0 else {
            throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT,
                              message: "bar for \(symbol) has an unusable close \(close)")
        }
        // Memory only: a lost price is re-learnt from the next bar, so it need not cost an
        // fsync per bar. It reaches the file with the next order.
        state.lastBars[symbol] = LastBar(close: close, startNs: startNs)
    }

    // MARK: account

    func marketValue(_ symbol: String, _ position: Position) throws -> tbot_money_t {
        let price = state.lastBars[symbol]?.close ?? position.averageEntryPrice
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
            out.last_price = state.lastBars[symbol]?.close ?? position.averageEntryPrice
            out.market_value = try marketValue(symbol, position)
            return out
        }
    }

    // MARK: orders

    func submit(clientOrderId: String, symbol: String, side: tbot_side_t, type: tbot_order_type_t,
                quantity: tbot_qty_t) throws -> tbot_order_t {
        guard type == TBOT_ORDER_MARKET else {
            throw BrokerError(status: TBOT_ERR_UNSUPPORTED,
                              message: "order type \(type) is not supported by the paper broker skeleton")
        }
        guard side == TBOT_SIDE_BUY || side == TBOT_SIDE_SELL else {
            throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT, message: "unknown order side \(side)")
        }
        guard quantity > 0 else {
            throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT, message: "quantity must be positive, got \(quantity)")
        }
        guard !symbol.isEmpty, symbol.utf8.count < Int(TBOT_SYMBOL_CAP),
              clientOrderId.utf8.count < Int(TBOT_ORDER_ID_CAP) else {
            throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT,
                              message: "symbol or client_order_id is empty or too long")
        }
        // A retry of an order already placed gets the same order back, not a second one.
        if !clientOrderId.isEmpty, let existing = state.clientIndex[clientOrderId] { return state.orders[existing] }

        let reason = try rejection(symbol: symbol, side: side, quantity: quantity)
        let previous = state
        let time = now(symbol)
        var order = tbot_order_t()
        order.size = cSize(tbot_order_t.self)
        copyCString(state.nextOrderId(), into: &order.order_id)
        copyCString(clientOrderId, into: &order.client_order_id)
        copyCString(symbol, into: &order.symbol)
        order.side = side
        order.type = type
        order.quantity = quantity
        order.submitted_ns = time
        order.updated_ns = time

        if let reason {
            order.status = TBOT_ORDER_REJECTED
            copyCString(reason, into: &order.reject_reason)
        } else {
            let price = state.lastBars[symbol]!.close
            fill(&order, symbol: symbol, side: side, quantity: quantity, price: price, time: time)
        }
        state.append(order)
        try save(undoingTo: previous)
        return order
    }

    /// Why the order cannot fill now, or nil when it can.
    private func rejection(symbol: String, side: tbot_side_t, quantity: tbot_qty_t) throws -> String? {
        guard let price = state.lastBars[symbol]?.close else { return "no market price for \(symbol) yet" }
        if !fractional && quantity % qtyScale != 0 {
            return "quantity \(formatQty(quantity)) of \(symbol) is not a whole share and fractional trading is off"
        }
        guard let value = fillValue(price: price, qty: quantity) else {
            return "order value of \(formatQty(quantity)) \(symbol) at \(price) is too large"
        }
        if side == TBOT_SIDE_BUY {
            let need = value + commission
            if need > state.cash { return "insufficient cash: need \(formatMoney(need)), have \(formatMoney(state.cash))" }
        } else {
            let held = state.positions[symbol]?.quantity ?? 0
            if quantity > held {
                return "cannot sell \(formatQty(quantity)) \(symbol): long position is \(formatQty(held)) (no short selling in the paper broker skeleton)"
            }
            if state.cash + value - commission < 0 {
                return "insufficient cash for the commission: need \(formatMoney(commission)), have \(formatMoney(state.cash + value))"
            }
        }
        return nil
    }

    private func fill(_ order: inout tbot_order_t, symbol: String, side: tbot_side_t, quantity: tbot_qty_t,
                      price: Double, time: tbot_time_ns_t) {
        let value = fillValue(price: price, qty: quantity)!  // checked by rejection()
        var position = state.positions[symbol] ?? Position(quantity: 0, averageEntryPrice: 0)
        if side == TBOT_SIDE_BUY {
            state.cash -= value + commission
            let held = Double(position.quantity), added = Double(quantity)
            position.averageEntryPrice = (position.averageEntryPrice * held + price * added) / (held + added)
            position.quantity += quantity
        } else {
            state.cash += value - commission
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
        record.side = side
        record.quantity = quantity
        record.price = price
        record.fee = commission
        record.time_ns = time
        state.fills.append(record)
    }

    func order(id: String) throws -> tbot_order_t {
        guard let index = state.orderIndex[id] else {
            throw BrokerError(status: TBOT_ERR_NOT_FOUND, message: "no order \(id)")
        }
        return state.orders[index]
    }

    /// Every paper order is final the moment it is submitted, so nothing can be canceled.
    /// A refused cancel changes nothing, so there is nothing to save; a cancel that
    /// changes an order must call save(undoingTo:) like submit.
    func cancel(id: String) throws {
        let status = try order(id: id).status
        let outcome = status == TBOT_ORDER_FILLED ? "filled" : "rejected"
        throw BrokerError(status: TBOT_ERR_REJECTED, message: "order \(id) is already \(outcome)")
    }

    func fills(since: tbot_time_ns_t) -> [tbot_fill_t] {
        state.fills.filter { $0.time_ns >= since }
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

// The paper broker's state and rules: fills MARKET orders at the last close it was
// shown through the simulation extension. Long only, no partial fills.
import TBotPluginAPI

struct BrokerError: Error {
    let status: tbot_status_t
    let message: String
}

/// "paper-ord-000001": a prefix and a number padded to six digits.
func sequenceId(_ prefix: String, _ number: Int) -> String {
    let digits = String(number)
    return prefix + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
}

struct Position {
    var quantity: tbot_qty_t
    var averageEntryPrice: Double
}

final class PaperBroker {
    let host: UnsafePointer<tbot_host_t>?
    let startingCashText: String
    let commissionText: String
    let startingCash: tbot_money_t
    let commission: tbot_money_t
    let fractional: Bool

    var cash: tbot_money_t
    var lastBar: [String: (close: Double, timeNs: tbot_time_ns_t)] = [:]
    var positions: [String: Position] = [:]
    var orders: [tbot_order_t] = []
    var orderIndex: [String: Int] = [:]  // order id -> orders index
    var clientIndex: [String: Int] = [:] // client_order_id -> orders index (retries)
    var fills: [tbot_fill_t] = []

    init(host: UnsafePointer<tbot_host_t>?, params: [(key: String, value: String)]) throws {
        var cashText = "100000", commissionText = "0", fractionalText = "true"
        for (key, value) in params {
            switch key {
            case "starting_cash": cashText = value
            case "commission_per_order": commissionText = value
            case "fractional": fractionalText = value
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
        cash = startingCash
    }

    func parameterProblem() -> String? {
        if startingCash <= 0 { return "starting_cash (\(startingCashText)) must be greater than 0" }
        if commission < 0 { return "commission_per_order (\(commissionText)) must not be negative" }
        return nil
    }

    /// The host clock; the last bar's time if the host offers none.
    private func now(_ symbol: String) -> tbot_time_ns_t {
        if let host, let nowNs = host.pointee.now_ns { return nowNs(host.pointee.host_ctx) }
        return lastBar[symbol]?.timeNs ?? 0
    }

    // MARK: simulation

    func onBar(symbol: String, close: Double, startNs: tbot_time_ns_t) throws {
        guard close.isFinite, close > 0 else {
            throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT,
                              message: "bar for \(symbol) has an unusable close \(close)")
        }
        lastBar[symbol] = (close, startNs)
    }

    // MARK: account

    func marketValue(_ symbol: String, _ position: Position) throws -> tbot_money_t {
        let price = lastBar[symbol]?.close ?? position.averageEntryPrice
        guard let value = fillValue(price: price, qty: position.quantity) else {
            throw BrokerError(status: TBOT_ERR_INTERNAL, message: "value of \(symbol) does not fit in money")
        }
        return value
    }

    func account() throws -> tbot_account_t {
        var equity = cash
        for (symbol, position) in positions { equity += try marketValue(symbol, position) }
        var out = tbot_account_t()
        out.size = cSize(tbot_account_t.self)
        out.cash = cash
        out.equity = equity
        out.buying_power = cash
        copyCString("USD", into: &out.currency)
        return out
    }

    /// Open positions, sorted by symbol so every run lists them in the same order.
    func positionList() throws -> [tbot_position_t] {
        try positions.keys.sorted().map { symbol in
            let position = positions[symbol]!
            var out = tbot_position_t()
            out.size = cSize(tbot_position_t.self)
            copyCString(symbol, into: &out.symbol)
            out.quantity = position.quantity
            out.average_entry_price = position.averageEntryPrice
            out.last_price = lastBar[symbol]?.close ?? position.averageEntryPrice
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
        if !clientOrderId.isEmpty, let existing = clientIndex[clientOrderId] { return orders[existing] }

        let time = now(symbol)
        var order = tbot_order_t()
        order.size = cSize(tbot_order_t.self)
        copyCString(sequenceId("paper-ord-", orders.count + 1), into: &order.order_id)
        copyCString(clientOrderId, into: &order.client_order_id)
        copyCString(symbol, into: &order.symbol)
        order.side = side
        order.type = type
        order.quantity = quantity
        order.submitted_ns = time
        order.updated_ns = time

        if let reason = try rejection(symbol: symbol, side: side, quantity: quantity) {
            order.status = TBOT_ORDER_REJECTED
            copyCString(reason, into: &order.reject_reason)
        } else {
            let price = lastBar[symbol]!.close
            fill(&order, symbol: symbol, side: side, quantity: quantity, price: price, time: time)
        }
        let id = stringFromCArray(order.order_id)
        orderIndex[id] = orders.count
        if !clientOrderId.isEmpty { clientIndex[clientOrderId] = orders.count }
        orders.append(order)
        return order
    }

    /// Why the order cannot fill now, or nil when it can.
    private func rejection(symbol: String, side: tbot_side_t, quantity: tbot_qty_t) throws -> String? {
        guard let price = lastBar[symbol]?.close else { return "no market price for \(symbol) yet" }
        if !fractional && quantity % qtyScale != 0 {
            return "quantity \(formatQty(quantity)) of \(symbol) is not a whole share and fractional trading is off"
        }
        guard let value = fillValue(price: price, qty: quantity) else {
            return "order value of \(formatQty(quantity)) \(symbol) at \(price) is too large"
        }
        if side == TBOT_SIDE_BUY {
            let need = value + commission
            if need > cash { return "insufficient cash: need \(formatMoney(need)), have \(formatMoney(cash))" }
        } else {
            let held = positions[symbol]?.quantity ?? 0
            if quantity > held {
                return "cannot sell \(formatQty(quantity)) \(symbol): long position is \(formatQty(held)) (no short selling in the paper broker skeleton)"
            }
            if cash + value - commission < 0 {
                return "insufficient cash for the commission: need \(formatMoney(commission)), have \(formatMoney(cash + value))"
            }
        }
        return nil
    }

    private func fill(_ order: inout tbot_order_t, symbol: String, side: tbot_side_t, quantity: tbot_qty_t,
                      price: Double, time: tbot_time_ns_t) {
        let value = fillValue(price: price, qty: quantity)!  // checked by rejection()
        var position = positions[symbol] ?? Position(quantity: 0, averageEntryPrice: 0)
        if side == TBOT_SIDE_BUY {
            cash -= value + commission
            let held = Double(position.quantity), added = Double(quantity)
            position.averageEntryPrice = (position.averageEntryPrice * held + price * added) / (held + added)
            position.quantity += quantity
        } else {
            cash += value - commission
            position.quantity -= quantity
        }
        positions[symbol] = position.quantity == 0 ? nil : position

        order.status = TBOT_ORDER_FILLED
        order.filled_quantity = quantity
        order.average_fill_price = price
        order.updated_ns = time

        var record = tbot_fill_t()
        record.size = cSize(tbot_fill_t.self)
        copyCString(sequenceId("paper-fill-", fills.count + 1), into: &record.fill_id)
        record.order_id = order.order_id
        record.symbol = order.symbol
        record.side = side
        record.quantity = quantity
        record.price = price
        record.fee = commission
        record.time_ns = time
        fills.append(record)
    }

    func order(id: String) throws -> tbot_order_t {
        guard let index = orderIndex[id] else {
            throw BrokerError(status: TBOT_ERR_NOT_FOUND, message: "no order \(id)")
        }
        return orders[index]
    }

    /// Every paper order is final the moment it is submitted, so nothing can be canceled.
    func cancel(id: String) throws {
        let status = try order(id: id).status
        let state = status == TBOT_ORDER_FILLED ? "filled" : "rejected"
        throw BrokerError(status: TBOT_ERR_REJECTED, message: "order \(id) is already \(state)")
    }

    func fills(since: tbot_time_ns_t) -> [tbot_fill_t] {
        fills.filter { $0.time_ns >= since }
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

// Everything the simulated account remembers, and nothing it is configured with:
// the unit that the state file saves and restores (with the last prices, which live
// in the MarketTable because every bar updates them). A value type, so the broker can
// keep the previous state and go back to it when a change cannot be saved.
import TBotPluginAPI

struct Position {
    var quantity: tbot_qty_t  // signed: negative is short
    var averageEntryPrice: Double

    /// The position after a fill of `signed` units (positive buys) at `price`. Adding to a
    /// position (or opening one) averages the entry price; reducing keeps it; going through
    /// zero starts the new side at `price`. Nil when the fill leaves it flat.
    func adding(_ signed: tbot_qty_t, at price: Double) -> Position? {
        let quantity = self.quantity + signed
        if quantity == 0 { return nil }
        if self.quantity == 0 || (self.quantity > 0) == (signed > 0) {
            let held = Double(abs(self.quantity)), added = Double(abs(signed))
            return Position(quantity: quantity, averageEntryPrice: (averageEntryPrice * held + price * added) / (held + added))
        }
        if (quantity > 0) != (self.quantity > 0) { return Position(quantity: quantity, averageEntryPrice: price) }
        return Position(quantity: quantity, averageEntryPrice: averageEntryPrice)
    }
}

/// The latest bar the simulation was shown for one symbol.
struct LastBar {
    var close: Double
    var startNs: tbot_time_ns_t
    var volume: Double = 0                 // saved only with max_volume_share set
    var volumeUsed: tbot_qty_t = 0         // what fills of that bar took
}

/// Which leg of a bracket an order is.
enum Leg: String {
    case none = ""
    case takeProfit = "take_profit"
    case stopLoss = "stop_loss"
}

/// An order with status NEW or PARTIALLY_FILLED that later bars may fill, and what the
/// tbot_order_t record does not hold about it (its fill progress is in the record).
struct WorkingOrder {
    var orderIndex: Int                // AccountState.orders index
    var slot: Int = -1                 // MarketTable slot of its symbol (per instance; set at load)
    var limitPrice: Double = 0         // LIMIT, STOP_LIMIT
    var stopPrice: Double = 0          // STOP, STOP_LIMIT
    var triggered = false              // stop touched: a STOP_LIMIT is now a limit order, a STOP or
                                       // TRAILING_STOP a market order for what is left of it
    var trailPercent: Double = 0       // TRAILING_STOP: distance of the stop from the water mark, %
    var waterMark: Double = 0          // TRAILING_STOP: highest price seen for a sell, lowest for a buy
    var immediateOrCancel = false      // IOC: what its first chance to fill leaves is canceled
    var expiresNs: tbot_time_ns_t = 0  // DAY: midnight UTC after submission; 0 = never
    var takeProfitPrice: Double = 0    // bracket entry: the legs to create once it fills; 0 = none
    var stopLossPrice: Double = 0
    var leg = Leg.none
    var parentIndex = -1               // leg: the entry's orders index
    var siblingIndex = -1              // leg: the other leg's orders index (one-cancels-other), -1 = none
}

struct AccountState {
    var cash: tbot_money_t
    var positions: [String: Position] = [:]
    var orders: [tbot_order_t] = []
    var fills: [tbot_fill_t] = []      // sorted by time_ns; equal times in the order they happened
    var working: [WorkingOrder] = []   // by orderIndex, i.e. in submission order
    var orderIndex: [String: Int] = [:]  // order id -> orders index
    var clientIndex: [String: Int] = [:] // client_order_id -> orders index (retries)
    // Numbers already handed out. Stored rather than derived from the counts, so ids
    // keep increasing across restarts and never repeat for one state file.
    var lastOrderNumber = 0
    var lastFillNumber = 0

    init(cash: tbot_money_t) {
        self.cash = cash
    }

    mutating func nextOrderId() -> String {
        lastOrderNumber += 1
        return sequenceId("paper-ord-", lastOrderNumber)
    }

    mutating func nextFillId() -> String {
        lastFillNumber += 1
        return sequenceId("paper-fill-", lastFillNumber)
    }

    /// Records an order and indexes it by its id and, when `retries` and it has one, its
    /// client_order_id. Returns its orders index.
    @discardableResult
    mutating func append(_ order: tbot_order_t, indexingClientId retries: Bool = true) -> Int {
        orderIndex[stringFromCArray(order.order_id)] = orders.count
        let clientOrderId = stringFromCArray(order.client_order_id)
        if retries && !clientOrderId.isEmpty { clientIndex[clientOrderId] = orders.count }
        orders.append(order)
        return orders.count - 1
    }

    /// Adds a fill, keeping `fills` sorted by time: after every fill of the same or an
    /// earlier time. Appending is the usual case; an earlier time (a bar of another symbol
    /// that started before the last fill) is placed with a binary search.
    mutating func record(_ fill: tbot_fill_t) {
        if let last = fills.last, last.time_ns > fill.time_ns {
            fills.insert(fill, at: firstFill(after: fill.time_ns))
        } else {
            fills.append(fill)
        }
    }

    /// Index of the first fill with time_ns >= since (binary search).
    func firstFill(since: tbot_time_ns_t) -> Int {
        var low = 0, high = fills.count
        while low < high {
            let middle = (low + high) / 2
            if fills[middle].time_ns < since { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Index of the first fill with time_ns > time (binary search).
    private func firstFill(after time: tbot_time_ns_t) -> Int {
        var low = 0, high = fills.count
        while low < high {
            let middle = (low + high) / 2
            if fills[middle].time_ns <= time { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Position of the working order for orders[orderIndex] in `working`, if it is working.
    func workingPosition(of orderIndex: Int) -> Int? {
        working.firstIndex { $0.orderIndex == orderIndex }
    }
}

/// "paper-ord-000001": a prefix and a number padded to six digits.
func sequenceId(_ prefix: String, _ number: Int) -> String {
    let digits = String(number)
    return prefix + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
}

// Everything the simulated account remembers, and nothing it is configured with:
// the unit that the state file saves and restores. A value type, so the broker can
// keep the previous state and go back to it when a change cannot be saved.
import TBotPluginAPI

struct Position {
    var quantity: tbot_qty_t
    var averageEntryPrice: Double
}

/// The latest bar the simulation was shown for one symbol.
struct LastBar {
    var close: Double
    var startNs: tbot_time_ns_t
}

struct AccountState {
    var cash: tbot_money_t
    var positions: [String: Position] = [:]
    var lastBars: [String: LastBar] = [:]
    var orders: [tbot_order_t] = []
    var fills: [tbot_fill_t] = []
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

    /// Records an order and indexes it by its id and, when it has one, its client_order_id.
    mutating func append(_ order: tbot_order_t) {
        orderIndex[stringFromCArray(order.order_id)] = orders.count
        let clientOrderId = stringFromCArray(order.client_order_id)
        if !clientOrderId.isEmpty { clientIndex[clientOrderId] = orders.count }
        orders.append(order)
    }
}

/// "paper-ord-000001": a prefix and a number padded to six digits.
func sequenceId(_ prefix: String, _ number: Int) -> String {
    let digits = String(number)
    return prefix + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
}

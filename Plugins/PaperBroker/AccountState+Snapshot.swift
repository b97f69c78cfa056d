// Converts between the in-memory account and the state file's records. Loading
// checks everything the broker relies on later (ids unique, strings fit the ABI's
// inline fields, counters ahead of the ids in use), so a damaged file is refused at
// create instead of misbehaving in the middle of a session.
import TBotPluginAPI

// ABI constants by the names the file uses for them.
private let sideNames: [(tbot_side_t, String)] = [(TBOT_SIDE_BUY, "buy"), (TBOT_SIDE_SELL, "sell")]
private let typeNames: [(tbot_order_type_t, String)] = [
    (TBOT_ORDER_MARKET, "market"), (TBOT_ORDER_LIMIT, "limit"), (TBOT_ORDER_STOP, "stop"),
    (TBOT_ORDER_STOP_LIMIT, "stop_limit"), (TBOT_ORDER_TRAILING_STOP, "trailing_stop"),
]
private let statusNames: [(tbot_order_status_t, String)] = [
    (TBOT_ORDER_NEW, "new"), (TBOT_ORDER_PARTIALLY_FILLED, "partially_filled"), (TBOT_ORDER_FILLED, "filled"),
    (TBOT_ORDER_CANCELED, "canceled"), (TBOT_ORDER_REJECTED, "rejected"), (TBOT_ORDER_EXPIRED, "expired"),
    (TBOT_ORDER_PENDING_CANCEL, "pending_cancel"),
]

private func name(_ value: Int32, in names: [(Int32, String)]) -> String {
    names.first { $0.0 == value }?.1 ?? String(value)
}

private func value(_ name: String, in names: [(Int32, String)], at path: String) throws -> Int32 {
    guard let value = names.first(where: { $0.1 == name })?.0 else {
        throw StateFileError(message: "unknown value '\(name)' at \(path)")
    }
    return value
}

/// Copies `text` into an inline C string field, refusing text that would be truncated.
private func inline<Tuple>(_ text: String, into field: inout Tuple, at path: String) throws {
    guard text.utf8.count < MemoryLayout<Tuple>.size else {
        throw StateFileError(message: "\(path) is longer than \(MemoryLayout<Tuple>.size - 1) bytes")
    }
    copyCString(text, into: &field)
}

extension StateSnapshot {
    /// `volumes`: save each symbol's last bar volume and what fills took of it (only
    /// max_volume_share uses them).
    init(_ state: AccountState, market: MarketTable, volumes: Bool) {
        version = state.needsVersion2 ? 2 : 1
        cash = state.cash
        lastOrderNumber = state.lastOrderNumber
        lastFillNumber = state.lastFillNumber
        positions = state.positions.mapValues {
            PositionRecord(quantity: $0.quantity, averageEntryPrice: $0.averageEntryPrice)
        }
        var bars: [String: LastBarRecord] = [:]
        for slot in 0..<market.count where market[slot].close > 0 {
            let entry = market[slot]
            var record = LastBarRecord(close: entry.close, startNs: entry.startNs)
            if volumes {
                record.volume = entry.volume
                let used = entry.volumeUsedStartNs == entry.startNs ? entry.volumeUsed : 0
                record.volumeUsed = used > 0 ? used : nil
            }
            bars[market.symbols[slot]] = record
        }
        lastBars = bars
        orders = state.orders.map { order in
            OrderRecord(orderId: stringFromCArray(order.order_id), clientOrderId: stringFromCArray(order.client_order_id),
                        symbol: stringFromCArray(order.symbol), side: name(order.side, in: sideNames),
                        type: name(order.type, in: typeNames), status: name(order.status, in: statusNames),
                        quantity: order.quantity, filledQuantity: order.filled_quantity,
                        averageFillPrice: order.average_fill_price, submittedNs: order.submitted_ns,
                        updatedNs: order.updated_ns, rejectReason: stringFromCArray(order.reject_reason))
        }
        fills = state.fills.map { fill in
            FillRecord(fillId: stringFromCArray(fill.fill_id), orderId: stringFromCArray(fill.order_id),
                       symbol: stringFromCArray(fill.symbol), side: name(fill.side, in: sideNames),
                       quantity: fill.quantity, price: fill.price, fee: fill.fee, timeNs: fill.time_ns)
        }
        clientOrderIds = state.clientIndex.mapValues { stringFromCArray(state.orders[$0].order_id) }
        let orderId = { (index: Int) in index < 0 ? "" : stringFromCArray(state.orders[index].order_id) }
        workingOrders = state.working.isEmpty ? nil : state.working.map { working in
            WorkingRecord(orderId: orderId(working.orderIndex), limitPrice: working.limitPrice, stopPrice: working.stopPrice,
                          triggered: working.triggered, expiresNs: working.expiresNs,
                          takeProfitPrice: working.takeProfitPrice, stopLossPrice: working.stopLossPrice,
                          leg: working.leg.rawValue, parentOrderId: orderId(working.parentIndex),
                          siblingOrderId: orderId(working.siblingIndex),
                          trailPercent: working.trailPercent > 0 ? working.trailPercent : nil,
                          waterMark: working.trailPercent > 0 ? working.waterMark : nil,
                          immediateOrCancel: working.immediateOrCancel ? true : nil)
        }
    }
}

extension AccountState {
    /// True when a version 1 reader would misread this state (see StateSnapshot.swift).
    var needsVersion2: Bool {
        positions.values.contains { $0.quantity < 0 } || working.contains { working in
            let order = orders[working.orderIndex]
            return order.status == TBOT_ORDER_PARTIALLY_FILLED || order.type == TBOT_ORDER_TRAILING_STOP
                || working.immediateOrCancel || (working.triggered && order.type != TBOT_ORDER_STOP_LIMIT)
        }
    }

    init(_ snapshot: StateSnapshot) throws {
        self.init(cash: snapshot.cash)
        guard snapshot.lastOrderNumber >= 0, snapshot.lastFillNumber >= 0 else {
            throw StateFileError(message: "last_order_number and last_fill_number must not be negative")
        }
        lastOrderNumber = snapshot.lastOrderNumber
        lastFillNumber = snapshot.lastFillNumber
        for (symbol, record) in snapshot.positions {
            guard record.quantity != 0, record.averageEntryPrice.isFinite, record.averageEntryPrice >= 0 else {
                throw StateFileError(message: "positions.\(symbol) has a zero quantity or an unusable average_entry_price")
            }
            positions[symbol] = Position(quantity: record.quantity, averageEntryPrice: record.averageEntryPrice)
        }
        for (i, record) in snapshot.orders.enumerated() {
            let order = try Self.order(record, at: "orders[\(i)]")
            guard orderIndex[record.orderId] == nil else {
                throw StateFileError(message: "orders[\(i)].order_id \(record.orderId) appears twice")
            }
            try Self.checkIssued(record.orderId, prefix: "paper-ord-", last: lastOrderNumber, at: "orders[\(i)]")
            orderIndex[record.orderId] = orders.count
            orders.append(order)
        }
        var fillIds = Set<String>()
        for (i, record) in snapshot.fills.enumerated() {
            guard fillIds.insert(record.fillId).inserted else {
                throw StateFileError(message: "fills[\(i)].fill_id \(record.fillId) appears twice")
            }
            guard orderIndex[record.orderId] != nil else {
                throw StateFileError(message: "fills[\(i)] refers to unknown order \(record.orderId)")
            }
            try Self.checkIssued(record.fillId, prefix: "paper-fill-", last: lastFillNumber, at: "fills[\(i)]")
            fills.append(try Self.fill(record, at: "fills[\(i)]"))
        }
        for (clientOrderId, orderId) in snapshot.clientOrderIds {
            guard let index = orderIndex[orderId] else {
                throw StateFileError(message: "client_order_ids.\(clientOrderId) refers to unknown order \(orderId)")
            }
            clientIndex[clientOrderId] = index
        }
        // Files written before fills were kept sorted could hold a replay's fills after a
        // later session's; list_fills needs them in time order (a stable sort keeps the rest).
        if zip(fills, fills.dropFirst()).contains(where: { $0.time_ns > $1.time_ns }) {
            fills = fills.enumerated().sorted { ($0.element.time_ns, $0.offset) < ($1.element.time_ns, $1.offset) }.map(\.element)
        }
        try loadWorking(snapshot.workingOrders ?? [])
    }

    /// The last prices in `snapshot`, checked.
    static func lastBars(_ snapshot: StateSnapshot) throws -> [(symbol: String, bar: LastBar)] {
        try snapshot.lastBars.keys.sorted().map { symbol in
            let record = snapshot.lastBars[symbol]!
            guard record.close.isFinite, record.close > 0 else {
                throw StateFileError(message: "last_bars.\(symbol).close \(record.close) is not a usable price")
            }
            guard !symbol.isEmpty, symbol.utf8.count < symbolStride else {
                throw StateFileError(message: "last_bars.\(symbol) is not a usable symbol")
            }
            let volume = record.volume ?? 0, used = record.volumeUsed ?? 0
            guard volume.isFinite, volume >= 0, used >= 0 else {
                throw StateFileError(message: "last_bars.\(symbol) has a negative or unusable volume or volume_used")
            }
            return (symbol, LastBar(close: record.close, startNs: record.startNs, volume: volume, volumeUsed: used))
        }
    }

    /// Working orders must be exactly the orders with status NEW or PARTIALLY_FILLED, each
    /// with fill progress that fits its status, the prices its type needs and bracket links
    /// to orders that exist.
    private mutating func loadWorking(_ records: [WorkingRecord]) throws {
        let fresh = Set(orders.indices.filter {
            orders[$0].status == TBOT_ORDER_NEW || orders[$0].status == TBOT_ORDER_PARTIALLY_FILLED
        })
        var seen = Set<Int>()
        for (i, record) in records.enumerated() {
            let path = "working_orders[\(i)]"
            guard let index = orderIndex[record.orderId] else {
                throw StateFileError(message: "\(path) refers to unknown order \(record.orderId)")
            }
            guard fresh.contains(index), seen.insert(index).inserted else {
                throw StateFileError(message: "\(path): order \(record.orderId) is not NEW or PARTIALLY_FILLED or appears twice")
            }
            let order = orders[index]
            let partial = order.status == TBOT_ORDER_PARTIALLY_FILLED
            guard partial ? (order.filled_quantity > 0 && order.filled_quantity < order.quantity) : order.filled_quantity == 0 else {
                throw StateFileError(message: "\(path): order \(record.orderId) has filled_quantity \(order.filled_quantity) "
                                     + "of \(order.quantity), which does not fit its status")
            }
            guard let leg = Leg(rawValue: record.leg) else {
                throw StateFileError(message: "unknown value '\(record.leg)' at \(path).leg")
            }
            let prices = [record.limitPrice, record.stopPrice, record.takeProfitPrice, record.stopLossPrice]
            guard prices.allSatisfy({ $0.isFinite && $0 >= 0 }), record.expiresNs >= 0 else {
                throw StateFileError(message: "\(path) has a negative or unusable price or expiry")
            }
            let type = order.type
            let needsLimit = type == TBOT_ORDER_LIMIT || type == TBOT_ORDER_STOP_LIMIT
            let needsStop = type == TBOT_ORDER_STOP || type == TBOT_ORDER_STOP_LIMIT
            let trailing = type == TBOT_ORDER_TRAILING_STOP
            guard type == TBOT_ORDER_MARKET || needsLimit || needsStop || trailing, !needsLimit || record.limitPrice > 0,
                  !needsStop || record.stopPrice > 0 else {
                throw StateFileError(message: "\(path) lacks the limit or stop price its order type needs")
            }
            let trail = record.trailPercent ?? 0, mark = record.waterMark ?? 0
            guard !trailing || (trail > 0 && trail < 100 && mark.isFinite && mark > 0) else {
                throw StateFileError(message: "\(path) is a TRAILING_STOP without a trail_percent (above 0, below 100) and a water_mark above 0")
            }
            func link(_ id: String, _ key: String) throws -> Int {
                guard !id.isEmpty else { return -1 }
                guard let linked = orderIndex[id] else {
                    throw StateFileError(message: "\(path).\(key) refers to unknown order \(id)")
                }
                return linked
            }
            working.append(WorkingOrder(
                orderIndex: index, limitPrice: record.limitPrice, stopPrice: record.stopPrice, triggered: record.triggered,
                trailPercent: trailing ? trail : 0, waterMark: trailing ? mark : 0,
                immediateOrCancel: record.immediateOrCancel ?? false,
                expiresNs: record.expiresNs, takeProfitPrice: record.takeProfitPrice, stopLossPrice: record.stopLossPrice,
                leg: leg, parentIndex: try link(record.parentOrderId, "parent_order_id"),
                siblingIndex: try link(record.siblingOrderId, "sibling_order_id")))
        }
        if let stranded = fresh.subtracting(seen).min() {
            let status = orders[stranded].status == TBOT_ORDER_NEW ? "NEW" : "PARTIALLY_FILLED"
            throw StateFileError(message: "order \(stringFromCArray(orders[stranded].order_id)) is \(status) but has no working_orders entry")
        }
        working.sort { $0.orderIndex < $1.orderIndex }
        for order in working where order.siblingIndex >= 0 && workingPosition(of: order.siblingIndex) == nil {
            throw StateFileError(message: "working order \(stringFromCArray(orders[order.orderIndex].order_id)) has a sibling that is not working")
        }
    }

    /// A numbered id above the counter would be handed out a second time.
    private static func checkIssued(_ id: String, prefix: String, last: Int, at path: String) throws {
        guard id.hasPrefix(prefix), let number = Int(id.dropFirst(prefix.count)), number > last else { return }
        throw StateFileError(message: "\(path) has id \(id) although only \(last) were issued")
    }

    private static func order(_ record: OrderRecord, at path: String) throws -> tbot_order_t {
        var order = tbot_order_t()
        order.size = cSize(tbot_order_t.self)
        try inline(record.orderId, into: &order.order_id, at: "\(path).order_id")
        try inline(record.clientOrderId, into: &order.client_order_id, at: "\(path).client_order_id")
        try inline(record.symbol, into: &order.symbol, at: "\(path).symbol")
        try inline(record.rejectReason, into: &order.reject_reason, at: "\(path).reject_reason")
        order.side = try value(record.side, in: sideNames, at: "\(path).side")
        order.type = try value(record.type, in: typeNames, at: "\(path).type")
        order.status = try value(record.status, in: statusNames, at: "\(path).status")
        order.quantity = record.quantity
        order.filled_quantity = record.filledQuantity
        order.average_fill_price = record.averageFillPrice
        order.submitted_ns = record.submittedNs
        order.updated_ns = record.updatedNs
        return order
    }

    private static func fill(_ record: FillRecord, at path: String) throws -> tbot_fill_t {
        var fill = tbot_fill_t()
        fill.size = cSize(tbot_fill_t.self)
        try inline(record.fillId, into: &fill.fill_id, at: "\(path).fill_id")
        try inline(record.orderId, into: &fill.order_id, at: "\(path).order_id")
        try inline(record.symbol, into: &fill.symbol, at: "\(path).symbol")
        fill.side = try value(record.side, in: sideNames, at: "\(path).side")
        fill.quantity = record.quantity
        fill.price = record.price
        fill.fee = record.fee
        fill.time_ns = record.timeNs
        return fill
    }
}

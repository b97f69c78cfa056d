// Orders from the host's side: validation, submission (a MARKET order with fill_price =
// close fills here, in full or in part), cancel, get_order, and how a working order ends
// (filled, canceled, expired, rejected) with what follows for brackets.
import Foundation
import TBotPluginAPI

private let nanosecondsPerDay: Int64 = 86_400 * 1_000_000_000

extension PaperBroker {
    private func invalid(_ message: String) -> BrokerError {
        BrokerError(status: TBOT_ERR_INVALID_ARGUMENT, message: message)
    }

    /// Checks what does not depend on the account: type, side, quantity, prices, bracket.
    private func validate(_ ticket: inout OrderTicket) throws {
        let type = ticket.type
        guard type == TBOT_ORDER_MARKET || type == TBOT_ORDER_LIMIT || type == TBOT_ORDER_STOP
            || type == TBOT_ORDER_STOP_LIMIT || type == TBOT_ORDER_TRAILING_STOP else {
            throw BrokerError(status: TBOT_ERR_UNSUPPORTED,
                              message: "order type \(type) is not supported by the paper broker (MARKET, LIMIT, STOP, STOP_LIMIT and TRAILING_STOP are)")
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
        if type == TBOT_ORDER_TRAILING_STOP {
            let trail = ticket.trailPercent
            guard trail.isFinite, trail > 0, trail < 100 else {
                throw invalid("trail_percent must be above 0 and below 100 for a TRAILING_STOP order, got \(trail)")
            }
        }
        let takeProfit = ticket.takeProfitPrice, stopLoss = ticket.stopLossPrice
        guard takeProfit.isFinite, takeProfit >= 0, stopLoss.isFinite, stopLoss >= 0 else {
            throw invalid("take_profit_price and stop_loss_price must be 0 (none) or a price, got \(takeProfit) and \(stopLoss)")
        }
        if takeProfit > 0 || stopLoss > 0 {
            guard ticket.side == TBOT_SIDE_BUY else {
                throw BrokerError(status: TBOT_ERR_UNSUPPORTED,
                                  message: "bracket legs need a BUY entry: the paper broker does not bracket short entries")
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

        // A MARKET order with fill_price = close fills now (with max_volume_share, what the
        // last bar's volume allows); everything else works until a later bar.
        let immediate = ticket.type == TBOT_ORDER_MARKET && fillPrice == .close
        var reason: String?
        var price = 0.0, piece: tbot_qty_t = 0
        let close = market.close(of: symbol)
        if let close {
            price = slipped(close, buy: side == TBOT_SIDE_BUY)
            if immediate {
                let slot = market.slot(of: symbol)!
                let left = volumeLeft(slot: slot, startNs: market[slot].startNs, volume: market[slot].volume)
                piece = volumeCap.piece(rest: quantity, orderQuantity: quantity, left: left)
            }
            reason = piece > 0 ? rejection(symbol: symbol, side: side, quantity: piece, price: price)
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
        if reason == nil, let close {
            let slot = market.slot(creating: symbol)
            var working = WorkingOrder(orderIndex: index, slot: slot,
                                       limitPrice: ticket.limitPrice, stopPrice: ticket.stopPrice,
                                       takeProfitPrice: ticket.takeProfitPrice, stopLossPrice: ticket.stopLossPrice)
            working.immediateOrCancel = ticket.timeInForce == TBOT_TIF_IOC
            if ticket.type == TBOT_ORDER_TRAILING_STOP {
                working.trailPercent = ticket.trailPercent
                working.waterMark = close  // the best price so far is the last one seen
            }
            // MARKET orders wait for their next bar whatever their time in force, unless
            // partial fills can leave a rest: that rest is a DAY order like any other.
            if ticket.timeInForce == TBOT_TIF_DAY && (ticket.type != TBOT_ORDER_MARKET || volumeCap.isLimited) {
                working.expiresNs = Self.endOfUTCDay(time)
            }
            if immediate && piece > 0 {
                book(index, quantity: piece, symbol: symbol, price: price, time: time)
                useVolume(slot: slot, startNs: market[slot].startNs, piece)
            }
            if immediate && piece == quantity {
                complete(index, working: working, symbol: symbol, time: time)
            } else if immediate && working.immediateOrCancel {
                end(working, status: TBOT_ORDER_CANCELED, time: time)
                cancelLegsIfNotLong(symbol: symbol, slot: slot, time: time)
            } else {
                state.working.append(working)
                if piece > 0 { cancelLegsIfNotLong(symbol: symbol, slot: slot, time: time) }
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

    /// Cancels a working (NEW or PARTIALLY_FILLED) order: the rest is canceled, what filled
    /// stays. A bracket leg takes its sibling with it. A final order cannot be canceled: the
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

    // MARK: how orders end

    /// Ends the working order at `position` without filling its rest (CANCELED, EXPIRED, REJECTED).
    func finish(at position: Int, status: tbot_order_status_t, time: tbot_time_ns_t, reason: String = "") {
        end(state.working.remove(at: position), status: status, time: time, reason: reason)
    }

    /// Ends an order that is no longer in `working`. A bracket leg takes its sibling with
    /// it (the bracket is over); a bracket entry that filled in part gets its legs for the
    /// part it filled.
    func end(_ working: WorkingOrder, status: tbot_order_status_t, time: tbot_time_ns_t, reason: String = "") {
        state.orders[working.orderIndex].status = status
        state.orders[working.orderIndex].updated_ns = time
        if !reason.isEmpty { copyCString(reason, into: &state.orders[working.orderIndex].reject_reason) }
        cancelSibling(of: working, time: time)
        if state.orders[working.orderIndex].filled_quantity > 0 && (working.takeProfitPrice > 0 || working.stopLossPrice > 0) {
            createLegs(of: working.orderIndex, working: working, time: time)
        }
    }

    func cancelSibling(of working: WorkingOrder, time: tbot_time_ns_t) {
        guard working.siblingIndex >= 0, let sibling = state.workingPosition(of: working.siblingIndex) else { return }
        finish(at: sibling, status: TBOT_ORDER_CANCELED, time: time)
    }

    /// What follows the last piece of orders[index] (no longer working): the other leg of
    /// a bracket is canceled, a bracket entry gets its legs, and when the fill ended the
    /// long position, the symbol's remaining legs are canceled.
    func complete(_ index: Int, working: WorkingOrder, symbol: String, time: tbot_time_ns_t) {
        cancelSibling(of: working, time: time)
        if working.takeProfitPrice > 0 || working.stopLossPrice > 0 {
            createLegs(of: index, working: working, time: time)
        }
        cancelLegsIfNotLong(symbol: symbol, slot: working.slot, time: time)
    }

    /// Exit legs protect a long position: once there is none, they have nothing to do.
    func cancelLegsIfNotLong(symbol: String, slot: Int, time: tbot_time_ns_t) {
        guard (state.positions[symbol]?.quantity ?? 0) <= 0 else { return }
        while let leg = state.working.firstIndex(where: { $0.leg != .none && $0.slot == slot }) {
            finish(at: leg, status: TBOT_ORDER_CANCELED, time: time)
        }
    }

    /// The exit legs of a filled bracket entry, for the quantity it filled: the stop first,
    /// then the target, so that in submission order the stop is evaluated first (it wins a
    /// bar that touches both).
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
}

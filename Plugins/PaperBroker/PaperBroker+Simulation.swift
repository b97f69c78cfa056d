// What a bar does to the working orders of its symbol: MARKET (next_open) fills at the
// open; LIMIT, STOP, STOP_LIMIT and TRAILING_STOP fill "on touch", a gap through the price
// filling at the open; with max_volume_share a fill takes at most the bar's allowance
// and the rest keeps working. Also the trigger band that lets the bar path skip bars.
import Foundation
import TBotPluginAPI

extension PaperBroker {
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
            market[slot].volume = bar.volume
        }
        if market[slot].working > 0 { try evaluate(slot: slot, bar: bar) }
    }

    private enum Action {
        case expire
        case trigger              // a STOP_LIMIT's stop was touched; its limit was not reachable
        case trail(mark: Double)  // a TRAILING_STOP was not touched; the bar moved its water mark
        case fill(price: Double)
    }

    /// Buy higher, sell lower: a MARKET or STOP fill's price after slippage.
    func slipped(_ price: Double, buy: Bool) -> Double {
        slippageBps == 0 ? price : price * (buy ? buyFactor : sellFactor)
    }

    /// A limit order on this bar: a buy when low <= limit at min(open, limit), a sell when
    /// high >= limit at max(open, limit).
    private func limitFill(buy: Bool, limit: Double, _ bar: tbot_bar_t) -> Action? {
        if buy { return bar.low <= limit ? .fill(price: min(bar.open, limit)) : nil }
        return bar.high >= limit ? .fill(price: max(bar.open, limit)) : nil
    }

    /// The stop of a trailing order whose water mark is `mark`.
    static func trailingLevel(mark: Double, percent: Double, buy: Bool) -> Double {
        buy ? mark * (1 + percent / 100) : mark * (1 - percent / 100)
    }

    /// A trailing stop on this bar. The open is the one price known to come first, so it
    /// moves the mark before anything else; then the bar's adverse extreme is checked
    /// against the stop of that mark; only a bar that does not trigger moves the mark with
    /// its favourable extreme (its order of high and low is unknown, so it never lifts the
    /// stop it is checked against).
    private func trailingAction(_ working: WorkingOrder, buy: Bool, _ bar: tbot_bar_t) -> Action? {
        let percent = working.trailPercent
        if buy {
            let mark = min(working.waterMark, bar.open)
            let level = Self.trailingLevel(mark: mark, percent: percent, buy: true)
            if bar.high >= level { return .fill(price: slipped(max(bar.open, level), buy: true)) }
            let next = min(mark, bar.low)
            return next < working.waterMark ? .trail(mark: next) : nil
        }
        let mark = max(working.waterMark, bar.open)
        let level = Self.trailingLevel(mark: mark, percent: percent, buy: false)
        if bar.low <= level { return .fill(price: slipped(min(bar.open, level), buy: false)) }
        let next = max(mark, bar.high)
        return next > working.waterMark ? .trail(mark: next) : nil
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
            // A triggered stop's rest is a market order.
            if working.triggered { return .fill(price: slipped(bar.open, buy: buy)) }
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
        case TBOT_ORDER_TRAILING_STOP:
            if working.triggered { return .fill(price: slipped(bar.open, buy: buy)) }
            return trailingAction(working, buy: buy, bar)
        default:
            return nil
        }
    }

    /// Runs the working orders of `slot` against `bar`, in submission order. Orders
    /// created during the bar (bracket legs of an entry that fills) wait for the next one.
    func evaluate(slot: Int, bar: tbot_bar_t) throws {
        // Usually nothing happens: find that out without copying or allocating anything.
        guard state.working.contains(where: { $0.slot == slot && action($0, bar) != nil }) else { return }
        guard bar.open.isFinite, bar.open > 0, bar.high.isFinite, bar.high > 0, bar.low.isFinite, bar.low > 0 else {
            throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT,
                              message: "bar for \(market.symbols[slot]) has an unusable open, high or low "
                                  + "(\(bar.open), \(bar.high), \(bar.low)) while orders are working")
        }
        let previous = checkpoint()
        var changed = false
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
                changed = true
            case .trigger:
                state.working[position].triggered = true
                changed = true
            case .trail(let mark):
                state.working[position].waterMark = mark
                changed = true
            case .fill(let price):
                if fill(at: position, price: price, bar: bar, slot: slot) { changed = true }
            }
        }
        guard changed else { return }
        recountWorking()
        try save(undoingTo: previous)
    }

    /// Fills what the bar's volume allows of the working order at `position` at `price`.
    /// Returns false when nothing changed (no allowance left and nothing to note).
    private func fill(at position: Int, price: Double, bar: tbot_bar_t, slot: Int) -> Bool {
        let working = state.working[position]
        let orderIndex = working.orderIndex
        let order = state.orders[orderIndex]
        let time = max(bar.start_ns, order.submitted_ns)
        let symbol = market.symbols[slot]
        let rest = order.quantity - order.filled_quantity
        let left = volumeLeft(slot: slot, startNs: bar.start_ns, volume: bar.volume)
        let piece = volumeCap.piece(rest: rest, orderQuantity: order.quantity, left: left)
        // A stop or trailing stop touched by this bar stays triggered, whatever fills now.
        let touchedStop = order.type == TBOT_ORDER_STOP || order.type == TBOT_ORDER_TRAILING_STOP
            || order.type == TBOT_ORDER_STOP_LIMIT
        if piece == 0 {
            var changed = false
            if touchedStop && !working.triggered {
                state.working[position].triggered = true
                changed = true
            }
            if working.immediateOrCancel {
                finish(at: position, status: TBOT_ORDER_CANCELED, time: time)
                changed = true
            }
            return changed
        }
        if let reason = rejection(symbol: symbol, side: order.side, quantity: piece, price: price, leg: working.leg != .none) {
            finish(at: position, status: TBOT_ORDER_REJECTED, time: time, reason: reason)
            return true
        }
        book(orderIndex, quantity: piece, symbol: symbol, price: price, time: time)
        useVolume(slot: slot, startNs: bar.start_ns, piece)
        if piece == rest {
            state.working.remove(at: position)
            complete(orderIndex, working: working, symbol: symbol, time: time)
            return true
        }
        // A rest keeps working.
        if touchedStop { state.working[position].triggered = true }
        if working.siblingIndex >= 0 {
            // One-cancels-other on the first piece: this leg's exit is under way. Both links
            // go first, or the sibling's end would cancel this leg in turn.
            state.working[position].siblingIndex = -1
            if let sibling = state.workingPosition(of: working.siblingIndex) {
                state.working[sibling].siblingIndex = -1
                finish(at: sibling, status: TBOT_ORDER_CANCELED, time: time)
            }
        }
        if working.immediateOrCancel, let current = state.workingPosition(of: orderIndex) {
            finish(at: current, status: TBOT_ORDER_CANCELED, time: time)
        }
        cancelLegsIfNotLong(symbol: symbol, slot: slot, time: time)
        return true
    }

    /// Sets each symbol's working-order count and the band of prices and times a bar must
    /// reach to do anything to them (see action(_:_:)), which lets the bar path skip them.
    func recountWorking() {
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
                if working.triggered { low = .infinity } else if buy { high = working.stopPrice } else { low = working.stopPrice }
            case TBOT_ORDER_TRAILING_STOP:
                if working.triggered {
                    low = .infinity
                } else {
                    // A bar acts when it touches the stop or passes the water mark.
                    let level = Self.trailingLevel(mark: working.waterMark, percent: working.trailPercent, buy: buy)
                    if buy { high = level; low = working.waterMark } else { low = level; high = working.waterMark }
                }
            default:  // STOP_LIMIT: the stop until triggered, then the limit
                let price = working.triggered ? working.limitPrice : working.stopPrice
                if buy == working.triggered { low = price } else { high = price }
            }
            slot.pointee.triggerLow = max(slot.pointee.triggerLow, low)
            slot.pointee.triggerHigh = min(slot.pointee.triggerHigh, high)
        }
    }
}

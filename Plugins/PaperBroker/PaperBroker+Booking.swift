// Money side of a fill: the fee, whether the account can take the fill (cash, shares,
// buying power), and booking it into cash, the position, the order and the fill list.
// Every amount is fixed-point money; only prices are Double.
import Foundation
import TBotPluginAPI

extension PaperBroker {
    func fractionRejection(symbol: String, quantity: tbot_qty_t) -> String? {
        if !fractional && quantity % qtyScale != 0 {
            return "quantity \(formatQty(quantity)) of \(symbol) is not a whole share and fractional trading is off"
        }
        return nil
    }

    /// The fee of a fill of `quantity`: commission_per_order plus the per-share part.
    func fee(_ quantity: tbot_qty_t) -> tbot_money_t? {
        guard let perShare = perShareFee(commissionPerShare, qty: quantity) else { return nil }
        let (total, overflow) = commission.addingReportingOverflow(perShare)
        return overflow ? nil : total
    }

    /// The sum of the short positions' absolute market values at the last closes.
    func shortExposure() throws -> tbot_money_t {
        var total: tbot_money_t = 0
        for (symbol, position) in state.positions where position.quantity < 0 {
            total -= try marketValue(symbol, position)
        }
        return total
    }

    /// No leverage: long and short positions together may be worth at most the equity.
    /// That leaves cash - 2 * short exposure to open more (equal to cash without shorts).
    func buyingPower() throws -> tbot_money_t {
        state.cash - 2 * (try shortExposure())
    }

    /// Why a fill of `quantity` at `price` cannot happen now, or nil when it can. The part
    /// of the fill that reduces the position needs cash only (a sell: for its fee); the part
    /// that opens or adds to a position needs buying power. An exit leg never opens a short.
    func rejection(symbol: String, side: tbot_side_t, quantity: tbot_qty_t, price: Double, leg: Bool = false) -> String? {
        if let reason = fractionRejection(symbol: symbol, quantity: quantity) { return reason }
        guard let value = fillValue(price: price, qty: quantity), let fee = fee(quantity),
              case (let need, false) = value.addingReportingOverflow(fee) else {
            return "order value of \(formatQty(quantity)) \(symbol) at \(price) is too large"
        }
        let position = state.positions[symbol]
        let held = position?.quantity ?? 0
        // A reduction needs no buying power; closing a short still costs cash.
        let reducing = side == TBOT_SIDE_BUY ? min(quantity, max(-held, 0)) : min(quantity, max(held, 0))
        guard let reducingValue = fillValue(price: price, qty: reducing),
              let exposure = try? shortExposure(),
              let heldValue = try? position.map({ try marketValue(symbol, $0) }) ?? 0 else {
            return "order value of \(formatQty(quantity)) \(symbol) at \(price) is too large"
        }
        let opening = quantity - reducing
        let word = allowShort || exposure > 0 ? "buying power" : "cash"
        if side == TBOT_SIDE_BUY {
            if opening == 0 {
                return need > state.cash ? "insufficient cash: need \(formatMoney(need)), have \(formatMoney(state.cash))" : nil
            }
            // After covering, this symbol's short (if any) is gone from the exposure.
            let remaining = reducing > 0 ? exposure + heldValue : exposure
            let power = state.cash - reducingValue - 2 * remaining
            let openNeed = value - reducingValue + fee
            if openNeed > power {
                return "insufficient \(word): need \(formatMoney(openNeed)), have \(formatMoney(power))"
            }
            return nil
        }
        if opening == 0 {
            if state.cash + value - fee < 0 {
                return "insufficient cash for the commission: need \(formatMoney(fee)), have \(formatMoney(state.cash + value))"
            }
            return nil
        }
        if !allowShort {
            return "cannot sell \(formatQty(quantity)) \(symbol): long position is \(formatQty(held)) (short selling is off: allow_short = false)"
        }
        if leg {
            return "exit leg cannot sell \(formatQty(quantity)) \(symbol): long position is \(formatQty(held))"
        }
        let power = state.cash + reducingValue - 2 * exposure
        let openNeed = value - reducingValue + fee
        if openNeed > power {
            return "insufficient buying power: need \(formatMoney(openNeed)), have \(formatMoney(power))"
        }
        return nil
    }

    /// Books a fill of `quantity` of orders[index] at `price` (checked by rejection()):
    /// cash, position, the order's progress and the fill record with its own fee.
    func book(_ index: Int, quantity: tbot_qty_t, symbol: String, price: Double, time: tbot_time_ns_t) {
        let value = fillValue(price: price, qty: quantity)!
        let fee = fee(quantity)!
        var order = state.orders[index]
        let buy = order.side == TBOT_SIDE_BUY
        state.cash += buy ? -(value + fee) : value - fee
        let position = state.positions[symbol] ?? Position(quantity: 0, averageEntryPrice: 0)
        state.positions[symbol] = position.adding(buy ? quantity : -quantity, at: price)

        let before = order.filled_quantity
        order.filled_quantity = before + quantity
        // Volume-weighted over the pieces; the first piece's price exactly.
        order.average_fill_price = before == 0 ? price
            : (order.average_fill_price * Double(before) + price * Double(quantity)) / Double(before + quantity)
        order.status = order.filled_quantity == order.quantity ? TBOT_ORDER_FILLED : TBOT_ORDER_PARTIALLY_FILLED
        order.updated_ns = time
        state.orders[index] = order

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
}

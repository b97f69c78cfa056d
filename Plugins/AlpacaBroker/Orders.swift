// The order request Alpaca takes (POST /v2/orders) and the order object it returns,
// translated to and from the ABI's structs.
import Foundation
import TBotPluginAPI

enum Orders {
    /// The JSON body of POST /v2/orders. Throws INVALID_ARGUMENT for a request the
    /// host should never have sent.
    static func body(_ request: tbot_order_request_t) throws -> (body: [String: Any], clientOrderID: String, symbol: String) {
        func invalid(_ message: String) -> BrokerError { BrokerError(status: TBOT_ERR_INVALID_ARGUMENT, message: message) }
        func price(_ value: Double, _ name: String) throws -> String {
            guard let text = FixedPoint.priceText(value) else { throw invalid("\(name) must be a price > 0, got \(value)") }
            return text
        }
        let symbol = request.symbol.map { String(cString: $0) } ?? ""
        let clientOrderID = request.client_order_id.map { String(cString: $0) } ?? ""
        guard !symbol.isEmpty else { throw invalid("symbol is empty") }
        guard !clientOrderID.isEmpty else { throw invalid("client_order_id is empty") }
        guard request.quantity > 0 else { throw invalid("quantity must be > 0") }
        var body: [String: Any] = [
            "symbol": symbol,
            "qty": FixedPoint.quantityText(request.quantity),
            "client_order_id": clientOrderID,
        ]
        switch request.side {
        case TBOT_SIDE_BUY: body["side"] = "buy"
        case TBOT_SIDE_SELL: body["side"] = "sell"
        default: throw invalid("unknown side \(request.side)")
        }
        switch request.time_in_force {
        case TBOT_TIF_DAY: body["time_in_force"] = "day"
        case TBOT_TIF_GTC: body["time_in_force"] = "gtc"
        case TBOT_TIF_IOC: body["time_in_force"] = "ioc"
        default: throw invalid("unknown time_in_force \(request.time_in_force)")
        }
        switch request.type {
        case TBOT_ORDER_MARKET:
            body["type"] = "market"
        case TBOT_ORDER_LIMIT:
            body["type"] = "limit"
            body["limit_price"] = try price(request.limit_price, "limit_price")
        case TBOT_ORDER_STOP:
            body["type"] = "stop"
            body["stop_price"] = try price(request.stop_price, "stop_price")
        case TBOT_ORDER_STOP_LIMIT:
            body["type"] = "stop_limit"
            body["limit_price"] = try price(request.limit_price, "limit_price")
            body["stop_price"] = try price(request.stop_price, "stop_price")
        case TBOT_ORDER_TRAILING_STOP:
            body["type"] = "trailing_stop"
            body["trail_percent"] = try price(request.trail_percent, "trail_percent")
        default:
            throw invalid("unknown order type \(request.type)")
        }
        // Both legs: a bracket. One leg: OTO (one-triggers-other) with that leg.
        let takeProfit = request.take_profit_price > 0 ? try price(request.take_profit_price, "take_profit_price") : nil
        let stopLoss = request.stop_loss_price > 0 ? try price(request.stop_loss_price, "stop_loss_price") : nil
        if let takeProfit { body["take_profit"] = ["limit_price": takeProfit] }
        if let stopLoss { body["stop_loss"] = ["stop_price": stopLoss] }
        if takeProfit != nil || stopLoss != nil { body["order_class"] = takeProfit != nil && stopLoss != nil ? "bracket" : "oto" }
        return (body, clientOrderID, symbol)
    }

    /// An Alpaca order object as a tbot_order_t; nil when a quantity or price is not a number.
    static func order(_ order: OrderBody) -> tbot_order_t? {
        var out = tbot_order_t()
        out.size = cSize(tbot_order_t.self)
        copyCString(order.id, into: &out.order_id)
        copyCString(order.clientOrderId ?? "", into: &out.client_order_id)
        copyCString(order.symbol ?? "", into: &out.symbol)
        out.side = order.side == "buy" ? TBOT_SIDE_BUY : TBOT_SIDE_SELL
        out.type = type(order.type ?? "")
        // A notional order has no qty; nothing filled yet may come as null.
        guard let quantity = optionalQuantity(order.qty), let filled = optionalQuantity(order.filledQty) else { return nil }
        out.quantity = quantity
        out.filled_quantity = filled
        if let average = order.filledAvgPrice {
            guard let price = Double(average.text) else { return nil }
            out.average_fill_price = price
        }
        out.status = status(order.status, filled: filled, quantity: quantity)
        out.submitted_ns = (order.submittedAt ?? order.createdAt).flatMap(Timestamps.nanoseconds) ?? 0
        out.updated_ns = order.updatedAt.flatMap(Timestamps.nanoseconds) ?? out.submitted_ns
        if out.status == TBOT_ORDER_REJECTED {
            copyCString("Alpaca reported the order as rejected", into: &out.reject_reason)
        }
        return out
    }

    private static func optionalQuantity(_ value: DecimalText?) -> tbot_qty_t? {
        guard let value else { return 0 }
        return FixedPoint.quantity(value.text)
    }

    static func type(_ text: String) -> tbot_order_type_t {
        switch text {
        case "limit": return TBOT_ORDER_LIMIT
        case "stop": return TBOT_ORDER_STOP
        case "stop_limit": return TBOT_ORDER_STOP_LIMIT
        case "trailing_stop": return TBOT_ORDER_TRAILING_STOP
        default: return TBOT_ORDER_MARKET
        }
    }

    /// Alpaca's order statuses on the ABI's seven. Statuses that mean "still working"
    /// become NEW, or PARTIALLY_FILLED once something filled.
    static func status(_ text: String, filled: tbot_qty_t, quantity: tbot_qty_t) -> tbot_order_status_t {
        let working = filled > 0 ? TBOT_ORDER_PARTIALLY_FILLED : TBOT_ORDER_NEW
        switch text {
        case "filled": return TBOT_ORDER_FILLED
        case "partially_filled": return TBOT_ORDER_PARTIALLY_FILLED
        case "canceled", "replaced": return TBOT_ORDER_CANCELED
        case "expired": return TBOT_ORDER_EXPIRED
        case "rejected": return TBOT_ORDER_REJECTED
        case "pending_cancel": return TBOT_ORDER_PENDING_CANCEL
        case "calculated", "done_for_day":
            // Done for the day: filled in full, or the part that filled.
            return quantity > 0 && filled >= quantity ? TBOT_ORDER_FILLED : working
        default:
            // new, accepted, pending_new, accepted_for_bidding, pending_replace, stopped,
            // suspended, held (a bracket leg waiting for its entry), ...
            return working
        }
    }
}

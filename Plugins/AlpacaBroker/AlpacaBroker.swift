// One Alpaca account behind the broker table: account, positions, orders, fills and
// per-symbol eligibility over the trading API v2 (docs/brokers/alpaca.md).
import Foundation
import TBotPluginAPI

final class AlpacaBroker {
    let host: UnsafePointer<tbot_host_t>?
    let settings: AlpacaSettings
    let api: AlpacaAPI

    init(host: UnsafePointer<tbot_host_t>?, params: [(key: String, value: String)]) throws {
        if let (key, _) = params.first {
            throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT,
                              message: "unknown parameter '\(key)': alpaca_broker takes its settings from the runtime configuration")
        }
        self.host = host
        settings = AlpacaSettings(host: host)
        api = AlpacaAPI(settings: settings)
    }

    /// The startup hard stop: nil when the account can be used, else why not.
    func selfCheckProblem() -> String? {
        if settings.mode == "backtest" {
            return "alpaca_broker talks to a real Alpaca account and cannot run in a backtest: use paper_broker"
        }
        let missing = settings.missingVariables
        if !missing.isEmpty {
            return "\(missing.joined(separator: " and ")) \(missing.count == 1 ? "is" : "are") not set in the environment: "
                + "Alpaca needs both \(AlpacaSettings.keyIDVariable) and \(AlpacaSettings.secretVariable)"
        }
        let account: AccountBody
        do {
            account = try api.decode(AccountBody.self, try api.call("GET", "/v2/account"), "GET /v2/account")
        } catch let error as BrokerError {
            let status = api.fault.httpStatus
            if status == 401 || status == 403 {
                return "Alpaca rejected the credentials (HTTP \(status)) at \(settings.tradingURL)"
            }
            if status == 0 && !api.fault.timedOut {
                return "cannot reach Alpaca at \(settings.tradingURL): \(error.message)"
            }
            return "Alpaca account check failed at \(settings.tradingURL): \(error.message)"
        } catch {
            return "Alpaca account check failed at \(settings.tradingURL): \(error)"
        }
        if account.accountBlocked == true || account.tradingBlocked == true {
            return "the Alpaca account at \(settings.tradingURL) is blocked from trading (status \(account.status ?? "unknown"))"
        }
        return nil
    }

    // MARK: account and positions

    func account() throws -> tbot_account_t {
        let label = "GET /v2/account"
        let body = try api.decode(AccountBody.self, try api.call("GET", "/v2/account"), label)
        guard let cash = FixedPoint.money(body.cash.text), let equity = FixedPoint.money(body.equity.text),
              let buyingPower = FixedPoint.money(body.buyingPower.text)
        else { throw api.malformed(label, "cash, equity or buying_power is not a decimal") }
        var out = tbot_account_t()
        out.size = cSize(tbot_account_t.self)
        out.cash = cash
        out.equity = equity
        out.buying_power = buyingPower
        copyCString(body.currency ?? "USD", into: &out.currency)
        return out
    }

    func positions() throws -> [tbot_position_t] {
        let label = "GET /v2/positions"
        return try api.decode([PositionBody].self, try api.call("GET", "/v2/positions"), label).map { body in
            // Alpaca signs qty and market_value of a short already; the side decides either way.
            let sign: Int64 = body.side == "short" ? -1 : 1
            guard let quantity = FixedPoint.quantity(body.qty.text), let entry = Double(body.avgEntryPrice.text),
                  let value = FixedPoint.money(body.marketValue?.text ?? "0"),
                  let last = Double(body.currentPrice?.text ?? "0")
            else { throw api.malformed(label, "qty, avg_entry_price, current_price or market_value of \(body.symbol) is not a decimal") }
            var out = tbot_position_t()
            out.size = cSize(tbot_position_t.self)
            copyCString(body.symbol, into: &out.symbol)
            out.quantity = sign * abs(quantity)
            out.average_entry_price = entry
            out.last_price = last
            out.market_value = sign * abs(value)
            return out
        }
    }

    // MARK: orders

    /// POST /v2/orders. The client_order_id is the idempotency key: when Alpaca says it
    /// is taken, an earlier attempt went through and that order is the answer.
    func submit(_ request: tbot_order_request_t) throws -> tbot_order_t {
        let (body, clientOrderID, symbol) = try Orders.body(request)
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        do {
            return try order(try api.call("POST", "/v2/orders", body: data, forbidden: .rejected), "POST /v2/orders")
        } catch let error as BrokerError where error.status == TBOT_ERR_REJECTED && api.fault.httpStatus == 422
            && error.message.contains("client_order_id must be unique") {
            let existing = try orderByClientID(clientOrderID)
            let sameOrder = existing.quantity == request.quantity && existing.side == request.side
                && stringFromCArray(existing.symbol) == symbol
            guard sameOrder else {
                throw api.failure(TBOT_ERR_REJECTED, "POST /v2/orders: client_order_id \(clientOrderID) belongs to a different order")
            }
            return existing
        }
    }

    func cancel(_ orderID: String) throws {
        _ = try api.call("DELETE", "/v2/orders/\(AlpacaAPI.segment(orderID))")
    }

    func order(_ orderID: String) throws -> tbot_order_t {
        let path = "/v2/orders/\(AlpacaAPI.segment(orderID))"
        return try order(try api.call("GET", path), "GET \(path)")
    }

    private func orderByClientID(_ clientOrderID: String) throws -> tbot_order_t {
        let path = "/v2/orders:by_client_order_id"
        return try order(try api.call("GET", path, query: [("client_order_id", clientOrderID)]), "GET \(path)")
    }

    private func order(_ data: Data, _ label: String) throws -> tbot_order_t {
        guard let order = Orders.order(try api.decode(OrderBody.self, data, label)) else {
            throw api.malformed(label, "qty, filled_qty or filled_avg_price is not a decimal")
        }
        return order
    }

    // MARK: fills

    /// Every FILL activity at or after `since`, oldest first, paging with page_token.
    /// Alpaca charges no commission on US equities: fee 0.
    func fills(since: tbot_time_ns_t) throws -> [tbot_fill_t] {
        let path = "/v2/account/activities/FILL", label = "GET /v2/account/activities/FILL"
        let pageSize = 100
        var baseQuery = [("direction", "asc"), ("page_size", "\(pageSize)")]
        // `after` is exclusive and compared by the broker: ask from a second earlier and
        // filter exactly here.
        if since > 0 { baseQuery.append(("after", Timestamps.text((since / 1_000_000_000 - 1) * 1_000_000_000))) }
        var fills: [tbot_fill_t] = []
        var pageToken: String?
        while true {
            let query = baseQuery + (pageToken.map { [("page_token", $0)] } ?? [])
            let page = try api.decode([FillActivityBody].self, try api.call("GET", path, query: query), label)
            for activity in page where activity.activityType == nil || activity.activityType == "FILL" {
                guard let quantity = FixedPoint.quantity(activity.qty.text), let price = Double(activity.price.text),
                      let time = Timestamps.nanoseconds(activity.transactionTime)
                else { throw api.malformed(label, "activity \(activity.id) has an unreadable qty, price or transaction_time") }
                guard time >= since else { continue }
                var fill = tbot_fill_t()
                fill.size = cSize(tbot_fill_t.self)
                copyCString(activity.id, into: &fill.fill_id)
                copyCString(activity.orderId ?? "", into: &fill.order_id)
                copyCString(activity.symbol ?? "", into: &fill.symbol)
                fill.side = activity.side == "buy" ? TBOT_SIDE_BUY : TBOT_SIDE_SELL
                fill.quantity = abs(quantity)
                fill.price = price
                fill.fee = 0
                fill.time_ns = time
                fills.append(fill)
            }
            // A full page may have a successor; a token that does not move ends the loop.
            guard page.count >= pageSize, let last = page.last, last.id != pageToken else { break }
            pageToken = last.id
        }
        // Stable: equal times keep Alpaca's order.
        return fills.enumerated().sorted { ($0.element.time_ns, $0.offset) < ($1.element.time_ns, $1.offset) }.map(\.element)
    }
}

/// Reads an imported fixed-size char array back as a String (up to its first NUL).
func stringFromCArray<Tuple>(_ tuple: Tuple) -> String {
    withUnsafeBytes(of: tuple) { bytes in
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}

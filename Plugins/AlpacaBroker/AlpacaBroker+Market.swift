// Per-symbol eligibility (assets), the market clock and bars: the read-only side of Alpaca.
import Foundation
import TBotPluginAPI

extension AlpacaBroker {
    /// GET /v2/assets/{symbol}; nil when Alpaca does not know the symbol (404).
    func asset(_ symbol: String) throws -> AssetBody? {
        let path = "/v2/assets/\(AlpacaAPI.segment(symbol))"
        do {
            return try api.decode(AssetBody.self, try api.call("GET", path), "GET \(path)")
        } catch let error as BrokerError where error.status == TBOT_ERR_NOT_FOUND {
            api.clearFault()
            return nil
        }
    }

    func isTradable(_ symbol: String) throws -> Bool {
        guard let asset = try asset(symbol) else { return false }
        return asset.tradable == true && (asset.status ?? "active") == "active"
    }

    func isFractionable(_ symbol: String) throws -> Bool {
        try asset(symbol)?.fractionable == true
    }

    /// Alpaca lets an account sell short only easy-to-borrow names.
    func isShortable(_ symbol: String) throws -> Bool {
        guard let asset = try asset(symbol) else { return false }
        return asset.shortable == true && asset.easyToBorrow == true
    }

    /// One whole share; fractionable symbols: 1e-9 share and an order value of at least 1.00 USD.
    func minimum(_ symbol: String) throws -> tbot_order_minimum_t {
        guard let asset = try asset(symbol) else {
            throw api.failure(TBOT_ERR_NOT_FOUND, "GET /v2/assets/\(symbol): Alpaca does not know \(symbol)")
        }
        var out = tbot_order_minimum_t()
        out.size = cSize(tbot_order_minimum_t.self)
        let fractional = asset.fractionable == true
        out.min_quantity = fractional ? 1 : FixedPoint.qtyScale
        out.min_notional = fractional ? FixedPoint.moneyScale : 0
        return out
    }

    func marketClock() throws -> tbot_market_clock_t {
        let label = "GET /v2/clock"
        let body = try api.decode(ClockBody.self, try api.call("GET", "/v2/clock"), label)
        guard let now = Timestamps.nanoseconds(body.timestamp), let open = Timestamps.nanoseconds(body.nextOpen),
              let close = Timestamps.nanoseconds(body.nextClose)
        else { throw api.malformed(label, "timestamp, next_open or next_close is not RFC 3339") }
        var out = tbot_market_clock_t()
        out.size = cSize(tbot_market_clock_t.self)
        out.is_open = body.isOpen ? 1 : 0
        out.timestamp_ns = now
        out.next_open_ns = open
        out.next_close_ns = close
        return out
    }

    /// The complete bars of `symbol` starting in [start, end), oldest first, following
    /// next_page_token. A bar still forming at the host's time is left out. Their `symbol`
    /// is NULL: the caller sets it while it emits them.
    func bars(_ symbol: String, interval: UInt32, start: tbot_time_ns_t, end: tbot_time_ns_t) throws -> [tbot_bar_t] {
        guard let timeframe = Self.timeframe(interval) else {
            throw BrokerError(status: TBOT_ERR_UNSUPPORTED,
                              message: "Alpaca has no bars of \(interval) s: use whole minutes (< 60), hours (< 24) or 86400")
        }
        let now = host.flatMap { host in host.pointee.now_ns.map { $0(host.pointee.host_ctx) } } ?? end
        let last = min(end, now)
        guard start < last else { return [] }
        let path = "/v2/stocks/\(AlpacaAPI.segment(symbol))/bars", label = "GET \(path)"
        let length = Int64(interval) * 1_000_000_000
        let query = [("timeframe", timeframe), ("start", Timestamps.text(start)), ("end", Timestamps.text(last)),
                     ("feed", settings.feed), ("limit", "10000"), ("adjustment", "raw")]
        var bars: [tbot_bar_t] = []
        var pageToken: String?
        repeat {
            let page = try api.decode(BarsPageBody.self,
                                      try api.call("GET", path, query: query + (pageToken.map { [("page_token", $0)] } ?? []), data: true),
                                      label)
            for bar in page.bars ?? [] {
                guard let barStart = Timestamps.nanoseconds(bar.t) else { throw api.malformed(label, "bar time \(bar.t) is not RFC 3339") }
                guard barStart >= start, barStart < end, barStart + length <= now else { continue }
                bars.append(tbot_bar_t(size: cSize(tbot_bar_t.self), interval_seconds: interval, symbol: nil, start_ns: barStart,
                                       open: bar.o, high: bar.h, low: bar.l, close: bar.c, volume: bar.v, symbol_id: 0))
            }
            pageToken = page.nextPageToken.flatMap { $0.isEmpty ? nil : $0 }
        } while pageToken != nil
        return bars
    }

    /// Alpaca's timeframe for a bar length: 1Min..59Min, 1Hour..23Hour, 1Day.
    static func timeframe(_ seconds: UInt32) -> String? {
        switch seconds {
        case 86_400: return "1Day"
        case let s where s > 0 && s < 86_400 && s % 3600 == 0: return "\(s / 3600)Hour"
        case let s where s > 0 && s < 3600 && s % 60 == 0: return "\(s / 60)Min"
        default: return nil
        }
    }
}

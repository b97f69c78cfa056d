import Foundation
import XCTest
@testable import TBotCore
import TBotPluginAPI

/// The Alpaca broker plugin (the built libtbot_alpaca_broker.so) against the local
/// Alpaca-compatible server (Tests/Reference/alpaca_server.py): startup checks, the broker
/// table, the ABI 1.2 extensions, the status mapping of faults, idempotent resubmission
/// and the paper/live URL split.
final class AlpacaBrokerTests: XCTestCase {
    /// 2023-11-14T22:13:20Z: the host clock and the server's clock at start.
    private let now: Int64 = 1_700_000_000_000_000_000
    private let second: Int64 = 1_000_000_000
    private var servers: [AlpacaTestServer] = []
    private var log = LogCapture()

    override func tearDown() {
        unsetenv("APCA_API_KEY_ID")
        unsetenv("APCA_API_SECRET_KEY")
        servers.forEach { $0.stop() }
        servers = []
        super.tearDown()
    }

    // MARK: helpers

    private func startServer() throws -> AlpacaTestServer {
        let server = try AlpacaTestServer()
        servers.append(server)
        return server
    }

    private func setKeys(id: String?, secret: String?) {
        if let id { setenv("APCA_API_KEY_ID", id, 1) } else { unsetenv("APCA_API_KEY_ID") }
        if let secret { setenv("APCA_API_SECRET_KEY", secret, 1) } else { unsetenv("APCA_API_SECRET_KEY") }
    }

    private func environment(_ values: [String: String], runMode: LedgerMode) throws -> HostEnvironment {
        log = LogCapture()
        return TestHost.environment(clock: SimulatedClock(startNanoseconds: now), log: log,
                                    config: try RuntimeConfigFixtures.config(values), runMode: runMode)
    }

    /// The broker pointed at `server` (keys set to the server's unless `keys` is false).
    private func broker(_ server: AlpacaTestServer, runMode: LedgerMode = .paper, extra: [String: String] = [:],
                        keys: Bool = true) throws -> BrokerPlugin {
        if keys { setKeys(id: server.keyID, secret: server.secretKey) }
        let values = server.configValues(live: runMode == .live).merging(extra) { $1 }
        let instance = try TestHost.instance("tbot_alpaca_broker", environment: environment(values, runMode: runMode))
        return try XCTUnwrap(BrokerPlugin(instance))
    }

    /// The self_check failure when loading with `values`, or a test failure when it loads.
    private func loadProblem(_ values: [String: String], runMode: LedgerMode = .paper) throws -> String {
        do {
            _ = try TestHost.instance("tbot_alpaca_broker", environment: environment(values, runMode: runMode))
            XCTFail("the broker loaded")
            return ""
        } catch let failure as PluginLoadFailure {
            return failure.problem
        }
    }

    /// The PluginCallError `body` throws; a test failure when it succeeds.
    private func callError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> PluginCallError? {
        do {
            try body()
            XCTFail("the call succeeded", file: file, line: line)
        } catch let error as PluginCallError {
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    private func assertNoSecrets(_ texts: [String], _ server: AlpacaTestServer, file: StaticString = #filePath, line: UInt = #line) {
        for text in texts + log.lines {
            for secret in [server.keyID, server.secretKey, "WRONGKEY-1b2c3d", "WRONGSECRET-9z8y7x"] {
                XCTAssertFalse(text.contains(secret), "a key or secret leaked: \(text)", file: file, line: line)
            }
        }
    }

    private func order(_ client: String, _ symbol: String = "AAPL", _ side: TradeSide = .buy, shares: String = "10",
                       _ type: OrderType = .market, tif: TimeInForce = .day,
                       takeProfit: Double? = nil, stopLoss: Double? = nil) -> OrderRequest {
        OrderRequest(clientOrderID: client, symbol: symbol, side: side, type: type,
                     quantity: Quantity(truncating: Decimal(string: shares)!), timeInForce: tif,
                     takeProfitPrice: takeProfit, stopLossPrice: stopLoss)
    }

    private func shares(_ text: String) -> Quantity { Quantity(truncating: Decimal(string: text)!) }

    // MARK: startup

    func testSelfCheckPassesAndOffersTheExtensions() throws {
        let server = try startServer()
        let alpaca = try broker(server)
        XCTAssertFalse(alpaca.isSimulated)
        XCTAssertTrue(alpaca.hasCapability(TBOT_EXT_BROKER_SHORT_SELLING))
        XCTAssertFalse(alpaca.hasCapability(TBOT_EXT_BROKER_FRACTIONAL))
        XCTAssertNotNil(try alpaca.marketClock())
        XCTAssertNotNil(alpaca.lastFault())
        let checks = try server.requests(to: "/v2/account", method: "GET")
        XCTAssertEqual(checks.count, 1, "self_check asks for the account once")
        XCTAssertTrue(checks[0].hadKeyID && checks[0].hadSecretKey && checks[0].authorized)
    }

    func testMissingKeysStopStartupNamingTheVariable() throws {
        let server = try startServer()
        setKeys(id: nil, secret: nil)
        let both = try loadProblem(server.configValues())
        XCTAssertTrue(both.contains("APCA_API_KEY_ID and APCA_API_SECRET_KEY are not set"), both)
        setKeys(id: server.keyID, secret: nil)
        let secretOnly = try loadProblem(server.configValues())
        XCTAssertTrue(secretOnly.contains("APCA_API_SECRET_KEY is not set"), secretOnly)
        XCTAssertFalse(secretOnly.contains("APCA_API_KEY_ID is"), secretOnly)
        XCTAssertEqual(try server.requests().count, 0, "no request without keys")
        assertNoSecrets([both, secretOnly], server)
    }

    func testRejectedCredentialsStopStartup() throws {
        let server = try startServer()
        setKeys(id: "WRONGKEY-1b2c3d", secret: "WRONGSECRET-9z8y7x")
        let unauthorized = try loadProblem(server.configValues())
        XCTAssertTrue(unauthorized.contains("Alpaca rejected the credentials (HTTP 401) at \(server.baseURL)"), unauthorized)

        setKeys(id: server.keyID, secret: server.secretKey)
        try server.control(["faults": [["method": "GET", "path": "/v2/account", "status": 403, "code": 40310000,
                                        "message": "forbidden"]]])
        let forbidden = try loadProblem(server.configValues())
        XCTAssertTrue(forbidden.contains("Alpaca rejected the credentials (HTTP 403) at \(server.baseURL)"), forbidden)
        assertNoSecrets([unauthorized, forbidden], server)
    }

    func testUnreachableServerAndBacktestModeStopStartup() throws {
        let server = try startServer()
        setKeys(id: server.keyID, secret: server.secretKey)
        var values = server.configValues()
        values["ALPACA_PAPER_URL"] = "http://127.0.0.1:9"
        let unreachable = try loadProblem(values)
        XCTAssertTrue(unreachable.contains("cannot reach Alpaca at http://127.0.0.1:9"), unreachable)

        let backtest = try loadProblem(server.configValues(), runMode: .backtest)
        XCTAssertTrue(backtest.contains("cannot run in a backtest"), backtest)
        XCTAssertEqual(try server.requests().count, 0)
        assertNoSecrets([unreachable, backtest], server)
    }

    // MARK: paper and live endpoints

    func testPaperModeNeverReachesTheLiveURL() throws {
        let paper = try startServer(), live = try startServer()
        var values = paper.configValues()
        values["ALPACA_LIVE_URL"] = live.baseURL
        setKeys(id: paper.keyID, secret: paper.secretKey)
        let alpaca = try XCTUnwrap(BrokerPlugin(try TestHost.instance("tbot_alpaca_broker",
                                                                     environment: environment(values, runMode: .paper))))
        _ = try alpaca.account()
        _ = try alpaca.submit(order("paper-1"))
        XCTAssertGreaterThan(try paper.requests().count, 2)
        XCTAssertEqual(try live.requests().count, 0, "paper mode sent a request to the live URL")
    }

    func testLiveModeUsesTheLiveURL() throws {
        let paper = try startServer(), live = try startServer()
        var values = live.configValues(live: true)
        values["ALPACA_PAPER_URL"] = paper.baseURL
        setKeys(id: live.keyID, secret: live.secretKey)
        let alpaca = try XCTUnwrap(BrokerPlugin(try TestHost.instance("tbot_alpaca_broker",
                                                                     environment: environment(values, runMode: .live))))
        _ = try alpaca.account()
        XCTAssertEqual(try live.requests(to: "/v2/account").count, 2)
        XCTAssertEqual(try paper.requests().count, 0)
    }

    // MARK: account and positions

    func testAccountAndPositionsAreExact() throws {
        let server = try startServer()
        let alpaca = try broker(server)
        let account = try alpaca.account()
        XCTAssertEqual(account, BrokerAccount(cash: Money(units: 250_005_000), equity: Money(units: 257_252_500),
                                              buyingPower: Money(units: 500_010_000), currency: "USD"))

        try server.control(["account": ["cash": "123456789.1234", "buying_power": "0.0001"]])
        let changed = try alpaca.account()
        XCTAssertEqual(changed.cash.units, 1_234_567_891_234)
        XCTAssertEqual(changed.buyingPower.units, 1)

        let positions = try alpaca.positions()
        XCTAssertEqual(positions, [
            BrokerPosition(symbol: "AAPL", quantity: Quantity(shares: 10), averageEntryPrice: 150.25, lastPrice: 187.5,
                           marketValue: Money(units: 18_750_000)),
            BrokerPosition(symbol: "TSLA", quantity: Quantity(shares: -5), averageEntryPrice: 240.1, lastPrice: 230.05,
                           marketValue: Money(units: -11_502_500)),
        ])
    }

    // MARK: orders

    func testMarketOrderFillsAndSendsAlpacasFields() throws {
        let server = try startServer()
        let alpaca = try broker(server)
        let filled = try alpaca.submit(order("mkt-1", shares: "2.5"))
        XCTAssertEqual(filled.status, .filled)
        XCTAssertEqual(filled.clientOrderID, "mkt-1")
        XCTAssertEqual(filled.symbol, "AAPL")
        XCTAssertEqual(filled.side, .buy)
        XCTAssertEqual(filled.quantity, shares("2.5"))
        XCTAssertEqual(filled.filledQuantity, shares("2.5"))
        XCTAssertEqual(filled.averageFillPrice, 187.5)
        XCTAssertEqual(try alpaca.order(id: filled.orderID), filled)

        let body = try XCTUnwrap(try server.requests(to: "/v2/orders", method: "POST").first?.body as? [String: Any])
        XCTAssertEqual(body as NSDictionary, ["symbol": "AAPL", "qty": "2.5", "side": "buy", "type": "market",
                                              "time_in_force": "day", "client_order_id": "mkt-1"] as NSDictionary)
    }

    func testLimitBracketOrderBody() throws {
        let server = try startServer()
        let alpaca = try broker(server)
        try server.control(["next_orders": [["fill": "none"]]])
        let working = try alpaca.submit(order("brk-1", shares: "3", .limit(price: 186.25), tif: .goodTillCanceled,
                                              takeProfit: 200, stopLoss: 180.5))
        XCTAssertEqual(working.status, .new)
        let body = try XCTUnwrap(try server.requests(to: "/v2/orders", method: "POST").first?.body as? [String: Any])
        XCTAssertEqual(body as NSDictionary, [
            "symbol": "AAPL", "qty": "3", "side": "buy", "type": "limit", "limit_price": "186.25", "time_in_force": "gtc",
            "client_order_id": "brk-1", "order_class": "bracket",
            "take_profit": ["limit_price": "200"], "stop_loss": ["stop_price": "180.5"],
        ] as NSDictionary)
    }

    func testLimitOrderThatNeverFillsIsCanceled() throws {
        let server = try startServer()
        let alpaca = try broker(server)
        let working = try alpaca.submit(order("lim-1", shares: "4", .limit(price: 150)))  // below the 187.50 market
        XCTAssertEqual(working.status, .new)
        XCTAssertEqual(working.filledQuantity, .zero)
        XCTAssertEqual(try alpaca.order(id: working.orderID).status, .new)
        try alpaca.cancel(orderID: working.orderID)
        XCTAssertEqual(try server.requests(to: "/v2/orders/\(working.orderID)", method: "DELETE").count, 1)
        XCTAssertEqual(try alpaca.order(id: working.orderID).status, .canceled)

        // Canceling again: Alpaca answers 422 "order is not cancelable".
        let again = callError { try alpaca.cancel(orderID: working.orderID) }
        XCTAssertEqual(again?.status, TBOT_ERR_REJECTED)
        XCTAssertTrue(again?.message.contains("DELETE /v2/orders/\(working.orderID): HTTP 422: order is not cancelable") ?? false,
                      again?.message ?? "")
        XCTAssertEqual(callError { _ = try alpaca.order(id: "no-such-order") }?.status, TBOT_ERR_NOT_FOUND)
    }

    func testPartialFillThenTheRestWithExactFills() throws {
        let server = try startServer()
        let alpaca = try broker(server)
        try server.control(["next_orders": [["symbol": "AAPL", "fill": "partial", "fill_qty": "4.25", "price": "187.13"]]])
        let partial = try alpaca.submit(order("part-1", shares: "10.5"))
        XCTAssertEqual(partial.status, .partiallyFilled)
        XCTAssertEqual(partial.filledQuantity, shares("4.25"))
        XCTAssertEqual(partial.averageFillPrice, 187.13)

        let first = try alpaca.fills(since: 0)
        XCTAssertEqual(first.count, 1)
        XCTAssertEqual(first.first?.quantity, shares("4.25"))
        XCTAssertEqual(first.first?.orderID, partial.orderID)
        XCTAssertEqual(first.first?.price, 187.13)
        XCTAssertEqual(first.first?.fee, .zero)
        XCTAssertEqual(first.first?.side, .buy)

        try server.control(["fill": ["order_id": partial.orderID, "price": "187.2"]])
        let done = try alpaca.order(id: partial.orderID)
        XCTAssertEqual(done.status, .filled)
        XCTAssertEqual(done.filledQuantity, shares("10.5"))
        let fills = try alpaca.fills(since: 0)
        XCTAssertEqual(fills.map(\.quantity), [shares("4.25"), shares("6.25")])
        XCTAssertEqual(fills.map(\.price), [187.13, 187.2])
        XCTAssertEqual(Set(fills.map(\.fillID)).count, 2)
        XCTAssertLessThanOrEqual(fills[0].timeNanoseconds, fills[1].timeNanoseconds)
        XCTAssertEqual(fills.reduce(Quantity.zero) { $0 + $1.quantity }, done.filledQuantity)
    }

    func testRejectedOrdersCarryTheBrokersReason() throws {
        let server = try startServer()
        let alpaca = try broker(server)
        // 1000 AAPL at 187.50 is more than the 50001.00 of buying power: Alpaca's 403.
        let poor = callError { _ = try alpaca.submit(self.order("rej-1", shares: "1000")) }
        XCTAssertEqual(poor?.status, TBOT_ERR_REJECTED)
        XCTAssertEqual(poor?.message, "POST /v2/orders: HTTP 403: insufficient buying power")
        XCTAssertEqual(alpaca.lastFault(), BrokerFault(httpStatus: 403, timedOut: false, retryAfterMilliseconds: nil, code: "40310000"))

        let unknown = callError { _ = try alpaca.submit(self.order("rej-2", "ZZZZ")) }
        XCTAssertEqual(unknown?.status, TBOT_ERR_REJECTED)
        XCTAssertTrue(unknown?.message.contains("HTTP 422: asset \"ZZZZ\" not found") ?? false, unknown?.message ?? "")
        XCTAssertEqual(alpaca.lastFault()?.httpStatus, 422)
        assertNoSecrets([poor?.message ?? "", unknown?.message ?? ""], server)
    }

    // MARK: faults

    func testServerErrorsAndRateLimitsAreTransient() throws {
        let server = try startServer()
        let alpaca = try broker(server)
        try server.control(["faults": [
            ["method": "GET", "path": "/v2/account", "status": 503, "message": "service unavailable"],
            ["method": "GET", "path": "/v2/account", "status": 429, "retry_after": 7, "code": 42910000, "message": "too many requests"],
        ]])
        let unavailable = callError { _ = try alpaca.account() }
        XCTAssertEqual(unavailable?.status, TBOT_ERR_TRANSIENT)
        XCTAssertEqual(unavailable?.message, "GET /v2/account: HTTP 503: service unavailable")
        XCTAssertEqual(alpaca.lastFault(), BrokerFault(httpStatus: 503, timedOut: false, retryAfterMilliseconds: nil, code: "50310000"))

        let limited = callError { _ = try alpaca.account() }
        XCTAssertEqual(limited?.status, TBOT_ERR_TRANSIENT)
        XCTAssertEqual(alpaca.lastFault(), BrokerFault(httpStatus: 429, timedOut: false, retryAfterMilliseconds: 7000, code: "42910000"))

        XCTAssertEqual(try alpaca.account().currency, "USD")  // the host retries; the plugin never does
        XCTAssertEqual(try server.requests(to: "/v2/account").count, 4)
    }

    func testTimeoutIsTransientAndMarked() throws {
        let server = try startServer()
        let alpaca = try broker(server, extra: ["API_TIMEOUT": "1"])
        try server.control(["faults": [["method": "GET", "path": "/v2/positions", "sleep": 3]]])
        let started = Date()
        let slow = callError { _ = try alpaca.positions() }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(slow?.status, TBOT_ERR_TRANSIENT)
        XCTAssertTrue(slow?.message.contains("GET /v2/positions: no answer within API_TIMEOUT (1 s)") ?? false, slow?.message ?? "")
        XCTAssertEqual(alpaca.lastFault(), BrokerFault(httpStatus: nil, timedOut: true, retryAfterMilliseconds: nil, code: ""))
        XCTAssertLessThan(elapsed, 2.5, "the call was not bounded by API_TIMEOUT")
        XCTAssertEqual(try alpaca.positions().count, 2)
    }

    func testMalformedJSONIsTransient() throws {
        let server = try startServer()
        let alpaca = try broker(server)
        let placed = try alpaca.submit(order("mal-1"))
        try server.control(["faults": [["method": "GET", "path": "/v2/positions", "malformed": true],
                                       ["method": "GET", "path": "/v2/orders/*", "malformed": true]]])
        let garbled = callError { _ = try alpaca.positions() }
        XCTAssertEqual(garbled?.status, TBOT_ERR_TRANSIENT)
        XCTAssertTrue(garbled?.message.hasPrefix("GET /v2/positions: malformed response") ?? false, garbled?.message ?? "")
        XCTAssertEqual(alpaca.lastFault()?.httpStatus, 200)
        XCTAssertEqual(callError { _ = try alpaca.order(id: placed.orderID) }?.status, TBOT_ERR_TRANSIENT)
        XCTAssertEqual(try alpaca.order(id: placed.orderID).status, .filled)
    }

    func testResubmissionAfterATransientReturnsTheExistingOrder() throws {
        let server = try startServer()
        let alpaca = try broker(server, extra: ["API_TIMEOUT": "1"])
        // The order is placed but its answer is garbled: the host sees TRANSIENT and retries.
        try server.control(["faults": [["method": "POST", "path": "/v2/orders", "malformed": true]]])
        let request = order("idem-1", shares: "3")
        XCTAssertEqual(callError { _ = try alpaca.submit(request) }?.status, TBOT_ERR_TRANSIENT)
        let retried = try alpaca.submit(request)
        XCTAssertEqual(retried.clientOrderID, "idem-1")
        XCTAssertEqual(retried.status, .filled)
        XCTAssertEqual(retried.filledQuantity, Quantity(shares: 3))

        // The same after a timeout: the server placed the order and answered too late.
        try server.control(["faults": [["method": "POST", "path": "/v2/orders", "sleep": 2, "sleep_phase": "after"]]])
        let slow = order("idem-2", shares: "2")
        let timedOut = callError { _ = try alpaca.submit(slow) }
        XCTAssertEqual(timedOut?.status, TBOT_ERR_TRANSIENT)
        XCTAssertEqual(alpaca.lastFault()?.timedOut, true)
        XCTAssertEqual(try alpaca.submit(slow).clientOrderID, "idem-2")

        let orders = try XCTUnwrap(try server.state()["orders"] as? [[String: Any]])
        XCTAssertEqual(orders.compactMap { $0["client_order_id"] as? String }, ["idem-1", "idem-2"], "one order each")
        XCTAssertEqual(try server.requests(to: "/v2/orders", method: "POST").count, 4)
        let lookups = try server.requests(to: "/v2/orders:by_client_order_id", method: "GET")
        XCTAssertEqual(lookups.map { $0.query["client_order_id"] }, ["idem-1", "idem-2"])

        // A different order under a used id is refused, not mistaken for the first.
        let clash = callError { _ = try alpaca.submit(self.order("idem-1", "SPY", shares: "1")) }
        XCTAssertEqual(clash?.status, TBOT_ERR_REJECTED)
    }

    // MARK: fills paging

    func testFillsFollowPageTokensAndTheSinceBound() throws {
        let server = try startServer()
        let alpaca = try broker(server)
        try server.control(["seed_fills": ["symbol": "SPY", "count": 250, "qty": "0.5", "price": "450.25",
                                           "start": "2023-11-14T15:00:00Z", "step_seconds": 1]])
        let all = try alpaca.fills(since: 0)
        XCTAssertEqual(all.count, 250)
        XCTAssertEqual(all.first?.timeNanoseconds, 1_699_974_000 * second)
        XCTAssertEqual(all.reduce(Quantity.zero) { $0 + $1.quantity }, Quantity(shares: 125))
        let pages = try server.requests(to: "/v2/account/activities/FILL")
        XCTAssertEqual(pages.count, 3)
        XCTAssertEqual(pages.map { $0.query["page_size"] }, ["100", "100", "100"])
        XCTAssertEqual(pages.map { $0.query["direction"] }, ["asc", "asc", "asc"])
        XCTAssertNil(pages[0].query["page_token"])
        XCTAssertEqual(pages[1].query["page_token"], all[99].fillID)

        try server.control(["clear_requests": true])
        let since = 1_699_974_000 * second + 120 * second  // 15:02:00Z, the 121st fill
        let later = try alpaca.fills(since: since)
        XCTAssertEqual(later.count, 130)
        XCTAssertEqual(later.first?.timeNanoseconds, since)
        XCTAssertEqual(try server.requests(to: "/v2/account/activities/FILL").first?.query["after"], "2023-11-14T15:01:59Z")
    }

    // MARK: assets

    func testEligibilityComesFromAssets() throws {
        let server = try startServer()
        let alpaca = try broker(server)
        XCTAssertTrue(try alpaca.isTradable("AAPL"))
        XCTAssertFalse(try alpaca.isTradable("HALT"))
        XCTAssertFalse(try alpaca.isTradable("ZZZZ"), "404 means not tradable")
        XCTAssertTrue(try alpaca.supportsFractional("AAPL"))
        XCTAssertFalse(try alpaca.supportsFractional("GME"))
        XCTAssertEqual(try alpaca.minimumOrder("AAPL"), OrderMinimum(quantity: Quantity(units: 1), notional: Money(units: 10_000)))
        XCTAssertEqual(try alpaca.minimumOrder("GME"), OrderMinimum(quantity: Quantity(shares: 1), notional: .zero))
        XCTAssertEqual(callError { _ = try alpaca.minimumOrder("ZZZZ") }?.status, TBOT_ERR_NOT_FOUND)
        XCTAssertEqual(try alpaca.isShortable("AAPL"), true)
        XCTAssertEqual(try alpaca.isShortable("TSLA"), false, "shortable but hard to borrow")
        XCTAssertEqual(try alpaca.isShortable("GME"), false)
        XCTAssertEqual(try alpaca.isShortable("ZZZZ"), false)
    }

    // MARK: market data and clock

    func testBarsFollowPagesAndLeaveOutTheFormingBar() throws {
        let server = try startServer()
        let alpaca = try broker(server)
        try server.control(["bars_page_size": 5])
        let start = now - 13 * 60 * second - 20 * second  // 22:00:00Z
        let bars = try XCTUnwrap(try alpaca.bars(symbol: "AAPL", intervalSeconds: 60, start: start, end: start + 20 * 60 * second))
        // 22:00 ... 22:12 are complete at 22:13:20; 22:13 is still forming.
        XCTAssertEqual(bars.map(\.startNanoseconds), (0..<13).map { start + Int64($0) * 60 * second })
        XCTAssertTrue(bars.allSatisfy { $0.symbol == "AAPL" && $0.intervalSeconds == 60 && $0.low <= min($0.open, $0.close)
                && $0.high >= max($0.open, $0.close) && $0.volume > 0 })
        let pages = try server.requests(to: "/v2/stocks/AAPL/bars")
        XCTAssertEqual(pages.count, 3)
        XCTAssertEqual(pages[0].query["timeframe"], "1Min")
        XCTAssertEqual(pages[0].query["feed"], "iex")
        XCTAssertEqual(pages[0].query["start"], "2023-11-14T22:00:00Z")
        XCTAssertEqual(pages[0].query["end"], "2023-11-14T22:13:20Z")
        XCTAssertNil(pages[0].query["page_token"])
        XCTAssertNotNil(pages[1].query["page_token"])
        XCTAssertTrue(pages.allSatisfy { $0.hadKeyID && $0.hadSecretKey })

        let days = try XCTUnwrap(try alpaca.bars(symbol: "SPY", intervalSeconds: 86_400, start: now - 10 * 86_400 * second, end: now))
        XCTAssertGreaterThan(days.count, 5)
        XCTAssertEqual(try server.requests(to: "/v2/stocks/SPY/bars").first?.query["timeframe"], "1Day")
        XCTAssertEqual(callError { _ = try alpaca.bars(symbol: "AAPL", intervalSeconds: 45, start: start, end: now) }?.status,
                       TBOT_ERR_UNSUPPORTED)
    }

    func testMarketClock() throws {
        let server = try startServer()
        let alpaca = try broker(server)
        try server.control(["clock": ["timestamp": "2023-11-14T10:13:20.123456789-05:00", "is_open": true,
                                      "next_open": "2023-11-15T09:30:00-05:00", "next_close": "2023-11-14T16:00:00-05:00"]])
        XCTAssertEqual(try alpaca.marketClock(), MarketClock(isOpen: true, timestampNanoseconds: 1_699_974_800_123_456_789,
                                                             nextOpenNanoseconds: 1_700_058_600 * second,
                                                             nextCloseNanoseconds: 1_699_995_600 * second))
        try server.control(["clock": ["timestamp": "not a time", "is_open": false, "next_open": "", "next_close": ""]])
        XCTAssertEqual(callError { _ = try alpaca.marketClock() }?.status, TBOT_ERR_TRANSIENT)
    }
}

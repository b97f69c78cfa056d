import Foundation
import XCTest
@testable import TBotCore

/// The paper broker's fill model (docs/backtesting.md, "Fill model"), through the real built .so:
/// next_open MARKET fills, LIMIT / STOP / STOP_LIMIT on touch with gaps, slippage and fees,
/// brackets, DAY expiry, cancel, rejection at fill time and working orders across a restart.
final class PaperBrokerFillModelTests: XCTestCase {
    /// 2024-01-02T14:30:00Z; bar n starts n minutes later.
    private let day0: Int64 = 1_704_205_800_000_000_000
    private let minute: Int64 = 60_000_000_000
    private var clock = SimulatedClock(startNanoseconds: 1_704_205_800_000_000_000)

    private func instance(_ params: [String: String], clock start: Int64? = nil) throws -> PluginInstance {
        clock = SimulatedClock(startNanoseconds: start ?? day0)
        let parameters = params.keys.sorted().map { ManifestParameter(key: $0, value: params[$0]!) }
        return try TestHost.instance("tbot_paper_broker", parameters: parameters, environment: TestHost.environment(clock: clock))
    }

    private func broker(_ params: [String: String], clock start: Int64? = nil) throws -> BrokerPlugin {
        try XCTUnwrap(BrokerPlugin(instance(params, clock: start)))
    }

    /// Delivers a one-minute bar starting `start` ns as the host does: the clock at the bar's end.
    private func feed(_ paper: BrokerPlugin, _ symbol: String, at start: Int64,
                      _ open: Double, _ high: Double, _ low: Double, _ close: Double) throws {
        if start + minute > clock.nowNanoseconds { clock.advance(to: start + minute) }
        try paper.marketBar(Bar(symbol: symbol, startNanoseconds: start, intervalSeconds: 60,
                                open: open, high: high, low: low, close: close, volume: 1000))
    }

    /// Bar number `n` of the session (n minutes after day0).
    private func feed(_ paper: BrokerPlugin, _ symbol: String, minute n: Int64,
                      _ open: Double, _ high: Double, _ low: Double, _ close: Double) throws {
        try feed(paper, symbol, at: day0 + n * minute, open, high, low, close)
    }

    private func flat(_ paper: BrokerPlugin, _ symbol: String, minute n: Int64, _ price: Double) throws {
        try feed(paper, symbol, minute: n, price, price, price, price)
    }

    private func submit(_ paper: BrokerPlugin, _ client: String, _ symbol: String, _ side: TradeSide, _ shares: Int64,
                        _ type: OrderType = .market, tif: TimeInForce = .goodTillCanceled,
                        takeProfit: Double? = nil, stopLoss: Double? = nil) throws -> BrokerOrder {
        try paper.submit(OrderRequest(clientOrderID: client, symbol: symbol, side: side, type: type,
                                      quantity: Quantity(shares: shares), timeInForce: tif,
                                      takeProfitPrice: takeProfit, stopLossPrice: stopLoss))
    }

    private func status(_ paper: BrokerPlugin, _ number: Int) throws -> OrderStatus {
        try paper.order(id: orderID(number)).status
    }

    private func orderID(_ number: Int) -> String { "paper-ord-" + String(format: "%06d", number) }

    private func loadProblem(_ params: [String: String]) -> String? {
        do {
            _ = try instance(params)
            return nil
        } catch {
            return (error as? PluginLoadFailure)?.problem ?? "\(error)"
        }
    }

    // MARK: defaults

    /// Without the new parameters, or with them at their defaults, MARKET orders fill at
    /// submission at the last close, and the state file has the same bytes as before.
    func testDefaultParametersKeepTheOldBehaviour() throws {
        let folder = try OperatorFolder()
        var files: [Data] = []
        for extra in [[:], ["fill_price": "close", "commission_per_share": "0", "slippage_bps": "0"]] {
            let path = folder.root.appendingPathComponent("state-\(files.count).json").path
            let paper = try broker(["starting_cash": "10000", "commission_per_order": "1.25", "state_file": path]
                .merging(extra) { $1 })
            try feed(paper, "AAPL", minute: 0, 150, 151, 149, 150.25)
            let buy = try submit(paper, "c1", "AAPL", .buy, 10)
            XCTAssertEqual(buy.status, .filled)
            XCTAssertEqual(buy.averageFillPrice, 150.25)
            try feed(paper, "AAPL", minute: 1, 152, 153, 150, 151.1)
            XCTAssertEqual(try submit(paper, "c2", "AAPL", .sell, 4).status, .filled)
            let refused = try submit(paper, "c3", "AAPL", .sell, 100)
            XCTAssertEqual(refused.status, .rejected)
            XCTAssertEqual(refused.rejectReason,
                           "cannot sell 100 AAPL: long position is 6 (short selling is off: allow_short = false)")
            let fills = try paper.fills(since: 0)
            XCTAssertEqual(fills.map(\.price), [150.25, 151.1])
            XCTAssertEqual(fills.map(\.fee.units), [12_500, 12_500])
            XCTAssertEqual(fills.map(\.timeNanoseconds), [day0 + minute, day0 + 2 * minute])
            XCTAssertEqual(try paper.account().cash.units, 100_000_000 - 15_025_000 - 12_500 + 6_044_000 - 12_500)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            XCTAssertFalse(String(decoding: bytes, as: UTF8.self).contains("working_orders"))
            files.append(bytes)
        }
        XCTAssertEqual(files[0], files[1])
    }

    func testParametersAreValidatedWithNameValueAndRule() {
        XCTAssertEqual(loadProblem(["fill_price": "open"]),
                       "create returned NULL: invalid value 'open' for fill_price: expected close or next_open")
        XCTAssertEqual(loadProblem(["slippage_bps": "5bps"]),
                       "create returned NULL: invalid value '5bps' for slippage_bps: expected a decimal (basis points)")
        XCTAssertEqual(loadProblem(["commission_per_share": "0,01"]),
                       "create returned NULL: invalid value '0,01' for commission_per_share: expected a decimal (USD per share)")
        XCTAssertEqual(loadProblem(["commission_per_share": "-0.01"]),
                       "self_check failed: commission_per_share (-0.01) must not be negative")
        XCTAssertEqual(loadProblem(["slippage_bps": "10000"]),
                       "self_check failed: slippage_bps (10000) must be at least 0 and below 10000")
        XCTAssertEqual(loadProblem(["slippage_bps": "-1"]),
                       "self_check failed: slippage_bps (-1) must be at least 0 and below 10000")
        XCTAssertNil(loadProblem(["fill_price": "next_open", "slippage_bps": "2.5", "commission_per_share": "0.005"]))
    }

    // MARK: next_open

    func testNextOpenMarketOrderFillsAtTheNextBarsOpenAndStart() throws {
        let paper = try broker(["fill_price": "next_open", "starting_cash": "10000"])
        try feed(paper, "AAPL", minute: 0, 100, 101, 99, 100.5)
        let order = try submit(paper, "c1", "AAPL", .buy, 10)
        XCTAssertEqual(order.status, .new)
        XCTAssertEqual(order.filledQuantity, .zero)
        XCTAssertEqual(try paper.fills(since: 0), [])
        XCTAssertEqual(try paper.account().cash.description, "10000.00")

        // A bar of another symbol does not touch it.
        try flat(paper, "MSFT", minute: 1, 300)
        XCTAssertEqual(try status(paper, 1), .new)

        try feed(paper, "AAPL", minute: 1, 101.25, 102, 100, 101.5)
        let fills = try paper.fills(since: 0)
        XCTAssertEqual(fills.map(\.price), [101.25])
        XCTAssertEqual(fills.map(\.timeNanoseconds), [day0 + minute])
        XCTAssertEqual(fills.map(\.fee.units), [0])
        let filled = try paper.order(id: order.orderID)
        XCTAssertEqual(filled.status, .filled)
        XCTAssertEqual(filled.averageFillPrice, 101.25)
        XCTAssertEqual(filled.filledQuantity, Quantity(shares: 10))
        XCTAssertEqual(try paper.account().cash.units, 100_000_000 - 10_125_000)

        // A bar that started before the order was placed still fills it, but not earlier
        // than the order's submission time.
        let submittedAt = clock.nowNanoseconds
        XCTAssertEqual(try submit(paper, "c2", "AAPL", .sell, 10).status, .new)
        try feed(paper, "AAPL", at: day0 + minute, 102, 102, 101, 101.5)
        XCTAssertEqual(try paper.fills(since: 0).last?.timeNanoseconds, submittedAt)
        XCTAssertEqual(try paper.fills(since: 0).last?.price, 102)
        XCTAssertEqual(try paper.positions(), [])
    }

    func testNextOpenChecksCashAtFillTimeAndRejects() throws {
        let paper = try broker(["fill_price": "next_open", "starting_cash": "1000"])
        try flat(paper, "XYZ", minute: 0, 100)
        XCTAssertEqual(try submit(paper, "c1", "XYZ", .buy, 9).status, .new)  // 900.00 at the last close
        XCTAssertEqual(try submit(paper, "c2", "XYZ", .sell, 5).status, .new)  // nothing held yet
        try feed(paper, "XYZ", minute: 1, 120, 121, 119, 120)
        let buy = try paper.order(id: orderID(1))
        XCTAssertEqual(buy.status, .rejected)
        XCTAssertEqual(buy.rejectReason, "insufficient cash: need 1080.00, have 1000.00")
        let sell = try paper.order(id: orderID(2))
        XCTAssertEqual(sell.status, .rejected)
        XCTAssertEqual(sell.rejectReason, "cannot sell 5 XYZ: long position is 0 (short selling is off: allow_short = false)")
        XCTAssertEqual(try paper.fills(since: 0), [])
        XCTAssertEqual(try paper.account().cash.description, "1000.00")
    }

    func testOrdersOfOneBarRunInSubmissionOrder() throws {
        let paper = try broker(["starting_cash": "1000"])
        try flat(paper, "XYZ", minute: 0, 101)
        XCTAssertEqual(try submit(paper, "c1", "XYZ", .buy, 6, .limit(price: 100)).status, .new)
        XCTAssertEqual(try submit(paper, "c2", "XYZ", .buy, 5, .limit(price: 100)).status, .new)
        try feed(paper, "XYZ", minute: 1, 99, 100, 98, 99)
        XCTAssertEqual(try paper.order(id: orderID(1)).averageFillPrice, 99)
        XCTAssertEqual(try paper.order(id: orderID(2)).rejectReason, "insufficient cash: need 495.00, have 406.00")
    }

    // MARK: limit and stop

    func testLimitAndStopOrdersFillOnTouch() throws {
        let paper = try broker([:])
        try flat(paper, "XYZ", minute: 0, 100)
        let buyLimit = try submit(paper, "c1", "XYZ", .buy, 10, .limit(price: 99))
        XCTAssertEqual(buyLimit.status, .new)
        try feed(paper, "XYZ", minute: 1, 100, 101, 99.5, 100)
        XCTAssertEqual(try status(paper, 1), .new)
        try feed(paper, "XYZ", minute: 2, 99.8, 100, 98.5, 99)
        XCTAssertEqual(try paper.order(id: orderID(1)).averageFillPrice, 99)

        XCTAssertEqual(try submit(paper, "c2", "XYZ", .sell, 4, .stop(price: 97)).status, .new)
        try feed(paper, "XYZ", minute: 3, 98, 98.5, 97.5, 98)
        XCTAssertEqual(try status(paper, 2), .new)
        try feed(paper, "XYZ", minute: 4, 97.6, 97.8, 96, 96.5)
        XCTAssertEqual(try paper.order(id: orderID(2)).averageFillPrice, 97)

        XCTAssertEqual(try submit(paper, "c3", "XYZ", .buy, 2, .stop(price: 103)).status, .new)
        try feed(paper, "XYZ", minute: 5, 100, 102.9, 99, 102)
        XCTAssertEqual(try status(paper, 3), .new)
        try feed(paper, "XYZ", minute: 6, 102, 103.5, 101.5, 103)
        XCTAssertEqual(try paper.order(id: orderID(3)).averageFillPrice, 103)

        XCTAssertEqual(try submit(paper, "c4", "XYZ", .sell, 8, .limit(price: 105)).status, .new)
        try feed(paper, "XYZ", minute: 7, 104, 104.9, 103, 104)
        XCTAssertEqual(try status(paper, 4), .new)
        try feed(paper, "XYZ", minute: 8, 104, 105.2, 103.8, 105)
        XCTAssertEqual(try paper.order(id: orderID(4)).averageFillPrice, 105)

        let fills = try paper.fills(since: 0)
        XCTAssertEqual(fills.map(\.price), [99, 97, 103, 105])
        XCTAssertEqual(fills.map(\.timeNanoseconds), [2, 4, 6, 8].map { day0 + $0 * minute })
        XCTAssertEqual(try paper.positions(), [])
        XCTAssertEqual(try paper.account().cash.units, 1_000_000_000 + (-990 + 388 - 206 + 840) * 10_000)
    }

    func testTouchingThePriceExactlyIsATouch() throws {
        let paper = try broker([:])
        try flat(paper, "XYZ", minute: 0, 100)
        _ = try submit(paper, "c1", "XYZ", .buy, 10, .limit(price: 99))
        try feed(paper, "XYZ", minute: 1, 99.5, 100, 99, 99.5)
        _ = try submit(paper, "c2", "XYZ", .sell, 5, .limit(price: 101))
        _ = try submit(paper, "c3", "XYZ", .sell, 5, .stop(price: 97))
        try feed(paper, "XYZ", minute: 2, 100, 101, 99, 100)
        try feed(paper, "XYZ", minute: 3, 98, 98, 97, 97.5)
        XCTAssertEqual(try paper.fills(since: 0).map(\.price), [99, 101, 97])
        XCTAssertEqual(try paper.fills(since: 0).map(\.timeNanoseconds), [1, 2, 3].map { day0 + $0 * minute })
    }

    /// Many symbols, in a fixed and then a shuffled order: every bar updates its own symbol.
    func testEveryOneOfManySymbolsKeepsItsOwnPrice() throws {
        let paper = try broker(["starting_cash": "1000000"])
        let symbols = (0..<150).map { "S\($0)" }
        var generator = SystemRandomNumberGenerator()
        for round in 0..<4 {
            let order = round < 2 ? symbols : symbols.shuffled(using: &generator)
            for symbol in order {
                let price = Double(round * 1000 + symbols.firstIndex(of: symbol)! + 1)
                try feed(paper, symbol, at: day0 + Int64(round) * minute, price, price, price, price)
            }
        }
        for (i, symbol) in symbols.enumerated() {
            XCTAssertEqual(try submit(paper, "c\(i)", symbol, .buy, 1).averageFillPrice, Double(3000 + i + 1), symbol)
        }
    }

    func testGapsThroughTheLevelFillAtTheOpen() throws {
        let paper = try broker([:])
        try flat(paper, "XYZ", minute: 0, 100)
        _ = try submit(paper, "c1", "XYZ", .buy, 10, .limit(price: 99))
        try feed(paper, "XYZ", minute: 1, 98, 98.5, 97, 98)       // opens below the limit: better price
        _ = try submit(paper, "c2", "XYZ", .sell, 5, .stop(price: 97))
        try feed(paper, "XYZ", minute: 2, 95, 96, 94, 95.5)       // gaps through the stop: worse price
        _ = try submit(paper, "c3", "XYZ", .buy, 5, .stop(price: 103))
        try feed(paper, "XYZ", minute: 3, 104.5, 105, 104, 104.8)  // gaps over the buy stop
        _ = try submit(paper, "c4", "XYZ", .sell, 10, .limit(price: 105))
        try feed(paper, "XYZ", minute: 4, 107, 108, 106, 107)     // opens above the sell limit
        XCTAssertEqual(try paper.fills(since: 0).map(\.price), [98, 95, 104.5, 107])
    }

    func testStopLimitTriggersThenActsAsALimit() throws {
        let paper = try broker([:])
        try flat(paper, "XYZ", minute: 0, 100)
        XCTAssertEqual(try submit(paper, "c1", "XYZ", .buy, 10).status, .filled)
        _ = try submit(paper, "c2", "XYZ", .sell, 5, .stopLimit(stop: 97, limit: 96))
        try feed(paper, "XYZ", minute: 1, 98, 98, 96.5, 97)       // touches 97, which the limit accepts
        XCTAssertEqual(try paper.order(id: orderID(2)).averageFillPrice, 97)
        _ = try submit(paper, "c3", "XYZ", .sell, 5, .stopLimit(stop: 95, limit: 94))
        try feed(paper, "XYZ", minute: 2, 93, 93.5, 92, 93)       // gaps below the limit: triggered only
        XCTAssertEqual(try status(paper, 3), .new)
        try feed(paper, "XYZ", minute: 3, 93.5, 94.5, 93, 94)     // a sell limit at 94 now
        XCTAssertEqual(try paper.order(id: orderID(3)).averageFillPrice, 94)
        XCTAssertEqual(try paper.fills(since: 0).map(\.price), [100, 97, 94])
    }

    // MARK: slippage and fees

    func testSlippageAndPerShareCommissionAreExact() throws {
        let paper = try broker(["starting_cash": "10000", "commission_per_order": "1.00",
                                "commission_per_share": "0.00125", "slippage_bps": "20"])
        try flat(paper, "XYZ", minute: 0, 50)
        let buy = try submit(paper, "c1", "XYZ", .buy, 30)           // MARKET: 50 * 1.002
        XCTAssertEqual(buy.averageFillPrice, 50.0 * (1 + 20.0 / 10_000))
        XCTAssertEqual(buy.averageFillPrice, 50.1)
        _ = try submit(paper, "c2", "XYZ", .sell, 10, .stop(price: 49))
        try feed(paper, "XYZ", minute: 1, 49.5, 49.8, 48.8, 49)       // STOP at 49, sold 0.2% lower
        _ = try submit(paper, "c3", "XYZ", .sell, 5, .limit(price: 52))
        try feed(paper, "XYZ", minute: 2, 51.5, 52.3, 51.4, 52)       // LIMIT: no slippage
        _ = try submit(paper, "c4", "XYZ", .buy, 1)                   // MARKET at 52 * 1.002

        let fills = try paper.fills(since: 0)
        XCTAssertEqual(fills.map(\.price), [50.1, 49.0 * (1 - 20.0 / 10_000), 52, 52.0 * (1 + 20.0 / 10_000)])
        XCTAssertEqual(fills.map(\.price), [50.1, 48.902, 52, 52.104])
        // 1.00 per order plus 0.00125 per share: 30 -> 375 units, 10 -> 125, 5 -> 62.5 -> 63 and
        // 1 -> 12.5 -> 13 (half up; half-even would give 62 and 12).
        XCTAssertEqual(fills.map(\.fee.units), [10_375, 10_125, 10_063, 10_013])
        XCTAssertEqual(try paper.account().cash.units,
                       100_000_000 - 15_030_000 - 10_375 + 4_890_200 - 10_125 + 2_600_000 - 10_063 - 521_040 - 10_013)
    }

    func testNextOpenFillsGetSlippageAndFees() throws {
        let paper = try broker(["fill_price": "next_open", "slippage_bps": "20", "commission_per_share": "0.01"])
        try flat(paper, "XYZ", minute: 0, 50)
        _ = try submit(paper, "c1", "XYZ", .buy, 100)
        try feed(paper, "XYZ", minute: 1, 53, 54, 52, 53.5)
        let fill = try XCTUnwrap(paper.fills(since: 0).first)
        XCTAssertEqual(fill.price, 53.106)
        XCTAssertEqual(fill.fee.units, 10_000)
        XCTAssertEqual(fill.timeNanoseconds, day0 + minute)
    }

    // MARK: brackets

    /// A bought bracket at 100: stop leg 95 (order 2), target leg 105 (order 3).
    private func bracket(_ paper: BrokerPlugin) throws {
        try flat(paper, "XYZ", minute: 0, 100)
        let entry = try submit(paper, "b1", "XYZ", .buy, 10, takeProfit: 105, stopLoss: 95)
        XCTAssertEqual(entry.status, .filled)
        XCTAssertEqual(entry.averageFillPrice, 100)
        let stop = try paper.order(id: orderID(2)), target = try paper.order(id: orderID(3))
        XCTAssertEqual([stop.status, target.status], [.new, .new])
        XCTAssertEqual([stop.clientOrderID, target.clientOrderID], ["b1-sl", "b1-tp"])
        XCTAssertEqual([stop.side, target.side], [.sell, .sell])
        XCTAssertEqual([stop.quantity, target.quantity], [Quantity(shares: 10), Quantity(shares: 10)])
    }

    func testBracketTargetLegFillsAndCancelsTheStop() throws {
        let paper = try broker([:])
        try bracket(paper)
        try feed(paper, "XYZ", minute: 1, 100, 106, 99, 105.5)
        XCTAssertEqual(try paper.order(id: orderID(3)).averageFillPrice, 105)
        XCTAssertEqual(try [status(paper, 2), status(paper, 3)], [.canceled, .filled])
        XCTAssertEqual(try paper.fills(since: 0).map(\.price), [100, 105])
        XCTAssertEqual(try paper.positions(), [])
    }

    func testBracketStopLegFillsAtTheOpenOnAGap() throws {
        let paper = try broker([:])
        try bracket(paper)
        try feed(paper, "XYZ", minute: 1, 99, 100, 96, 97)   // no touch
        XCTAssertEqual(try [status(paper, 2), status(paper, 3)], [.new, .new])
        try feed(paper, "XYZ", minute: 2, 93, 94, 92, 93.5)  // gaps through 95
        XCTAssertEqual(try [status(paper, 2), status(paper, 3)], [.filled, .canceled])
        XCTAssertEqual(try paper.fills(since: 0).map(\.price), [100, 93])
    }

    func testBracketStopLegWinsWhenOneBarTouchesBoth() throws {
        let paper = try broker([:])
        try bracket(paper)
        try feed(paper, "XYZ", minute: 1, 100, 106, 94, 101)
        XCTAssertEqual(try [status(paper, 2), status(paper, 3)], [.filled, .canceled])
        XCTAssertEqual(try paper.fills(since: 0).map(\.price), [100, 95])
        XCTAssertEqual(try paper.account().cash.units, 1_000_000_000 - 500_000)
    }

    func testBracketLegsAreCanceledWhenAnotherOrderClosesThePosition() throws {
        let paper = try broker([:])
        try bracket(paper)
        XCTAssertEqual(try submit(paper, "x1", "XYZ", .sell, 10).status, .filled)
        XCTAssertEqual(try [status(paper, 2), status(paper, 3)], [.canceled, .canceled])
        try feed(paper, "XYZ", minute: 1, 100, 106, 94, 101)
        XCTAssertEqual(try paper.fills(since: 0).map(\.price), [100, 100])
    }

    func testLimitBracketEntryGetsItsLegsFromTheNextBar() throws {
        let paper = try broker([:])
        try flat(paper, "XYZ", minute: 0, 100)
        XCTAssertEqual(try submit(paper, "b1", "XYZ", .buy, 10, .limit(price: 99), takeProfit: 104, stopLoss: 96).status, .new)
        XCTAssertThrowsError(try paper.order(id: orderID(2)))  // no legs before the entry fills
        // The entry fills at 99; the bar also reaches 95.5, but legs only start with the next bar.
        try feed(paper, "XYZ", minute: 1, 100, 100, 95.5, 97)
        XCTAssertEqual(try paper.order(id: orderID(1)).averageFillPrice, 99)
        XCTAssertEqual(try [status(paper, 2), status(paper, 3)], [.new, .new])
        try feed(paper, "XYZ", minute: 2, 97, 104.5, 96.5, 104)
        XCTAssertEqual(try [status(paper, 2), status(paper, 3)], [.canceled, .filled])
        XCTAssertEqual(try paper.fills(since: 0).map(\.price), [99, 104])
    }

    func testBracketsNeedABuyEntryAndOrderedPrices() throws {
        let paper = try broker([:])
        try flat(paper, "XYZ", minute: 0, 100)
        XCTAssertThrowsError(try submit(paper, "c1", "XYZ", .sell, 1, takeProfit: 90)) { error in
            XCTAssertEqual((error as? PluginCallError)?.statusName, "unsupported")
        }
        XCTAssertThrowsError(try submit(paper, "c2", "XYZ", .buy, 1, takeProfit: 95, stopLoss: 96)) { error in
            XCTAssertEqual((error as? PluginCallError)?.message, "take_profit_price 95.0 must be above stop_loss_price 96.0")
        }
    }

    // MARK: expiry and cancel

    func testDayOrdersExpireAtTheEndOfTheirUTCDay() throws {
        let paper = try broker([:])
        try flat(paper, "XYZ", minute: 0, 100)
        try flat(paper, "QQQ", minute: 0, 400)
        _ = try submit(paper, "d1", "XYZ", .buy, 1, .limit(price: 90), tif: .day)
        _ = try submit(paper, "g1", "XYZ", .buy, 1, .limit(price: 90), tif: .goodTillCanceled)
        _ = try submit(paper, "d2", "QQQ", .buy, 1, .limit(price: 300), tif: .day)
        _ = try submit(paper, "d3", "XYZ", .buy, 1, .limit(price: 91), tif: .day)
        try feed(paper, "XYZ", minute: 1, 100, 100, 95, 96)
        // The day's last minute bar (23:59Z) still fills a DAY order.
        let midnight = Int64(1_704_240_000) * 1_000_000_000  // 2024-01-03T00:00:00Z
        try feed(paper, "XYZ", at: midnight - minute, 92, 92, 90.5, 91)
        XCTAssertEqual(try paper.order(id: orderID(4)).averageFillPrice, 91)
        // The next day's first bar: the DAY order expired without a fill; GTC fills at the open.
        try feed(paper, "XYZ", at: midnight + 870 * minute, 89, 90, 88, 89)
        XCTAssertEqual(try [status(paper, 1), status(paper, 2)], [.expired, .filled])
        XCTAssertEqual(try paper.fills(since: 0).map(\.price), [91, 89])
        // No QQQ bar came, but the host clock is past midnight: reported EXPIRED all the same.
        XCTAssertEqual(try status(paper, 3), .expired)
        XCTAssertThrowsError(try paper.cancel(orderID: orderID(3))) { error in
            XCTAssertEqual((error as? PluginCallError)?.message, "order paper-ord-000003 is already expired")
        }
    }

    func testCancelEndsWorkingOrdersAndBracketsNeverGetLegs() throws {
        let paper = try broker([:])
        try flat(paper, "XYZ", minute: 0, 100)
        _ = try submit(paper, "c1", "XYZ", .buy, 10, .limit(price: 95))
        try paper.cancel(orderID: orderID(1))
        XCTAssertEqual(try status(paper, 1), .canceled)
        XCTAssertThrowsError(try paper.cancel(orderID: orderID(1))) { error in
            XCTAssertEqual((error as? PluginCallError)?.statusName, "rejected")
            XCTAssertEqual((error as? PluginCallError)?.message, "order paper-ord-000001 is already canceled")
        }
        _ = try submit(paper, "c2", "XYZ", .buy, 10, .limit(price: 95), takeProfit: 110, stopLoss: 90)
        try paper.cancel(orderID: orderID(2))
        try feed(paper, "XYZ", minute: 1, 94, 111, 89, 100)
        XCTAssertEqual(try paper.fills(since: 0), [])
        XCTAssertThrowsError(try paper.order(id: orderID(3))) { error in
            XCTAssertEqual((error as? PluginCallError)?.statusName, "not found")
        }
        // Canceling one leg of a bracket cancels the other.
        XCTAssertEqual(try submit(paper, "c3", "XYZ", .buy, 10, takeProfit: 110, stopLoss: 90).orderID, orderID(3))
        try paper.cancel(orderID: orderID(4))
        XCTAssertEqual(try [status(paper, 4), status(paper, 5)], [.canceled, .canceled])
        XCTAssertEqual(try paper.positions().map(\.quantity), [Quantity(shares: 10)])
        XCTAssertThrowsError(try paper.cancel(orderID: orderID(3))) { error in
            XCTAssertEqual((error as? PluginCallError)?.message, "order paper-ord-000003 is already filled")
        }
    }

    // MARK: fills and persistence

    func testFillsAreListedInTimeOrderFromAnyPoint() throws {
        let paper = try broker(["fill_price": "next_open"])
        try flat(paper, "AAA", minute: 0, 10)
        try flat(paper, "BBB", minute: 0, 20)
        _ = try submit(paper, "a", "AAA", .buy, 1)
        _ = try submit(paper, "b", "BBB", .buy, 1)
        try flat(paper, "AAA", minute: 3, 11)
        // A BBB bar that started before the AAA one arrives after it: its fill sorts first.
        try feed(paper, "BBB", minute: 2, 21, 21, 21, 21)
        let all = try paper.fills(since: 0)
        XCTAssertEqual(all.map(\.symbol), ["BBB", "AAA"])
        XCTAssertEqual(all.map(\.timeNanoseconds), [day0 + 2 * minute, day0 + 3 * minute])
        XCTAssertEqual(try paper.fills(since: day0 + 2 * minute + 1).map(\.symbol), ["AAA"])
        XCTAssertEqual(try paper.fills(since: day0 + 3 * minute).map(\.symbol), ["AAA"])
        XCTAssertEqual(try paper.fills(since: day0 + 3 * minute + 1), [])
    }

    func testWorkingOrdersAndLegsContinueAfterARestart() throws {
        let folder = try OperatorFolder()
        let path = folder.root.appendingPathComponent("paper-state.json").path
        let params = ["starting_cash": "10000", "state_file": path]
        do {
            let paper = try broker(params)
            try flat(paper, "XYZ", minute: 0, 100)
            XCTAssertEqual(try submit(paper, "b1", "XYZ", .buy, 10, .limit(price: 99), takeProfit: 110, stopLoss: 90).status, .new)
        }
        var text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.contains("\"working_orders\":[{"), text)
        do {
            let paper = try broker(params, clock: day0 + minute)
            XCTAssertEqual(try status(paper, 1), .new)
            try feed(paper, "XYZ", minute: 1, 100, 100, 98, 98.5)
            XCTAssertEqual(try paper.order(id: orderID(1)).averageFillPrice, 99)
            XCTAssertEqual(try [status(paper, 2), status(paper, 3)], [.new, .new])
        }
        do {
            let paper = try broker(params, clock: day0 + 2 * minute)
            XCTAssertEqual(try paper.order(id: orderID(3)).clientOrderID, "b1-tp")
            XCTAssertEqual(try submit(paper, "b1", "XYZ", .buy, 10).orderID, orderID(1), "a retry still finds the entry")
            try feed(paper, "XYZ", minute: 2, 105, 111, 104, 110.5)
            XCTAssertEqual(try [status(paper, 2), status(paper, 3)], [.canceled, .filled])
            XCTAssertEqual(try paper.fills(since: 0).map(\.price), [99, 110])
            XCTAssertEqual(try paper.account().cash.units, 100_000_000 - 9_900_000 + 11_000_000)
        }
        text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertFalse(text.contains("working_orders"), "none working: the key is left out, as in old files")
        XCTAssertEqual(try broker(params).fills(since: 0).map(\.price), [99, 110])

        // A NEW order without its working entry is a damaged file.
        let damaged = text.replacingOccurrences(of: "\"status\":\"filled\"", with: "\"status\":\"new\"")
        try damaged.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(loadProblem(params), "create returned NULL: cannot load state_file \(path): "
                       + "order paper-ord-000001 is NEW but has no working_orders entry")
    }
}

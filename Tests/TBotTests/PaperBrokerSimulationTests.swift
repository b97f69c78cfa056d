import Foundation
import TBotPluginAPI
import XCTest
@testable import TBotCore

/// The paper broker's simulated account beyond the basic fill model (docs/backtesting.md,
/// "Fill model"), through the real built .so: trailing stops, partial fills against bar
/// volume, short selling with buying power, order states, and all of it across a restart.
final class PaperBrokerSimulationTests: XCTestCase {
    /// 2024-01-02T14:30:00Z; bar n starts n minutes later.
    private let day0: Int64 = 1_704_205_800_000_000_000
    private let minute: Int64 = 60_000_000_000
    /// 2024-01-03T00:00:00Z, the end of day0's UTC day.
    private let midnight: Int64 = 1_704_240_000_000_000_000
    private var clock = SimulatedClock(startNanoseconds: 1_704_205_800_000_000_000)

    private func instance(_ params: [String: String], clock start: Int64? = nil) throws -> PluginInstance {
        clock = SimulatedClock(startNanoseconds: start ?? day0)
        let parameters = params.keys.sorted().map { ManifestParameter(key: $0, value: params[$0]!) }
        return try TestHost.instance("tbot_paper_broker", parameters: parameters, environment: TestHost.environment(clock: clock))
    }

    private func broker(_ params: [String: String], clock start: Int64? = nil) throws -> BrokerPlugin {
        try XCTUnwrap(BrokerPlugin(instance(params, clock: start)))
    }

    /// Delivers a one-minute bar as the host does: the clock at the bar's end.
    private func feed(_ paper: BrokerPlugin, _ symbol: String, at start: Int64, _ open: Double, _ high: Double,
                      _ low: Double, _ close: Double, volume: Double = 1000) throws {
        if start + minute > clock.nowNanoseconds { clock.advance(to: start + minute) }
        try paper.marketBar(Bar(symbol: symbol, startNanoseconds: start, intervalSeconds: 60,
                                open: open, high: high, low: low, close: close, volume: volume))
    }

    private func feed(_ paper: BrokerPlugin, _ symbol: String, minute n: Int64, _ open: Double, _ high: Double,
                      _ low: Double, _ close: Double, volume: Double = 1000) throws {
        try feed(paper, symbol, at: day0 + n * minute, open, high, low, close, volume: volume)
    }

    private func flat(_ paper: BrokerPlugin, _ symbol: String, minute n: Int64, _ price: Double, volume: Double = 1000) throws {
        try feed(paper, symbol, minute: n, price, price, price, price, volume: volume)
    }

    private func submit(_ paper: BrokerPlugin, _ client: String, _ symbol: String, _ side: TradeSide, _ shares: Int64,
                        _ type: OrderType = .market, tif: TimeInForce = .goodTillCanceled,
                        takeProfit: Double? = nil, stopLoss: Double? = nil) throws -> BrokerOrder {
        try paper.submit(OrderRequest(clientOrderID: client, symbol: symbol, side: side, type: type,
                                      quantity: Quantity(shares: shares), timeInForce: tif,
                                      takeProfitPrice: takeProfit, stopLossPrice: stopLoss))
    }

    private func orderID(_ number: Int) -> String { "paper-ord-" + String(format: "%06d", number) }

    private func order(_ paper: BrokerPlugin, _ number: Int) throws -> BrokerOrder {
        try paper.order(id: orderID(number))
    }

    /// updated_ns is not in BrokerOrder: read it from the ABI struct.
    private func updatedNs(_ paper: BrokerPlugin, _ number: Int) throws -> Int64 {
        var out = tbot_order_t()
        out.size = UInt32(MemoryLayout<tbot_order_t>.stride)
        var err = [CChar](repeating: 0, count: 256)
        let api = try XCTUnwrap(paper.instance.descriptor.functions).assumingMemoryBound(to: tbot_broker_api_t.self).pointee
        let status = orderID(number).withCString { api.get_order(paper.instance.handle, $0, &out, &err, 256) }
        XCTAssertEqual(status, TBOT_OK)
        return out.updated_ns
    }

    private func isShortable(_ paper: BrokerPlugin, _ symbol: String) throws -> Bool {
        let table = try XCTUnwrap(paper.instance.extensionTable(TBOT_EXT_BROKER_ASSETS))
            .assumingMemoryBound(to: tbot_broker_assets_t.self).pointee
        var out: Int32 = -1
        var err = [CChar](repeating: 0, count: 256)
        XCTAssertEqual(symbol.withCString { table.is_shortable(paper.instance.handle, $0, &out, &err, 256) }, TBOT_OK)
        return out == 1
    }

    private func loadProblem(_ params: [String: String]) -> String? {
        do {
            _ = try instance(params)
            return nil
        } catch {
            return (error as? PluginLoadFailure)?.problem ?? "\(error)"
        }
    }

    func testNewParametersAreValidated() {
        XCTAssertEqual(loadProblem(["allow_short": "yes"]),
                       "create returned NULL: invalid value 'yes' for allow_short: expected true or false")
        XCTAssertEqual(loadProblem(["max_volume_share": "10%"]),
                       "create returned NULL: invalid value '10%' for max_volume_share: expected a decimal (share of each bar's volume)")
        XCTAssertEqual(loadProblem(["max_volume_share": "1.5"]),
                       "self_check failed: max_volume_share (1.5) must be between 0 (unlimited) and 1")
        XCTAssertNil(loadProblem(["max_volume_share": "0.025", "allow_short": "true"]))
    }

    // MARK: trailing stops

    /// A sell trailing stop of 5% behind a long of 10 bought at 100: the water mark starts at
    /// the last close (100) and follows the highs; the stop fills where the low touches it.
    func testSellTrailingStopTrailsThenTriggers() throws {
        let paper = try broker([:])
        try flat(paper, "XYZ", minute: 0, 100)
        XCTAssertEqual(try submit(paper, "c1", "XYZ", .buy, 10).status, .filled)
        let trailing = try submit(paper, "c2", "XYZ", .sell, 10, .trailingStop(percent: 5))
        XCTAssertEqual(trailing.status, .new)
        // The open 101 lifts the mark first (stop 95.95); the low 99 does not reach it; the high
        // 104 then becomes the mark.
        try feed(paper, "XYZ", minute: 1, 101, 104, 99, 103)
        XCTAssertEqual(try order(paper, 2).status, .new)
        // Stop 98.8 from the mark 104. The high 110 moves the mark only after the low was
        // checked: the low 100 is below 104.5 (5% under 110) but above 98.8, so no trigger.
        try feed(paper, "XYZ", minute: 2, 103, 110, 100, 108)
        XCTAssertEqual(try order(paper, 2).status, .new)
        // A bar inside the band (low above 104.5, high below 110) changes nothing.
        try feed(paper, "XYZ", minute: 3, 108, 109.5, 105, 106)
        XCTAssertEqual(try order(paper, 2).status, .new)
        // Stop 104.5 from the mark 110: the low 104 touches it.
        try feed(paper, "XYZ", minute: 4, 108, 109, 104, 105)
        let filled = try order(paper, 2)
        XCTAssertEqual(filled.status, .filled)
        XCTAssertEqual(filled.averageFillPrice, 110.0 * (1 - 5.0 / 100))
        XCTAssertEqual(filled.averageFillPrice, 104.5)
        XCTAssertEqual(try updatedNs(paper, 2), day0 + 4 * minute)
        XCTAssertEqual(try paper.fills(since: 0).map(\.price), [100, 104.5])
        XCTAssertEqual(try paper.fills(since: 0).map(\.timeNanoseconds), [day0 + minute, day0 + 4 * minute])
        XCTAssertEqual(try paper.account().cash.units, 1_000_000_000 - 10_000_000 + 10_450_000)
        XCTAssertEqual(try paper.positions(), [])
    }

    func testTrailingStopsGapThroughFillAtTheOpen() throws {
        let paper = try broker(["slippage_bps": "10"])
        try flat(paper, "XYZ", minute: 0, 100)
        _ = try submit(paper, "c1", "XYZ", .buy, 10, .limit(price: 100))
        _ = try submit(paper, "c2", "XYZ", .sell, 10, .trailingStop(percent: 10))
        try feed(paper, "XYZ", minute: 1, 100, 120, 100, 118)   // the limit fills; the mark becomes 120
        XCTAssertEqual(try order(paper, 2).status, .new)
        try feed(paper, "XYZ", minute: 2, 100, 101, 99, 100)    // opens below the stop 108: sells at the open
        XCTAssertEqual(try order(paper, 2).averageFillPrice, 100 * (1 - 10.0 / 10_000))
        XCTAssertEqual(try order(paper, 2).averageFillPrice, 99.9)

        // A buy trailing stop of 2% follows the lows: from 50 (stop 51) the open 49 and the low
        // 45 take it to 45 (stop 45.9); the next bar opens at 47, above it: buys at 47 (+ slippage).
        try flat(paper, "ABC", minute: 3, 50)
        _ = try submit(paper, "c3", "ABC", .buy, 4, .trailingStop(percent: 2))
        try feed(paper, "ABC", minute: 4, 49, 49.5, 45, 46)
        XCTAssertEqual(try order(paper, 3).status, .new)
        try feed(paper, "ABC", minute: 5, 47, 48, 46.5, 47.5)
        XCTAssertEqual(try order(paper, 3).averageFillPrice, 47 * (1 + 10.0 / 10_000))
        XCTAssertEqual(try paper.fills(since: 0).map(\.price), [100, 99.9, 47.047])
    }

    func testTrailingStopNeedsATrailPercent() throws {
        let paper = try broker([:])
        try flat(paper, "XYZ", minute: 0, 100)
        for percent in [0, -1, 100, .nan] as [Double] {
            XCTAssertThrowsError(try submit(paper, "t\(percent)", "XYZ", .sell, 1, .trailingStop(percent: percent))) { error in
                XCTAssertEqual((error as? PluginCallError)?.statusName, "invalid argument")
                XCTAssertTrue((error as? PluginCallError)?.message.hasPrefix("trail_percent must be above 0 and below 100") ?? false)
            }
        }
    }

    // MARK: partial fills

    /// max_volume_share = 0.1: a MARKET buy of 250 fills 100, 120 and 30 shares on three bars
    /// of volume 1000, 1200 and 5000, each piece its own fill with its own fee.
    func testPartialFillsOverThreeBars() throws {
        let paper = try broker(["max_volume_share": "0.1", "fill_price": "next_open",
                                "commission_per_order": "1.00", "commission_per_share": "0.01"])
        try flat(paper, "XYZ", minute: 0, 100)
        let submitted = try submit(paper, "c1", "XYZ", .buy, 250)
        XCTAssertEqual(submitted.status, .new)
        XCTAssertEqual(try updatedNs(paper, 1), day0 + minute)

        try feed(paper, "XYZ", minute: 1, 101, 102, 100, 101.5, volume: 1000)
        var current = try order(paper, 1)
        XCTAssertEqual(current.status, .partiallyFilled)
        XCTAssertEqual(current.filledQuantity, Quantity(shares: 100))
        XCTAssertEqual(current.averageFillPrice, 101)
        XCTAssertEqual(try updatedNs(paper, 1), day0 + minute)

        try feed(paper, "XYZ", minute: 2, 102, 103, 101, 102.5, volume: 1200)
        current = try order(paper, 1)
        XCTAssertEqual(current.status, .partiallyFilled)
        XCTAssertEqual(current.filledQuantity, Quantity(shares: 220))
        XCTAssertEqual(current.averageFillPrice, (101.0 * 100 + 102.0 * 120) / 220, accuracy: 1e-12)
        XCTAssertEqual(try updatedNs(paper, 1), day0 + 2 * minute)

        try feed(paper, "XYZ", minute: 3, 103, 104, 102, 103.5, volume: 5000)
        current = try order(paper, 1)
        XCTAssertEqual(current.status, .filled)
        XCTAssertEqual(current.filledQuantity, Quantity(shares: 250))
        XCTAssertEqual(current.averageFillPrice, 101.72, accuracy: 1e-12)  // 25430 / 250
        XCTAssertEqual(try updatedNs(paper, 1), day0 + 3 * minute)

        let fills = try paper.fills(since: 0)
        XCTAssertEqual(fills.map(\.fillID), ["paper-fill-000001", "paper-fill-000002", "paper-fill-000003"])
        XCTAssertEqual(fills.map(\.quantity), [100, 120, 30].map { Quantity(shares: $0) })
        XCTAssertEqual(fills.map(\.price), [101, 102, 103])
        XCTAssertEqual(fills.map(\.fee.units), [20_000, 22_000, 13_000])  // 1.00 + 0.01 per share, per piece
        XCTAssertEqual(fills.map(\.timeNanoseconds), [1, 2, 3].map { day0 + $0 * minute })
        XCTAssertEqual(try paper.account().cash.units, 1_000_000_000 - 254_300_000 - 55_000)
        XCTAssertEqual(try paper.positions().map(\.quantity), [Quantity(shares: 250)])
    }

    /// Fills of one bar share its allowance in submission order; a MARKET order filled at the
    /// close takes what the bar's working orders left; a bar of volume 5 at 10% allows no
    /// whole share.
    func testOneBarsAllowanceIsSharedAndWholeSharesAreKept() throws {
        let paper = try broker(["max_volume_share": "0.1"])
        try flat(paper, "XYZ", minute: 0, 100, volume: 1000)
        _ = try submit(paper, "c1", "XYZ", .buy, 60, .limit(price: 100))
        _ = try submit(paper, "c2", "XYZ", .buy, 60, .limit(price: 100))
        try flat(paper, "XYZ", minute: 1, 99, volume: 1000)            // allowance 100: 60, then 40
        XCTAssertEqual(try [order(paper, 1).status, order(paper, 2).status], [.filled, .partiallyFilled])
        XCTAssertEqual(try order(paper, 2).filledQuantity, Quantity(shares: 40))
        let atClose = try submit(paper, "c3", "XYZ", .buy, 10)          // nothing left of this bar
        XCTAssertEqual(atClose.status, .new)
        XCTAssertEqual(atClose.filledQuantity, .zero)
        try flat(paper, "XYZ", minute: 2, 98, volume: 5)               // 0.5 shares allowed: none fills
        XCTAssertEqual(try order(paper, 3).filledQuantity, .zero)
        try flat(paper, "XYZ", minute: 3, 97, volume: 150)              // 15: 15 of the rest of order 2, then none
        XCTAssertEqual(try order(paper, 2).filledQuantity, Quantity(shares: 55))
        let immediate = try submit(paper, "c4", "XYZ", .buy, 30)        // nothing left of bar 3 either
        try flat(paper, "XYZ", minute: 4, 96, volume: 250)              // 25: 5, 10, then 10 of order 4
        XCTAssertEqual(immediate.status, .new)
        XCTAssertEqual(try paper.fills(since: 0).map(\.quantity),
                       [60, 40, 15, 5, 10, 10].map { Quantity(shares: $0) })
        XCTAssertEqual(try [2, 3, 4].map { try order(paper, $0).status }, [.filled, .filled, .partiallyFilled])
    }

    func testMarketOrderAtTheCloseFillsWhatTheLastBarAllows() throws {
        let paper = try broker(["max_volume_share": "0.05"])
        try flat(paper, "XYZ", minute: 0, 50, volume: 1000)              // 50 shares allowed
        let first = try submit(paper, "c1", "XYZ", .buy, 80)
        XCTAssertEqual(first.status, .partiallyFilled)
        XCTAssertEqual(first.filledQuantity, Quantity(shares: 50))
        XCTAssertEqual(first.averageFillPrice, 50)
        try feed(paper, "XYZ", minute: 1, 51, 52, 50, 51.5, volume: 1000) // the rest at the open
        XCTAssertEqual(try order(paper, 1).status, .filled)
        XCTAssertEqual(try order(paper, 1).averageFillPrice, (50.0 * 50 + 51.0 * 30) / 80, accuracy: 1e-12)
        XCTAssertEqual(try paper.fills(since: 0).map(\.price), [50, 51])
        // IOC: what the first chance does not fill is canceled at once.
        let ioc = try submit(paper, "c2", "XYZ", .sell, 70, tif: .immediateOrCancel)
        XCTAssertEqual(ioc.status, .canceled)
        XCTAssertEqual(ioc.filledQuantity, Quantity(shares: 20))          // 50 allowed, 30 taken at the open
        XCTAssertEqual(try paper.positions().map(\.quantity), [Quantity(shares: 60)])
    }

    func testCancelOfAPartiallyFilledOrderKeepsTheFilledPart() throws {
        let paper = try broker(["max_volume_share": "0.1", "fill_price": "next_open", "commission_per_order": "1.00"])
        try flat(paper, "XYZ", minute: 0, 100)
        _ = try submit(paper, "c1", "XYZ", .buy, 250)
        try feed(paper, "XYZ", minute: 1, 101, 102, 100, 101.5, volume: 1000)
        XCTAssertEqual(try order(paper, 1).status, .partiallyFilled)
        clock.advance(to: day0 + 2 * minute + 5_000_000_000)
        try paper.cancel(orderID: orderID(1))
        let canceled = try order(paper, 1)
        XCTAssertEqual(canceled.status, .canceled)
        XCTAssertEqual(canceled.filledQuantity, Quantity(shares: 100))
        XCTAssertEqual(canceled.averageFillPrice, 101)
        XCTAssertEqual(try updatedNs(paper, 1), day0 + 2 * minute + 5_000_000_000)  // the host clock
        try feed(paper, "XYZ", minute: 2, 102, 103, 101, 102.5, volume: 5000)
        XCTAssertEqual(try paper.fills(since: 0).map(\.quantity), [Quantity(shares: 100)])
        XCTAssertEqual(try paper.positions().map(\.quantity), [Quantity(shares: 100)])
        XCTAssertEqual(try paper.account().cash.units, 1_000_000_000 - 101_000_000 - 10_000)
        XCTAssertThrowsError(try paper.cancel(orderID: orderID(1))) { error in
            XCTAssertEqual((error as? PluginCallError)?.message, "order paper-ord-000001 is already canceled")
        }
    }

    func testDayExpiryEndsTheRestOfAPartialFill() throws {
        let paper = try broker(["max_volume_share": "0.1"])
        try flat(paper, "XYZ", minute: 0, 100)
        try flat(paper, "ABC", minute: 0, 20)
        _ = try submit(paper, "d1", "XYZ", .buy, 250, .limit(price: 100), tif: .day)
        _ = try submit(paper, "d2", "ABC", .buy, 500, tif: .day)         // 100 now, at the close
        XCTAssertEqual(try order(paper, 2).status, .partiallyFilled)
        try feed(paper, "XYZ", minute: 1, 99.5, 100, 99, 99.5, volume: 1000)
        XCTAssertEqual(try order(paper, 1).filledQuantity, Quantity(shares: 100))
        XCTAssertEqual(try order(paper, 1).averageFillPrice, 99.5)
        // The next day's first bar: the rest expired at midnight, before the bar could fill it.
        try feed(paper, "XYZ", at: midnight + 870 * minute, 98, 99, 97, 98, volume: 10_000)
        let expired = try order(paper, 1)
        XCTAssertEqual(expired.status, .expired)
        XCTAssertEqual(expired.filledQuantity, Quantity(shares: 100))
        XCTAssertEqual(try updatedNs(paper, 1), midnight)
        // No ABC bar came, but the host clock is past midnight: the MARKET rest expired too.
        let market = try order(paper, 2)
        XCTAssertEqual(market.status, .expired)
        XCTAssertEqual(market.filledQuantity, Quantity(shares: 100))
        XCTAssertEqual(try paper.fills(since: 0).map(\.quantity), [100, 100].map { Quantity(shares: $0) })
        XCTAssertEqual(try paper.positions().map(\.quantity), [100, 100].map { Quantity(shares: $0) })
    }

    /// A bracket entry that ends in part gets its legs for the part it filled.
    func testPartiallyFilledBracketEntryGetsLegsForWhatFilled() throws {
        let paper = try broker(["max_volume_share": "0.1", "fill_price": "next_open"])
        try flat(paper, "XYZ", minute: 0, 100)
        _ = try submit(paper, "b1", "XYZ", .buy, 150, takeProfit: 110, stopLoss: 90)
        try flat(paper, "XYZ", minute: 1, 100, volume: 1000)
        XCTAssertEqual(try order(paper, 1).status, .partiallyFilled)
        XCTAssertThrowsError(try order(paper, 2))
        try paper.cancel(orderID: orderID(1))
        XCTAssertEqual(try [order(paper, 2).quantity, order(paper, 3).quantity], [Quantity(shares: 100), Quantity(shares: 100)])
        XCTAssertEqual(try [order(paper, 2).clientOrderID, order(paper, 3).clientOrderID], ["b1-sl", "b1-tp"])
        // The stop leg sells 100 of a bar allowing 30: the target is canceled at its first piece.
        try feed(paper, "XYZ", minute: 2, 91, 92, 89, 90, volume: 300)
        XCTAssertEqual(try [order(paper, 2).status, order(paper, 3).status], [.partiallyFilled, .canceled])
        try feed(paper, "XYZ", minute: 3, 95, 96, 94, 95, volume: 1000)  // triggered: the rest at the open
        XCTAssertEqual(try order(paper, 2).status, .filled)
        XCTAssertEqual(try paper.fills(since: 0).map(\.price), [100, 90, 95])
        XCTAssertEqual(try paper.positions(), [])
    }

    // MARK: short selling

    func testShortSellingIsOffByDefault() throws {
        let paper = try broker([:])
        XCTAssertFalse(paper.hasCapability(TBOT_EXT_BROKER_SHORT_SELLING))
        XCTAssertFalse(try isShortable(paper, "XYZ"))
        try flat(paper, "XYZ", minute: 0, 100)
        let refused = try submit(paper, "c1", "XYZ", .sell, 5)
        XCTAssertEqual(refused.status, .rejected)
        XCTAssertEqual(refused.rejectReason, "cannot sell 5 XYZ: long position is 0 (short selling is off: allow_short = false)")
        XCTAssertEqual(try paper.account().buyingPower.units, 1_000_000_000)
    }

    /// allow_short: sell 100 at 50 with no position, then buy them back at 45.
    func testShortRoundTripKeepsCashAndEquityExact() throws {
        let paper = try broker(["allow_short": "true", "starting_cash": "10000", "commission_per_order": "1.00"])
        XCTAssertTrue(paper.hasCapability(TBOT_EXT_BROKER_SHORT_SELLING))
        XCTAssertTrue(try isShortable(paper, "XYZ"))
        XCTAssertFalse(try isShortable(paper, "not-a-ticker"))
        try flat(paper, "XYZ", minute: 0, 50)
        let short = try submit(paper, "s1", "XYZ", .sell, 100)
        XCTAssertEqual(short.status, .filled)
        var account = try paper.account()
        XCTAssertEqual(account.cash.description, "14999.00")       // proceeds credited, fee paid
        XCTAssertEqual(account.equity.description, "9999.00")      // 14999 - 5000 owed
        XCTAssertEqual(account.buyingPower.description, "4999.00") // 14999 - 2 * 5000
        var positions = try paper.positions()
        XCTAssertEqual(positions.map(\.quantity), [Quantity(units: -100 * Quantity.scale)])
        XCTAssertEqual(positions.map(\.marketValue.description), ["-5000.00"])
        XCTAssertEqual(positions.map(\.averageEntryPrice), [50])

        try flat(paper, "XYZ", minute: 1, 45)
        account = try paper.account()
        XCTAssertEqual(account.equity.description, "10499.00")
        XCTAssertEqual(account.buyingPower.description, "5999.00")
        positions = try paper.positions()
        XCTAssertEqual(positions.map(\.marketValue.description), ["-4500.00"])

        let cover = try submit(paper, "b1", "XYZ", .buy, 100)
        XCTAssertEqual(cover.status, .filled)
        XCTAssertEqual(cover.averageFillPrice, 45)
        account = try paper.account()
        XCTAssertEqual(account.cash.description, "10498.00")       // + 500 profit - 2 fees
        XCTAssertEqual(account.equity.description, "10498.00")
        XCTAssertEqual(try paper.positions(), [])
        XCTAssertEqual(try paper.fills(since: 0).map(\.side), [.sell, .buy])
    }

    /// A sell larger than the long closes it and opens a short with the rest; a buy larger
    /// than the short covers it and opens a long.
    func testOrdersThroughZeroFlipThePosition() throws {
        let paper = try broker(["allow_short": "true", "starting_cash": "10000"])
        try flat(paper, "XYZ", minute: 0, 100)
        _ = try submit(paper, "c1", "XYZ", .buy, 10)
        _ = try submit(paper, "c2", "XYZ", .sell, 30)
        XCTAssertEqual(try paper.positions().map(\.quantity), [Quantity(units: -20 * Quantity.scale)])
        try flat(paper, "XYZ", minute: 1, 90)
        _ = try submit(paper, "c3", "XYZ", .buy, 25)
        let position = try XCTUnwrap(paper.positions().first)
        XCTAssertEqual(position.quantity, Quantity(shares: 5))
        XCTAssertEqual(position.averageEntryPrice, 90)
        // Cash 10000 - 10 * 100 + 30 * 100 - 25 * 90; the short of 20 made (100 - 90) * 20.
        XCTAssertEqual(try paper.account().cash.description, "9750.00")
        XCTAssertEqual(try paper.account().equity.description, "10200.00")
    }

    func testBuyingPowerRejectsWhatTheAccountCannotAfford() throws {
        let paper = try broker(["allow_short": "true", "starting_cash": "10000"])
        try flat(paper, "XYZ", minute: 0, 100)
        try flat(paper, "ABC", minute: 0, 100)
        XCTAssertEqual(try submit(paper, "c1", "XYZ", .sell, 60).status, .filled)  // cash 16000, short 6000
        XCTAssertEqual(try paper.account().buyingPower.description, "4000.00")
        let moreShort = try submit(paper, "c2", "XYZ", .sell, 50)
        XCTAssertEqual(moreShort.status, .rejected)
        XCTAssertEqual(moreShort.rejectReason, "insufficient buying power: need 5000.00, have 4000.00")
        let long = try submit(paper, "c3", "ABC", .buy, 50)
        XCTAssertEqual(long.status, .rejected)
        XCTAssertEqual(long.rejectReason, "insufficient buying power: need 5000.00, have 4000.00")
        XCTAssertEqual(try submit(paper, "c4", "ABC", .buy, 40).status, .filled)  // exactly the buying power
        XCTAssertEqual(try paper.account().buyingPower.description, "0.00")
        // Covering needs cash, not buying power.
        XCTAssertEqual(try submit(paper, "c5", "XYZ", .buy, 60).status, .filled)
        XCTAssertEqual(try paper.account().cash.description, "6000.00")
        XCTAssertEqual(try paper.account().equity.description, "10000.00")
        XCTAssertEqual(try paper.fills(since: 0).count, 3)
    }

    // MARK: restart

    /// One scenario run twice, once without a restart and once with the instance destroyed
    /// and created again on the same state_file in the middle: a partial MARKET fill and a
    /// buy trailing stop continue exactly, with the same fills and fill ids.
    func testPartialFillAndTrailingStopContinueExactlyAfterARestart() throws {
        let folder = try OperatorFolder()
        let path = folder.root.appendingPathComponent("paper-state.json").path
        let params = ["max_volume_share": "0.1", "fill_price": "next_open", "commission_per_order": "0.50", "state_file": path]

        func firstHalf(_ paper: BrokerPlugin) throws {
            try flat(paper, "XYZ", minute: 0, 100)
            try flat(paper, "ABC", minute: 0, 50)
            XCTAssertEqual(try submit(paper, "c1", "XYZ", .buy, 250).status, .new)
            XCTAssertEqual(try submit(paper, "c2", "ABC", .buy, 20, .trailingStop(percent: 4)).status, .new)
            try feed(paper, "XYZ", minute: 1, 101, 102, 100, 101.5, volume: 1000)   // 100 of 250
            try feed(paper, "ABC", minute: 1, 49, 49.5, 46, 47)                      // mark 46, stop 47.84
        }
        func secondHalf(_ paper: BrokerPlugin) throws -> [BrokerOrder] {
            try feed(paper, "XYZ", minute: 2, 102, 103, 101, 102.5, volume: 1200)   // 120 more
            try feed(paper, "ABC", minute: 2, 46.5, 47.5, 45, 45.5)                  // 47.84 not reached; mark 45
            try feed(paper, "XYZ", minute: 3, 103, 104, 102, 103.5, volume: 5000)   // the last 30
            try feed(paper, "ABC", minute: 3, 46, 47, 45.5, 46.5)                    // stop 46.8 touched
            return try [order(paper, 1), order(paper, 2)]
        }

        let uninterrupted = try broker(params.filter { $0.key != "state_file" })
        try firstHalf(uninterrupted)
        let expectedOrders = try secondHalf(uninterrupted)
        let expectedFills = try uninterrupted.fills(since: 0)
        let expectedAccount = try uninterrupted.account()

        do {
            let paper = try broker(params)
            try firstHalf(paper)
            XCTAssertEqual(try order(paper, 1).status, .partiallyFilled)
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.contains("\"version\":2"), text)
        XCTAssertTrue(text.contains("\"water_mark\":46"), text)
        XCTAssertTrue(text.contains("\"status\":\"partially_filled\""), text)

        let restarted = try broker(params, clock: day0 + 2 * minute)
        XCTAssertEqual(try order(restarted, 1).filledQuantity, Quantity(shares: 100))
        let orders = try secondHalf(restarted)
        XCTAssertEqual(orders, expectedOrders)
        XCTAssertEqual(orders.map(\.status), [.filled, .filled])
        XCTAssertEqual(orders[1].averageFillPrice, 45.0 * (1 + 4.0 / 100))
        XCTAssertEqual(try restarted.fills(since: 0), expectedFills)
        XCTAssertEqual(expectedFills.map(\.fillID), (1...4).map { "paper-fill-00000\($0)" })
        XCTAssertEqual(expectedFills.map(\.price), [101, 102, 103, 45.0 * (1 + 4.0 / 100)])
        XCTAssertEqual(try restarted.account(), expectedAccount)
        // With nothing short, partial or trailing left, the file is version 1 again.
        XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).contains("\"version\":1"))
    }

    func testShortPositionSurvivesARestart() throws {
        let folder = try OperatorFolder()
        let path = folder.root.appendingPathComponent("paper-state.json").path
        let params = ["allow_short": "true", "starting_cash": "10000", "state_file": path]
        do {
            let paper = try broker(params)
            try flat(paper, "XYZ", minute: 0, 50)
            XCTAssertEqual(try submit(paper, "s1", "XYZ", .sell, 100).status, .filled)
        }
        let restarted = try broker(params, clock: day0 + minute)
        XCTAssertEqual(try restarted.positions().map(\.quantity), [Quantity(units: -100 * Quantity.scale)])
        XCTAssertEqual(try restarted.account().equity.description, "10000.00")
        XCTAssertEqual(try restarted.account().buyingPower.description, "5000.00")
        XCTAssertEqual(try submit(restarted, "b1", "XYZ", .buy, 100).averageFillPrice, 50)
        XCTAssertEqual(try restarted.account().cash.description, "10000.00")
    }
}

import Foundation
import XCTest
@testable import TBotCore

/// The demo pipeline with the real bundled plugins: strategy -> filter -> sizing -> paper broker.
final class PipelineTests: XCTestCase {
    private func bundledFolder() throws -> OperatorFolder {
        let folder = try OperatorFolder()
        try folder.install("tbot_sma_cross_c")
        try folder.install("tbot_sma_cross_swift")
        try folder.install("tbot_price_band_filter")
        try folder.install("tbot_paper_broker")
        try folder.writeDemoStrategy(id: "sma_cross_c", library: "libtbot_sma_cross_c.so")
        try folder.writeDemoStrategy(id: "sma_cross_swift", library: "libtbot_sma_cross_swift.so")
        try folder.writeDemoAccount(modules: 2)
        try folder.writeManifest(id: "price_band", library: "libtbot_price_band_filter.so", kind: "filter")
        try folder.writeManifest(id: "paper_broker", library: "libtbot_paper_broker.so", kind: "broker",
                                 params: "starting_cash = \"100000.00\"")
        return folder
    }

    private func runDemo(_ folder: OperatorFolder, strategy: String = "sma_cross_c", seed: UInt64 = 20240102) throws -> PaperDemo.Report {
        var demo = PaperDemo()
        demo.strategyID = strategy
        demo.market.seed = seed
        let clock = SimulatedClock(startNanoseconds: demo.market.openNanoseconds)
        let catalog = folder.catalog(environment: TestHost.environment(clock: clock))
        return try demo.run(catalog: catalog, config: .defaults, clock: clock)
    }

    /// The session's trading lines: from the session header on, without the budget setup lines.
    private func trading(_ lines: [String]) -> [String] {
        Array(lines.drop { !$0.hasPrefix("session ") }.filter { !$0.hasPrefix("budgets: ") })
    }

    func testDemoIsDeterministicAndBalances() throws {
        let first = try runDemo(try bundledFolder())
        let second = try runDemo(try bundledFolder())
        XCTAssertEqual(trading(first.lines), trading(second.lines), "same seed, same transcript")
        XCTAssertEqual(first.counts.bars, 390)
        XCTAssertEqual(first.counts.intents, 18)
        // MAX_TRADES (4 a session) ends the day's entries; the later entry intents are risk rejections.
        XCTAssertEqual(first.counts.fills, 8)
        XCTAssertEqual(first.counts.riskRejections, 5)
        XCTAssertEqual(first.wins + first.losses, 4)
        XCTAssertEqual(first.realized.description, "116.15")
        // Flat at the end: cash is the opening cash plus realized P&L, to the 1/10000.
        XCTAssertEqual(first.finalCash, Money(units: 1_000_000_000) + first.realized)
        XCTAssertEqual(first.finalEquity, first.finalCash)
        XCTAssertEqual(first.lines.last, "summary: bars 390, intents 18, blocked 0, orders 8 (0 rejected), risk rejections 5, "
            + "budget rejections 0, approvals queued 0, fills 8, "
            + "round trips 4 (2 won, 2 lost), realized P&L 116.15, fees 0.00, cash 100116.15, equity 100116.15")
        XCTAssertEqual(first.lines.filter { $0.contains("risk reject SYNTH SESSION_TRADE_LIMIT (rank 1 fallback 0): the session has used all MAX_TRADES 4 trades") }.count, 5)
    }

    func testSwiftStrategyTradesTheSameDayIdentically() throws {
        let c = try runDemo(try bundledFolder())
        let swift = try runDemo(try bundledFolder(), strategy: "sma_cross_swift")
        XCTAssertEqual(swift.realized, c.realized)
        XCTAssertEqual(trading(swift.lines).map { $0.replacingOccurrences(of: "sma_cross_swift", with: "sma_cross_c") }, trading(c.lines))
    }

    func testDifferentSeedGivesADifferentDay() throws {
        XCTAssertNotEqual(try runDemo(try bundledFolder(), seed: 1).lines.last, try runDemo(try bundledFolder()).lines.last)
    }

    func testFilterBlockStopsTheOrder() throws {
        let folder = try bundledFolder()
        try folder.writeManifest(id: "price_band", library: "libtbot_price_band_filter.so", kind: "filter",
                                 params: "min_price = 60\nmax_price = 100")
        let report = try runDemo(folder)
        XCTAssertEqual(report.counts.orders, 0)
        XCTAssertEqual(report.counts.blocked, 9, "every entry is blocked; exits find no position")
        XCTAssertTrue(report.lines.contains("2024-01-02T14:55:00Z   filter price_band block: entry 49.99 below min_price 60.00"))
        XCTAssertTrue(report.lines.contains("2024-01-02T15:31:00Z   skip SYNTH: no open position to exit"))
    }

    func testMissingBrokerIsAClearError() throws {
        let folder = try bundledFolder()
        try FileManager.default.removeItem(atPath: folder.manifestPath("paper_broker.toml"))
        XCTAssertThrowsError(try runDemo(folder)) { error in
            XCTAssertEqual("\(error)", "plugin paper_broker is not loaded: no manifest: disabled until `tbot plugins enable paper_broker`")
        }
    }
}

/// The paper broker through the broker table.
final class PaperBrokerTests: XCTestCase {
    private func broker(_ params: [ManifestParameter] = []) throws -> BrokerPlugin {
        try XCTUnwrap(BrokerPlugin(TestHost.instance("tbot_paper_broker", parameters: params)))
    }

    private func bar(_ symbol: String, close: Double) -> Bar {
        Bar(symbol: symbol, startNanoseconds: 0, intervalSeconds: 60, open: close, high: close, low: close, close: close, volume: 1)
    }

    func testMarketOrderFillsAtTheLastCloseWithExactCash() throws {
        let paper = try broker([.init(key: "starting_cash", value: "10000"), .init(key: "commission_per_order", value: "1.25")])
        XCTAssertTrue(paper.isSimulated)
        try paper.marketBar(bar("AAPL", close: 150.25))
        let order = try paper.submit(OrderRequest(clientOrderID: "c1", symbol: "AAPL", side: .buy, type: .market, quantity: Quantity(shares: 10)))
        XCTAssertEqual(order.status, .filled)
        XCTAssertEqual(order.orderID, "paper-ord-000001")
        XCTAssertEqual(order.clientOrderID, "c1")
        XCTAssertEqual(order.filledQuantity, Quantity(shares: 10))
        XCTAssertEqual(order.averageFillPrice, 150.25)
        let account = try paper.account()
        XCTAssertEqual(account.cash.description, "8496.25")
        XCTAssertEqual(account.equity.description, "9998.75")
        XCTAssertEqual(account.currency, "USD")
        let fills = try paper.fills(since: 0)
        XCTAssertEqual(fills.map(\.fillID), ["paper-fill-000001"])
        XCTAssertEqual(fills[0].fee.description, "1.25")
        XCTAssertEqual(try paper.positions().map(\.symbol), ["AAPL"])
        XCTAssertEqual(try paper.positions()[0].quantity, Quantity(shares: 10))
    }

    func testRejectionsCarryTheBrokersReason() throws {
        let paper = try broker([.init(key: "starting_cash", value: "100"), .init(key: "fractional", value: "false")])
        let unseen = try paper.submit(OrderRequest(clientOrderID: "c1", symbol: "XYZ", side: .buy, type: .market, quantity: Quantity(shares: 1)))
        XCTAssertEqual(unseen.status, .rejected)
        XCTAssertEqual(unseen.rejectReason, "no market price for XYZ yet")
        try paper.marketBar(bar("XYZ", close: 60))
        let tooBig = try paper.submit(OrderRequest(clientOrderID: "c2", symbol: "XYZ", side: .buy, type: .market, quantity: Quantity(shares: 2)))
        XCTAssertEqual(tooBig.rejectReason, "insufficient cash: need 120.00, have 100.00")
        // A limit order rests until a later bar touches it (Tests/TBotTests/PaperBrokerFillModelTests.swift).
        let limit = try paper.submit(OrderRequest(clientOrderID: "c3", symbol: "XYZ", side: .buy, type: .limit(price: 59), quantity: Quantity(shares: 1)))
        XCTAssertEqual(limit.status, .new)
        XCTAssertFalse(try paper.supportsFractional("XYZ"))
        XCTAssertEqual(try paper.minimumOrder("XYZ"), OrderMinimum(quantity: Quantity(shares: 1), notional: Money(units: 10_000)))
        XCTAssertTrue(try paper.isTradable("BRK.B"))
        XCTAssertFalse(try paper.isTradable("not a symbol"))
    }
}

/// Exact fixed-point money and quantities.
final class MoneyTests: XCTestCase {
    func testConversionFromMarketPriceIsExact() {
        XCTAssertEqual(Money.value(of: Quantity(shares: 3), at: 0.1).units, 3_000)
        XCTAssertEqual(Money.value(of: Quantity(units: 200_040_008_001), at: 49.99).description, "10000.00")
        XCTAssertEqual(Money.value(of: Quantity(shares: 1), at: 1234.56785).units, 12_345_678, "half-even at the 1/10000")
    }

    func testTextParsingIsStrict() {
        XCTAssertEqual(Money(text: "1234.56")?.units, 12_345_600)
        XCTAssertEqual(Money(text: "-0.5")?.units, -5_000)
        for bad in ["12abc", "1,000", "1e3", ".5", "5.", " 5", ""] { XCTAssertNil(Money(text: bad), bad) }
    }

    func testLargeAmountsStayExact() {
        let big = Money(Decimal(string: "900000000000000.1234")!)
        XCTAssertEqual(big.units, 9_000_000_000_000_001_234)
        XCTAssertEqual(Quantity(truncating: Decimal(string: "1.9999999999")!).units, 1_999_999_999)
        XCTAssertEqual(Quantity(units: 1_500_000_000).description, "1.5")
        XCTAssertEqual(Quantity(shares: 7).description, "7")
    }
}

import Foundation
import XCTest
@testable import TBotCore
import TBotPluginAPI

/// Fills, fees and slippage become balanced postings whose balances agree with the broker.
final class LedgerPostingTests: XCTestCase {
    private let identity = LedgerIdentity(entity: "TBOT", jurisdiction: "US", broker: "PAPER", bot: "001")
    private var folder: OperatorFolder!

    override func setUpWithError() throws { folder = try OperatorFolder() }
    override func tearDown() { folder = nil }

    private func poster() throws -> LedgerPoster {
        let ledger = try Ledger(path: folder.root.appendingPathComponent("l.db").path, mode: .paper, identity: identity)
        return try LedgerPoster(ledger: ledger, brokerCode: "PAPER", brokerID: "paper_broker")
    }

    private func fill(_ id: Int, _ side: TradeSide, _ shares: Int64, _ price: Double, fee: Int64 = 0) -> BrokerFill {
        TestFills.fill(id, side, shares, price, fee: fee)
    }

    private func balances(_ ledger: Ledger) throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try ledger.trialBalance().map { ($0.account.code, $0.balance.exactDescription) })
    }

    func testRoundTripWithFeesAndSlippagePostsExactBalances() throws {
        let poster = try poster()
        var book = PositionBook(uuidNamespace: "t")
        try poster.postOpeningBalance(Money(units: 100_000_000), at: 0)
        let buy = fill(1, .buy, 10, 100.05, fee: 12_500)
        try poster.post(fill: buy, outcome: book.apply(buy, strategy: "s"), context: .init(strategy: "s", expectedPrice: 100.0), book: &book, at: 1)
        let sell = fill(2, .sell, 10, 101.0, fee: 12_500)
        let outcome = book.apply(sell, strategy: "s")
        let posted = try poster.post(fill: sell, outcome: outcome, context: .init(strategy: "s", expectedPrice: 101.1), book: &book, at: 2)
        XCTAssertEqual(posted.map(\.transaction.kind), [.fill, .fee, .slippage])

        let ledger = poster.ledger
        XCTAssertEqual(try balances(ledger), [
            "Assets:Brokers:PAPER:Cash": "10007.0000",      // 10000 - 1000.50 - 1.25 + 1010 - 1.25
            "Equity:OpeningBalance": "-10000.0000",
            "Expenses:BrokerFees:PAPER": "2.5000",
            "Expenses:Slippage:PAPER": "1.5000",             // 0.50 on the buy, 1.00 on the sell
            "Income:RealizedGains:PAPER": "-11.0000",        // 1011 planned proceeds - 1000 booked at the planned price
        ])
        XCTAssertEqual(outcome.realized, Money(units: 100_000), "1010 - 1000, the buy booked at its planned price")
        XCTAssertEqual(book.realized, Money(units: 110_000))
        XCTAssertEqual(outcome.netResult, Money(units: 70_000), "net of both fees and the buy's slippage: the cash gained")
        XCTAssertNil(book.holdings["SPY"])
        XCTAssertEqual(try ledger.verify(), [])

        let fills = try ledger.transactions().filter { $0.transaction.kind == .fill }
        XCTAssertEqual(fills.map(\.transaction.type), [.buy, .sell])
        XCTAssertEqual(fills[0].transaction.audit.tradeUUID, fills[1].transaction.audit.tradeUUID)
        XCTAssertEqual(fills[1].transaction.audit.entryPrice, Decimal(string: "100.05"))
        XCTAssertEqual(fills[1].transaction.audit.exitPrice, Decimal(string: "101"))
        XCTAssertEqual(fills[1].transaction.audit.brokerConfirmation, "f2")
        XCTAssertTrue(try ledger.hasFill(broker: "paper_broker", confirmation: "f1"))
    }

    func testOpenPositionIsRebuiltFromTheLedger() throws {
        let poster = try poster()
        var book = PositionBook(uuidNamespace: "t")
        let buy = fill(1, .buy, 10, 50, fee: 10_000)
        try poster.post(fill: buy, outcome: book.apply(buy, strategy: "sma"), context: .init(strategy: "sma"), book: &book, at: 1)
        let partial = fill(2, .sell, 4, 51)
        try poster.post(fill: partial, outcome: book.apply(partial, strategy: "sma"), context: .init(strategy: "sma"), book: &book, at: 2)
        let rebuilt = try LedgerBookLoader.book(from: poster.ledger, brokerCode: "PAPER", brokerID: "paper_broker", uuidNamespace: "t")
        XCTAssertEqual(rebuilt.holdings["SPY"], book.holdings["SPY"])
        XCTAssertEqual(rebuilt.holdings["SPY"]?.quantity, Quantity(shares: 6))
        XCTAssertEqual(rebuilt.holdings["SPY"]?.bookValue, Money(units: 3_000_000))
    }

    func testDemoSessionBooksAgreeWithTheBroker() throws {
        let folder = try OperatorFolder()
        for (id, product, kind) in [("sma_cross_c", "tbot_sma_cross_c", "strategy"), ("paper_broker", "tbot_paper_broker", "broker")] {
            try folder.install(product)
            try folder.writeManifest(id: id, library: "lib\(product).so", kind: kind, params: id == "paper_broker" ? "commission_per_order = \"0.35\"" : "")
        }
        let market = SyntheticMarket()
        let clock = SimulatedClock(startNanoseconds: market.openNanoseconds)
        let catalog = folder.catalog(environment: TestHost.environment(clock: clock))
        let strategy = try XCTUnwrap(StrategyPlugin(XCTUnwrap(catalog.entry(id: "sma_cross_c")?.instance)))
        let broker = try XCTUnwrap(BrokerPlugin(XCTUnwrap(catalog.entry(id: "paper_broker")?.instance)))
        let poster = try poster()
        try poster.postOpeningBalance(try broker.account().cash, at: clock.nowNanoseconds)
        let pipeline = TradingPipeline(strategy: strategy, filters: [], broker: broker, risk: try TestRisk.engine(brokers: [broker.id]),
                                       clock: clock, poster: poster)
        let bars = market.bars()
        pipeline.run(session: SessionWindow(name: "demo", startNanoseconds: bars[0].startNanoseconds, endNanoseconds: bars.last!.endNanoseconds), bars: bars)

        let balances = try poster.ledger.trialBalance()
        let cash = balances.first { $0.account.code == "Assets:Brokers:PAPER:Cash" }?.balance
        XCTAssertEqual(cash, try broker.account().cash, "the books and the broker agree to the 1/10000")
        XCTAssertNil(balances.first { $0.account.code == "Assets:Brokers:PAPER:Positions" }, "flat at the end")
        let fees = balances.first { $0.account.code == "Expenses:BrokerFees:PAPER" }?.balance
        XCTAssertEqual(fees, Money(units: 8 * 3_500))
        XCTAssertEqual(pipeline.tradeRecords.count, 4, "MAX_TRADES 4 entries in the session")
        XCTAssertEqual(pipeline.tradeRecords.reduce(Money.zero) { $0 + ($1.pnl ?? .zero) }, try broker.account().cash - Money(units: 1_000_000_000))
        XCTAssertEqual(try poster.ledger.verify(), [])
    }
}

import Foundation
import XCTest
@testable import TBotCore

/// The risk engine inside the real pipeline: a ranked-pool strategy and the paper broker,
/// both real .so files, walking the pool, falling back, halting, tagging and routing.
final class RiskPipelineTests: XCTestCase {
    /// 2024-01-02T14:30:00Z, a Tuesday.
    private let open: Int64 = 1_704_205_800 * 1_000_000_000
    private let minute: Int64 = 60_000_000_000

    private func pipeline(pool: String, trigger: String, side: String = "buy", limits: RiskLimits,
                          flagFile: ((String) -> URL)? = nil) throws -> TradingPipeline {
        let folder = try OperatorFolder()
        try folder.install("tbot_fixture_ranked_pool")
        try folder.install("tbot_paper_broker")
        try folder.writeManifest(id: "paper_broker", library: "libtbot_paper_broker.so", kind: "broker", params: "starting_cash = \"50000.00\"")
        try folder.writeManifest(id: "fixture_ranked_pool", library: "libtbot_fixture_ranked_pool.so", kind: "strategy",
                                 params: "trigger = \"\(trigger)\"\npool = \"\(pool)\"\nside = \"\(side)\"")
        let clock = SimulatedClock(startNanoseconds: open)
        let catalog = folder.catalog(environment: TestHost.environment(clock: clock))
        let strategy = try XCTUnwrap(StrategyPlugin(XCTUnwrap(catalog.entry(id: "fixture_ranked_pool")?.instance)))
        let broker = try XCTUnwrap(BrokerPlugin(XCTUnwrap(catalog.entry(id: "paper_broker")?.instance)))
        let risk = try TestRisk.engine(limits: limits, brokers: [broker.id], capital: Money(units: 1_000_000_000), flagFile: flagFile)
        return TradingPipeline(strategy: strategy, filters: [], broker: broker, risk: risk, clock: clock)
    }

    /// One-minute bars, symbols interleaved in time order; `closes[symbol][i]` is minute i.
    private func bars(_ closes: [String: [Double]], from start: Int64) -> [Bar] {
        let count = closes.values.map(\.count).max() ?? 0
        return (0..<count).flatMap { i in
            closes.keys.sorted().compactMap { symbol -> Bar? in
                guard let close = closes[symbol]?[safe: i] else { return nil }
                return Bar(symbol: symbol, startNanoseconds: start + Int64(i) * minute, intervalSeconds: 60,
                           open: close, high: close, low: close, close: close, volume: 2_000_000)
            }
        }
    }

    private func window(_ name: String, from start: Int64, minutes: Int64) -> SessionWindow {
        SessionWindow(name: name, startNanoseconds: start, endNanoseconds: start + minutes * minute)
    }

    private func riskLines(_ pipeline: TradingPipeline) -> [String] {
        pipeline.transcript.filter { $0.contains("  risk ") }.map { String($0.drop { $0 != " " }.dropFirst()) }
    }

    func testFallbackCyclesThroughSeveralRejectionsAndTheHistoryRecordsTheLevel() throws {
        var limits = RiskLimits.defaults
        limits.maxTrades = 2
        limits.weights = [Decimal(string: "0.6")!, Decimal(string: "0.4")!]
        // GHOSTA and GHOSTB carry an entry price but the broker has never seen a bar of them:
        // it rejects their orders. BAD1 is not a ticker the paper broker trades.
        let pipeline = try pipeline(pool: "AAA@40,GHOSTA@50,GHOSTB@50,BAD1@10,BBB@20,CCC@30", trigger: "BBB", limits: limits)
        pipeline.run(session: window("open", from: open, minutes: 5),
                     bars: bars(["AAA": [40, 40, 40], "BBB": [20, 20, 20], "CCC": [30, 30, 30]], from: open))

        XCTAssertEqual(riskLines(pipeline), [
            "  risk approve AAA 250 shares risk 100.00 (rank 1 fallback 0)",
            "  risk reject GHOSTA ORDER_REJECTED (rank 2 fallback 0): broker paper_broker rejected the order: no market price for GHOSTA yet",
            "  risk reject GHOSTB ORDER_REJECTED (rank 3 fallback 1): broker paper_broker rejected the order: no market price for GHOSTB yet",
            "  risk reject BAD1 NOT_TRADABLE (rank 4 fallback 2): broker paper_broker says BAD1 is not tradable now",
            "  risk approve BBB 500 shares risk 100.00 (rank 5 fallback 2)",
        ], pipeline.transcript.joined(separator: "\n"))
        // The closed trades (flattened at the session end) carry the level their entry used.
        let closed = pipeline.tradeRecords.filter { $0.errorCode == nil }
        XCTAssertEqual(closed.map(\.ticker), ["AAA", "BBB"])
        XCTAssertEqual(closed.map(\.fallbackLevel), [0, 2])
        let rejected = pipeline.tradeRecords.filter { $0.errorCode == "ORDER_REJECTED" }
        XCTAssertEqual(rejected.map(\.ticker), ["GHOSTA", "GHOSTB"])
        XCTAssertEqual(rejected.map(\.fallbackLevel), [0, 1])
        let csv = TradeHistoryWriter.csvText(pipeline.tradeRecords)
        XCTAssertTrue(csv.contains(",BBB,long,500,20,20,0.00,paper_broker,paper,,"), csv)
        XCTAssertTrue(csv.split(separator: "\n").contains { $0.contains(",BBB,") && $0.hasSuffix(",2") }, csv)

        let decisions = try pipeline.risk.journal.decisions()
        XCTAssertEqual(decisions.map(\.poolRank), [1, 2, 3, 4, 5])
        XCTAssertEqual(decisions.map(\.fallbackLevel), [0, 0, 1, 2, 2])
        XCTAssertEqual(decisions.last?.checks.map(\.rule).suffix(5), ["WEIGHTS", "MAX_RISK_PER_TRADE", "SIZE", "BROKER_MINIMUM", "MAX_PORTFOLIO_HEAT"])
        XCTAssertEqual(decisions.last?.checks.first { $0.rule == "WEIGHTS" }?.detail, "weight 40% of session cap 1000.00 = 400.00")
    }

    func testKillSwitchHaltsTheBrokerForTheDayAndWritesTheShutdownFlag() throws {
        var limits = RiskLimits.defaults
        limits.dailyLossLimit = Decimal(string: "0.001")! // 50.00 of a 50000.00 float
        let flags = FileManager.default.temporaryDirectory.appendingPathComponent("tbot-flags-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: flags) }
        let pipeline = try pipeline(pool: "AAA@40", trigger: "AAA", limits: limits,
                                    flagFile: { flags.appendingPathComponent("shutdown_flag_\($0).json") })
        // Bought at 40, flattened at 39: 250 shares lose 250.00.
        pipeline.run(session: window("open", from: open, minutes: 3), bars: bars(["AAA": [40, 39.5, 39]], from: open))
        let text = pipeline.transcript.joined(separator: "\n")
        XCTAssertTrue(text.contains("kill switch: broker paper_broker halted for the day: realized loss 250.00 today exceeds "
            + "DAILY_LOSS_LIMIT 0.1% of float 50000.00 (50.00)"), text)
        let flag = try XCTUnwrap(ShutdownFlag.read(flags.appendingPathComponent("shutdown_flag_paper_broker.json")))
        XCTAssertEqual(flag.broker, "paper_broker")
        XCTAssertEqual(flag.firedAt, "2024-01-02T14:33:00Z", "at the session end's flatten")
        XCTAssertTrue(flag.reason.hasPrefix("realized loss 250.00 today"))

        // A later session the same day: every entry is refused; the next day trades again.
        pipeline.run(session: window("mid", from: open + 60 * minute, minutes: 3), bars: bars(["AAA": [39, 39, 39]], from: open + 60 * minute))
        XCTAssertEqual(riskLines(pipeline).last, "  risk reject AAA KILL_SWITCH (rank 1 fallback 0): broker paper_broker is halted for the day: "
            + flag.reason)
        let nextDay = open + 1440 * minute
        pipeline.run(session: window("open", from: nextDay, minutes: 3), bars: bars(["AAA": [39, 39, 39]], from: nextDay))
        XCTAssertTrue(riskLines(pipeline).last?.hasPrefix("  risk approve AAA") ?? false, riskLines(pipeline).joined(separator: "\n"))
        XCTAssertEqual(try pipeline.risk.journal.killSwitchEvents().count, 1)
    }

    func testDefenseModeCutsTheSessionAndTagsEveryTrade() throws {
        var limits = RiskLimits.defaults
        limits.defense.forced = true
        let pipeline = try pipeline(pool: "AAA@40,BBB@20,CCC@30", trigger: "CCC", limits: limits)
        pipeline.run(session: window("open", from: open, minutes: 3),
                     bars: bars(["AAA": [40, 40, 40], "BBB": [20, 20, 20], "CCC": [30, 30, 30]], from: open))
        // 4 trades become floor(4 x 0.66) = 2 and 3 concurrent positions 1: the first candidate
        // holds the broker's only slot, so the others are refused.
        XCTAssertEqual(pipeline.risk.inForce.maxTrades, 2)
        XCTAssertEqual(pipeline.risk.inForce.maxConcurrentPerBroker, 1)
        XCTAssertEqual(riskLines(pipeline), [
            "  risk reject BBB BROKER_CONCURRENCY (rank 2 fallback 0): 1 positions are open at paper_broker; MAX_CONCURRENT_TRADES_PER_BROKER is 1",
            "  risk reject CCC BROKER_CONCURRENCY (rank 3 fallback 0): 1 positions are open at paper_broker; MAX_CONCURRENT_TRADES_PER_BROKER is 1",
            "  risk approve AAA 250 shares risk 100.00 (rank 1 fallback 0) DEFENSE_MODE_ACTIVE",
        ], pipeline.transcript.joined(separator: "\n"))
        XCTAssertEqual(try pipeline.risk.journal.decisions().first { $0.symbol == "AAA" }?.checks.first { $0.rule == "WEIGHTS" }?.detail,
                       "weight 100% of session cap 500.00 = 500.00", "1% of the 50000.00 float")
        XCTAssertTrue(pipeline.transcript.contains { $0.contains("notify CRITICAL defense_mode: Defense Mode activated: DEFENSE_MODE_ACTIVE=true in the configuration") })
        let closed = pipeline.tradeRecords.filter { $0.errorCode == nil }
        XCTAssertEqual(closed.count, 1)
        XCTAssertTrue(closed.allSatisfy { $0.tags.contains("DEFENSE_MODE_ACTIVE") }, "\(closed.map(\.tags))")
        let log = try pipeline.risk.journal.defenseLog()
        XCTAssertEqual(log.map(\.event), [.activated])
        XCTAssertEqual(log.first?.limits.totalAllocation, Decimal(string: "0.01"))
        XCTAssertEqual(log.first?.limits.weights, [Decimal(string: "0.6")!, Decimal(string: "0.4")!])
    }

    func testBearishIntentIsRoutedToTheInverseETFInTheMidSession() throws {
        let pipeline = try pipeline(pool: "SPY@47", trigger: "SPY", side: "sell", limits: .defaults)
        pipeline.run(session: window("mid", from: open + 60 * minute, minutes: 3),
                     bars: bars(["SH": [12.5, 12.5, 12.5], "SPY": [47, 47, 47]], from: open + 60 * minute))
        XCTAssertEqual(riskLines(pipeline), ["  risk approve SPY->SH 800 shares risk 100.00 (rank 1 fallback 0)"],
                       pipeline.transcript.joined(separator: "\n"))
        XCTAssertTrue(pipeline.transcript.contains { $0.contains("order paper-ord-000001 BUY 800 SH market: FILLED") })
        let decision = try XCTUnwrap(pipeline.risk.journal.decisions().first)
        XCTAssertEqual(decision.checks.first { $0.rule == "SHORT_TYPE" }?.detail, "bearish intent routed as InverseETF SPY->SH")

        // The open session routes bearish intents as LongPut, which this host cannot place.
        let other = try self.pipeline(pool: "SPY@47", trigger: "SPY", side: "sell", limits: .defaults)
        other.run(session: window("open", from: open, minutes: 2), bars: bars(["SPY": [47, 47]], from: open))
        XCTAssertEqual(riskLines(other), ["  risk reject SPY LONG_PUT_UNAVAILABLE (rank 1 fallback 0): SHORT_TYPE is LongPut for SPY "
            + "but broker paper_broker does not declare options support"])
    }
}

private extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

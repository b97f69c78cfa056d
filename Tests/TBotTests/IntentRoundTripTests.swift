import Foundation
import XCTest
@testable import TBotCore
import TBotPluginAPI

/// Intents cross the C ABI intact: the C and the Swift strategy, fed the same bars, deliver
/// the same intents to the host, every field.
final class IntentRoundTripTests: XCTestCase {
    private let parameters: [ManifestParameter] = [
        .init(key: "fast", value: "2"), .init(key: "slow", value: "3"),
        .init(key: "stop_pct", value: "0.01"), .init(key: "target_pct", value: "0.02"),
    ]

    /// Closes chosen so the fast SMA (2) crosses above the slow SMA (3) at bar 5 and below at bar 7.
    // The fast average starts below the slow one (a last non-zero difference to cross from),
    // crosses above at 10.01 and back below at 9.8.
    private let closes: [Double] = [10, 10, 9.99, 9.99, 10.01, 10, 9.8, 9.8]

    private func bars(_ symbol: String = "SPY") -> [Bar] {
        closes.enumerated().map { index, close in
            Bar(symbol: symbol, startNanoseconds: Int64(index) * 60_000_000_000, intervalSeconds: 60,
                open: close, high: close, low: close, close: close, volume: 1000)
        }
    }

    private func run(_ product: String) throws -> [[TradeIntent]] {
        let strategy = try XCTUnwrap(StrategyPlugin(TestHost.instance(product, parameters: parameters)))
        try strategy.sessionStart(SessionWindow(name: "open", startNanoseconds: 0, endNanoseconds: .max))
        return try bars().map { try strategy.onBar($0) }
    }

    func testCStrategyIntentsArriveWithEveryField() throws {
        let perBar = try run("tbot_sma_cross_c")
        XCTAssertEqual(perBar.map(\.count), [0, 0, 0, 0, 1, 0, 1, 0])
        let fast = (9.99 + 10.01) / 2, slow = (9.99 + 9.99 + 10.01) / 3
        let enter = perBar[4][0]
        XCTAssertEqual(enter.strategyID, "sma_cross_c")
        XCTAssertEqual(enter.action, .enter)
        XCTAssertEqual(enter.side, .buy)
        XCTAssertEqual(enter.rank, 1)
        XCTAssertEqual(enter.symbol, "SPY")
        XCTAssertEqual(enter.entryPrice, 10.01)
        XCTAssertEqual(enter.stopPrice, 10.01 * (1 - 0.01), accuracy: 1e-12)
        XCTAssertEqual(enter.targetPrice, 10.01 * (1 + 0.02), accuracy: 1e-12)
        XCTAssertEqual(enter.confidence, min(1, abs(fast - slow) / slow * 100), accuracy: 1e-12)
        XCTAssertEqual(enter.tag, "sma_cross_up")

        let exit = perBar[6][0]
        XCTAssertEqual(exit.action, .exit)
        XCTAssertEqual(exit.side, .sell)
        XCTAssertEqual(exit.rank, 1)
        XCTAssertEqual(exit.symbol, "SPY")
        XCTAssertEqual(exit.entryPrice, 9.8)
        XCTAssertEqual(exit.stopPrice, 0)
        XCTAssertEqual(exit.targetPrice, 0)
        XCTAssertEqual(exit.tag, "sma_cross_down")
    }

    func testSwiftStrategyDeliversBitIdenticalIntents() throws {
        let fromC = try run("tbot_sma_cross_c").flatMap { $0 }
        let fromSwift = try run("tbot_sma_cross_swift").flatMap { $0 }
        XCTAssertEqual(fromSwift.count, 2)
        XCTAssertEqual(fromSwift.map(\.strategyID), ["sma_cross_swift", "sma_cross_swift"])
        // Same doubles bit for bit, same strings: only the emitting plugin's id differs.
        XCTAssertEqual(fromSwift.map { var i = $0; i.strategyID = "sma_cross_c"; return i }, fromC)
    }

    func testBothStrategiesAgreeOverAGeneratedDay() throws {
        let day = SyntheticMarket(seed: 7).bars()
        func intents(_ product: String) throws -> [TradeIntent] {
            let strategy = try XCTUnwrap(StrategyPlugin(TestHost.instance(product)))
            try strategy.sessionStart(SessionWindow(name: "demo", startNanoseconds: 0, endNanoseconds: .max))
            return try day.flatMap { try strategy.onBar($0) }.map { var i = $0; i.strategyID = "any"; return i }
        }
        let fromC = try intents("tbot_sma_cross_c")
        XCTAssertGreaterThan(fromC.count, 4)
        XCTAssertEqual(try intents("tbot_sma_cross_swift"), fromC)
    }

    func testIntentAbiFormRoundTripsThroughTheHost() throws {
        let intent = TradeIntent(strategyID: "s", action: .exit, side: .sell, rank: 3, symbol: "BRK.B",
                                 entryPrice: 412.37, stopPrice: 0, targetPrice: 0, confidence: 0.25, tag: "eod_flat")
        XCTAssertEqual(try TradeIntent.from(intent.abiValue, strategyID: "s").get(), intent)
    }

    func testMalformedIntentIsRejectedWithItsReason() {
        var raw = TradeIntent(strategyID: "s", action: .enter, side: .buy, rank: 1, symbol: "SPY",
                              entryPrice: 1, stopPrice: 0.9, targetPrice: 1.2, confidence: 1.5, tag: "").abiValue
        XCTAssertEqual(TradeIntent.from(raw, strategyID: "s").failureReason, "confidence 1.5 is outside 0...1")
        raw.confidence = 0.5
        raw.side = 9
        XCTAssertEqual(TradeIntent.from(raw, strategyID: "s").failureReason, "side 9 is not BUY (1) or SELL (2)")
        raw.side = 1
        CStrings.write("spy", into: &raw.symbol)
        XCTAssertEqual(TradeIntent.from(raw, strategyID: "s").failureReason, "symbol 'spy' is not a ticker (A-Z, 0-9, '.', '/', '-' or space, 1 to 31 characters)")
    }

    func testBadStrategyParametersAreRefusedByCreateOrSelfCheck() throws {
        for product in ["tbot_sma_cross_c", "tbot_sma_cross_swift"] {
            let library = try PluginLibraryLoader.open(TestPaths.library(product)).get()
            let inverted = PluginInstance.make(library: library, parameters: [.init(key: "fast", value: "5"), .init(key: "slow", value: "3")],
                                               environment: TestHost.environment())
            XCTAssertEqual(inverted.failureDescription, "\(library.path): self_check failed: slow (3) must be greater than fast (5)")
            let unknown = PluginInstance.make(library: library, parameters: [.init(key: "window", value: "3")], environment: TestHost.environment())
            XCTAssertEqual(unknown.failureDescription, "\(library.path): create returned NULL: unknown parameter 'window' (value '3')")
        }
    }
}

extension Result where Failure == IntentRejection {
    var failureReason: String? {
        if case .failure(let rejection) = self { return rejection.reason }
        return nil
    }
}

/// Structs written by plugins of another minor: never read past their end, missing fields zero.
final class ABIStructTests: XCTestCase {
    func testIntentOfTheBaselineSizeIsAcceptedAndASmallerOneRefused() throws {
        var raw = TradeIntent(strategyID: "s", action: .enter, side: .buy, rank: 1, symbol: "SPY",
                              entryPrice: 10, stopPrice: 9, targetPrice: 12, confidence: 0.5, tag: "t").abiValue
        let baseline = IntentCollector.intentBaseline
        XCTAssertEqual(baseline, MemoryLayout<tbot_intent_t>.offset(of: \tbot_intent_t.tag)! + 64)
        raw.size = UInt32(baseline)
        let collector = IntentCollector(strategyID: "s")
        collector.withSink { sink in
            XCTAssertEqual(sink.pointee.emit(sink.pointee.sink_ctx, &raw), TBOT_OK)
            raw.size = UInt32(baseline - 1)
            XCTAssertEqual(sink.pointee.emit(sink.pointee.sink_ctx, &raw), TBOT_ERR_INVALID_ARGUMENT)
        }
        XCTAssertEqual(collector.intents.map(\.symbol), ["SPY"])
        XCTAssertEqual(collector.rejected.map(\.reason), ["intent size \(baseline - 1) is smaller than ABI 1.0's \(baseline)"])
    }

    func testReadCopiesOnlyTheDeclaredBytes() {
        var source = tbot_account_t()
        source.cash = 5
        source.equity = 7
        let declared = UInt32(MemoryLayout<tbot_account_t>.offset(of: \tbot_account_t.equity)!)
        let copy = withUnsafeBytes(of: &source) { ABIStruct.read($0.baseAddress!, declaredSize: declared, as: tbot_account_t.self) }
        XCTAssertEqual(copy.cash, 5)
        XCTAssertEqual(copy.equity, 0, "a field past the declared size reads as zero")
    }

    func testTableSmallerThanTheBaselineIsRefused() {
        var table = tbot_filter_api_t()
        table.size = 4
        let problem = withUnsafeBytes(of: &table) { FunctionTables.problem(kind: .filter, table: $0.baseAddress!) }
        XCTAssertEqual(problem, "size 4 is smaller than ABI 1.0's table")
        table.size = ABIStruct.size(tbot_filter_api_t.self)
        XCTAssertEqual(withUnsafeBytes(of: &table) { FunctionTables.problem(kind: .filter, table: $0.baseAddress!) }, "missing evaluate")
    }
}

import Foundation
import TBotPluginAPI
import XCTest
@testable import TBotCore

/// The calls made on every bar (strategy on_bar, the simulated broker's and the filters' bar
/// feeds) report failures with the same text as every other plugin call, from one reused
/// message buffer, and the plugins' bar paths keep each symbol's state when the host passes
/// different symbols at one address.
final class PluginBarCallTests: XCTestCase {
    private let start: Int64 = 1_704_205_800_000_000_000

    private func bar(_ symbol: String, minute: Int64 = 0, close: Double) -> Bar {
        Bar(symbol: symbol, startNanoseconds: start + minute * 60_000_000_000, intervalSeconds: 60,
            open: close, high: close, low: close, close: close, volume: 1000)
    }

    /// How a bar names its symbol besides the name: no number (0), the host's numbers
    /// (ABI 1.3), or a bar as a 1.2 host wrote it, whose size ends before symbol_id, with a
    /// number there that must never be read.
    private enum Numbering: CaseIterable {
        case none, host, beforeSymbolID
    }

    /// A tbot_bar_t whose symbol is always `buffer`, rewritten for each bar: the pointer says
    /// nothing about which symbol a bar is.
    private final class ReusedSymbolBar {
        let raw = UnsafeMutablePointer<tbot_bar_t>.allocate(capacity: 1)
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(TBOT_SYMBOL_CAP))
        let numbering: Numbering

        init(_ numbering: Numbering = .none) {
            self.numbering = numbering
            raw.initialize(to: tbot_bar_t())
            raw.pointee.size = UInt32(numbering == .beforeSymbolID ? MemoryLayout<tbot_bar_t>.offset(of: \tbot_bar_t.symbol_id)!
                                                                    : MemoryLayout<tbot_bar_t>.size)
            raw.pointee.symbol = UnsafePointer(buffer)
        }

        deinit {
            raw.deallocate()
            buffer.deallocate()
        }

        func load(_ bar: Bar) -> UnsafePointer<tbot_bar_t> {
            _ = bar.symbol.withCString { strcpy(buffer, $0) }
            raw.pointee.start_ns = bar.startNanoseconds
            raw.pointee.interval_seconds = bar.intervalSeconds
            (raw.pointee.open, raw.pointee.high, raw.pointee.low, raw.pointee.close) = (bar.open, bar.high, bar.low, bar.close)
            raw.pointee.volume = bar.volume
            switch numbering {
            case .none: raw.pointee.symbol_id = 0
            case .host: raw.pointee.symbol_id = SymbolNumbers.shared.number(of: bar.symbol)
            case .beforeSymbolID: raw.pointee.symbol_id = 7
            }
            return UnsafePointer(raw)
        }
    }

    /// ABI 1.3's symbol_id: never 0, one number per symbol for the process, the same in the
    /// pipeline's shared bar and in a bar built on its own.
    func testHostNumbersEachSymbolOnce() {
        let slot = ABIBarSlot()
        let first = slot.load(bar("NUMA", close: 10)).pointee.symbol_id
        let second = slot.load(bar("NUMB", close: 10)).pointee.symbol_id
        XCTAssertNotEqual(first, 0)
        XCTAssertNotEqual(second, 0)
        XCTAssertNotEqual(first, second)
        XCTAssertEqual(slot.load(bar("NUMA", minute: 1, close: 11)).pointee.symbol_id, first)
        XCTAssertEqual(bar("NUMB", close: 12).withABI { $0.pointee.symbol_id }, second)
        XCTAssertEqual(ABIBarSlot().load(bar("NUMA", close: 10)).pointee.symbol_id, first)
    }

    // MARK: strategy

    private func smaCross() throws -> StrategyPlugin {
        let parameters: [ManifestParameter] = [.init(key: "fast", value: "2"), .init(key: "slow", value: "3")]
        let strategy = try XCTUnwrap(StrategyPlugin(TestHost.instance("tbot_sma_cross_c", parameters: parameters)))
        try strategy.sessionStart(SessionWindow(name: "test", startNanoseconds: 0, endNanoseconds: .max))
        return strategy
    }

    func testStrategyFailuresKeepTheirTextAcrossCalls() throws {
        let strategy = try smaCross()
        for n in 0..<64 { XCTAssertEqual(try strategy.onBar(bar("S\(n)", close: 10)), []) }
        let refusal = "sma_cross_c.on_bar failed (invalid argument): too many symbols: LONGERNAME would be number 65, the limit is 64"
        XCTAssertThrowsError(try strategy.onBar(bar("LONGERNAME", close: 10))) { XCTAssertEqual("\($0)", refusal) }
        XCTAssertEqual(try strategy.onBar(bar("S3", minute: 1, close: 10)), [])
        // A shorter message after a longer one: nothing of the first is left in the buffer.
        XCTAssertThrowsError(try strategy.onBar(bar("X", close: 10))) { error in
            XCTAssertEqual((error as? PluginCallError)?.message, "too many symbols: X would be number 65, the limit is 64")
        }
    }

    /// Interleaved symbols at one address trade exactly as each does alone.
    func testStrategyKeepsEachSymbolsStateWhenTheSymbolPointerIsReused() throws {
        let closes: [Double] = [10, 10, 9.99, 9.99, 10.01, 10, 9.8, 9.8, 10.2, 10.3]
        let alone = try smaCross()
        let spy = try closes.enumerated().flatMap { try alone.onBar(bar("SPY", minute: Int64($0.offset), close: $0.element)) }
        XCTAssertEqual(spy.map(\.action), [.enter, .exit, .enter])

        for numbering in Numbering.allCases {
            let together = try smaCross()
            let slot = ReusedSymbolBar(numbering)
            var mixed: [TradeIntent] = []
            for (minute, close) in closes.enumerated() {
                // The same moves at other levels: an exact shift keeps every cross. (The last
                // symbol's shortcut is the `alone` run's: its bars carry the host's numbers.)
                for (symbol, shift) in [("SPY", 0.0), ("SP", 100), ("SPYX", 2000), ("QQQ", 30)] {
                    mixed += try together.onBar(abi: slot.load(bar(symbol, minute: Int64(minute), close: close + shift)))
                }
            }
            XCTAssertEqual(mixed.filter { $0.symbol == "SPY" }, spy, "\(numbering)")
            for symbol in ["SP", "SPYX", "QQQ"] {
                XCTAssertEqual(mixed.filter { $0.symbol == symbol }.map(\.action), [.enter, .exit, .enter], "\(symbol) \(numbering)")
            }
        }
    }

    /// on_bar refuses what self_check refuses, with self_check's words, and names a missing
    /// argument or an over-long symbol (a host that skipped self_check, or a broken host).
    func testSMACrossOnBarRefusalsCalledDirectly() throws {
        let library = try PluginLibraryLoader.open(TestPaths.library("tbot_sma_cross_c")).get()
        let descriptor = library.descriptor
        let api = try FunctionTables.strategy(try XCTUnwrap(descriptor.functions)).get()
        func create(_ pairs: [(String, String)]) throws -> UnsafeMutableRawPointer {
            let arena = CStringArena()
            var items = pairs.map { tbot_param_t(size: UInt32(MemoryLayout<tbot_param_t>.size), key: arena.copy($0.0), value: arena.copy($0.1)) }
            return try items.withUnsafeMutableBufferPointer { buffer in
                var params = tbot_params_t(size: UInt32(MemoryLayout<tbot_params_t>.size), count: UInt32(buffer.count),
                                           items: buffer.baseAddress)
                return try XCTUnwrap(descriptor.create(nil, &params, nil, 0))
            }
        }
        func onBar(_ handle: UnsafeMutableRawPointer, _ raw: UnsafePointer<tbot_bar_t>?,
                   sink: UnsafePointer<tbot_intent_sink_t>?) -> (tbot_status_t, String) {
            CStrings.withMessageBuffer { api.on_bar(handle, raw, sink, $0, $1) }
        }
        let collector = IntentCollector(strategyID: "sma_cross_c")
        let slot = ReusedSymbolBar()

        let inverted = try create([("fast", "5"), ("slow", "3")])
        defer { descriptor.destroy(inverted) }
        let checked = CStrings.withMessageBuffer { descriptor.self_check(inverted, $0, $1) }
        XCTAssertEqual(checked.1, "slow (3) must be greater than fast (5)")
        for _ in 0..<2 {
            let refused = onBar(inverted, slot.load(bar("SPY", close: 10)), sink: collector.sink)
            XCTAssertEqual(refused.0, TBOT_ERR_INVALID_ARGUMENT)
            XCTAssertEqual(refused.1, checked.1)
        }

        let fine = try create([("fast", "2"), ("slow", "3")])
        defer { descriptor.destroy(fine) }
        XCTAssertEqual(onBar(fine, slot.load(bar("SPY", close: 10)), sink: collector.sink).0, TBOT_OK)
        let missing = "on_bar needs a bar with a symbol and a sink"
        XCTAssertEqual(onBar(fine, nil, sink: collector.sink).1, missing)
        XCTAssertEqual(onBar(fine, slot.load(bar("SPY", close: 10)), sink: nil).1, missing)
        let long = String(repeating: "A", count: Int(TBOT_SYMBOL_CAP))
        let longBar = UnsafeMutablePointer<tbot_bar_t>.allocate(capacity: 1)
        defer { longBar.deallocate() }
        longBar.initialize(to: slot.raw.pointee)
        let tooLong = long.withCString { text -> (tbot_status_t, String) in
            longBar.pointee.symbol = text
            return onBar(fine, longBar, sink: collector.sink)
        }
        XCTAssertEqual(tooLong.0, TBOT_ERR_INVALID_ARGUMENT)
        XCTAssertEqual(tooLong.1, "symbol \(long) is longer than 31 bytes")
        // The symbol seen last is still recognised after the refusals.
        XCTAssertEqual(onBar(fine, slot.load(bar("SPY", minute: 1, close: 10)), sink: collector.sink).0, TBOT_OK)
    }

    // MARK: simulated broker and filters

    private func paperBroker(clock: SimulatedClock? = nil) throws -> BrokerPlugin {
        let clock = clock ?? SimulatedClock(startNanoseconds: start + 60_000_000_000)
        let instance = try TestHost.instance("tbot_paper_broker", parameters: [.init(key: "starting_cash", value: "100000")],
                                             environment: TestHost.environment(clock: clock))
        return try XCTUnwrap(BrokerPlugin(instance))
    }

    /// The bar path takes a close that is finite and above zero, and only such a close.
    func testBrokerFeedRefusesUnusableClosesWithTheirText() throws {
        let paper = try paperBroker()
        for close in [Double.leastNonzeroMagnitude, 0.01, 123.45, .greatestFiniteMagnitude] {
            XCTAssertNoThrow(try paper.marketBar(bar("SPY", close: close)), "\(close)")
        }
        for close in [0, -0.0, -1, .infinity, -.infinity, .nan] as [Double] {
            XCTAssertThrowsError(try paper.marketBar(bar("SPY", close: close)), "\(close)") { error in
                XCTAssertEqual("\(error)", "paper_broker.simulation.on_bar failed (invalid argument): "
                               + "bar for SPY has an unusable close \(close)")
            }
        }
    }

    /// Market orders fill at their symbol's last close: each symbol kept its own although
    /// all bars came at one address.
    func testBrokerKeepsEachSymbolsCloseWhenTheSymbolPointerIsReused() throws {
        for numbering in Numbering.allCases {
            let clock = SimulatedClock(startNanoseconds: start)
            let paper = try paperBroker(clock: clock)
            let slot = ReusedSymbolBar(numbering)
            // Repeats, a fixed rotation (the predicted slot) and breaks from it (the lookup).
            let bars = [("AAA", 10.0), ("BBB", 20), ("AAA", 11), ("BBB", 21), ("AAA", 11.5), ("BBB", 21.5), ("CCCC", 30),
                        ("AAA", 12), ("AAA", 12.5), ("BB", 5), ("BBB", 22)]
            for (minute, (symbol, close)) in bars.enumerated() {
                clock.advance(to: start + Int64(minute + 1) * 60_000_000_000)
                try paper.marketBar(abi: slot.load(bar(symbol, minute: Int64(minute), close: close)))
            }
            for (symbol, close) in [("AAA", 12.5), ("BBB", 22), ("CCCC", 30), ("BB", 5)] {
                let order = try paper.submit(OrderRequest(clientOrderID: "c-\(symbol)", symbol: symbol, side: .buy, type: .market,
                                                          quantity: Quantity(shares: 1)))
                XCTAssertEqual(order.status, .filled, "\(symbol) \(numbering)")
                XCTAssertEqual(order.averageFillPrice, close, "\(symbol) \(numbering)")
            }
        }
    }

    func testFilterFeedFailureText() throws {
        let filter = try XCTUnwrap(FilterPlugin(TestHost.instance("tbot_adx_filter")))
        XCTAssertTrue(filter.wantsBars)
        XCTAssertNoThrow(try filter.marketBar(bar("SPY", close: 10)))
        XCTAssertThrowsError(try filter.marketBar(bar("SPY", minute: 1, close: .nan))) { error in
            XCTAssertEqual("\(error)", "adx_filter.bars.on_bar failed (invalid argument): "
                           + "bar of SPY is not usable: open nan high nan low nan close nan volume 1000")
        }
        XCTAssertNoThrow(try filter.marketBar(bar("SPY", minute: 2, close: 10)))
    }
}

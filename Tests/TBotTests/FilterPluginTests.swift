import Foundation
import XCTest
@testable import TBotCore
import TBotPluginAPI

/// The seed filters (docs/strategies.md) on real SPY minute bars (SPYMinuteBars, in
/// StrategyPluginTests.swift), fed through the ABI 1.1 bar feed (TBOT_EXT_FILTER_BARS) as the host
/// does: session_start, then every bar of the session in time order, then evaluate.
///
/// The ADX and Bollinger values in the expected reasons were computed independently in Python from
/// the same CSV (bars of the UTC day from its first bar, TA-Lib's definitions: Wilder's ADX seeded
/// with the mean of the first `period` DX values; bands from the mean and the population standard
/// deviation of the last 20 closes). For example on 2013-10-08 at the 14:48 UTC bar: ADX(14) =
/// 22.746, lower band 167.0523, and the bar's low 166.95 touches it.
final class FilterPluginTests: XCTestCase {
    private let adx = "tbot_adx_filter"
    private let bands = "tbot_bollinger_confluence"
    private let vix = "tbot_vix_gatekeeper"

    private func filter(_ product: String, _ params: KeyValuePairs<String, String> = [:],
                        environment: HostEnvironment = TestHost.environment()) throws -> FilterPlugin {
        let instance = try TestHost.instance(product, parameters: PluginRun.parameters(params), environment: environment)
        return try XCTUnwrap(FilterPlugin(instance))
    }

    /// session_start, then the bars of `date` up to and including the bar starting at `time`
    /// (UTC), or the first `count` bars. Returns the last bar fed.
    @discardableResult
    private func feed(_ filters: [FilterPlugin], _ date: String, through time: String? = nil, count: Int? = nil) throws -> Bar {
        for filter in filters { try filter.sessionStart(PluginRun.session(date)) }
        var bars = try SPYMinuteBars.day(date)
        if let time { bars = bars.filter { $0.startNanoseconds <= SPYMinuteBars.utc(date, time) } }
        if let count { bars = Array(bars.prefix(count)) }
        for bar in bars { for filter in filters { try filter.marketBar(bar) } }
        return try XCTUnwrap(bars.last)
    }

    private func intent(_ side: TradeSide, _ action: IntentAction = .enter, tag: String = "vwap_reversion_long",
                        symbol: String = "SPY") -> TradeIntent {
        TradeIntent(strategyID: "test", action: action, side: side, rank: 1, symbol: symbol, entryPrice: 0,
                    stopPrice: 0, targetPrice: 0, confidence: 0.5, tag: tag)
    }

    private func verdict(_ filter: FilterPlugin, _ intent: TradeIntent, vix: Double? = nil, bar: Bar? = nil) throws -> FilterVerdict {
        try filter.evaluate(intent, lastBar: bar, vix: vix, now: bar?.endNanoseconds ?? 0)
    }

    /// The filter's error (status and message) for an evaluation that must not return a verdict.
    private func failure(_ filter: FilterPlugin, _ intent: TradeIntent, vix: Double? = nil) -> PluginCallError? {
        do {
            _ = try verdict(filter, intent, vix: vix)
            return nil
        } catch {
            return error as? PluginCallError
        }
    }

    // MARK: the bar feed

    func testIndicatorFiltersOfferTheBarFeed() throws {
        for product in [adx, bands] {
            let plugin = try filter(product)
            XCTAssertTrue(plugin.wantsBars, product)
            // Asked through the descriptor as the ABI says: a table of the 1.1 size with both functions.
            let raw = try XCTUnwrap(plugin.instance.extensionTable(TBOT_EXT_FILTER_BARS), product)
            let table = raw.assumingMemoryBound(to: tbot_filter_bars_t.self).pointee
            XCTAssertEqual(Int(table.size), MemoryLayout<tbot_filter_bars_t>.stride)
            XCTAssertNotNil(table.on_bar)
            XCTAssertNotNil(table.session_start)
            XCTAssertNil(plugin.instance.extensionTable("tbot.filter.unknown"))
        }
        XCTAssertFalse(try filter(vix).wantsBars, "the VIX comes with the intent's context")
    }

    // MARK: adx_filter

    func testADXFilterBlocksATrendAndAllowsARange() throws {
        let plugin = try filter(adx)
        try feed([plugin], "2013-10-04", through: "14:40")
        XCTAssertEqual(try verdict(plugin, intent(.sell)), .block(reason: "ADX(14) 30.73 above max_adx 25: SPY is trending"))
        try feed([plugin], "2013-10-08", through: "14:48")
        XCTAssertEqual(try verdict(plugin, intent(.buy)), .allow(reason: "ADX(14) 22.75 within 0..25"))

        let needsTrend = try filter(adx, ["min_adx": "30", "max_adx": "100"])
        try feed([needsTrend], "2013-10-08", through: "14:48")
        XCTAssertEqual(try verdict(needsTrend, intent(.buy)), .block(reason: "ADX(14) 22.75 below min_adx 30: SPY has no trend"))
    }

    /// ADX(14) is valid from the 28th bar (2 x 14): before it the filter has no verdict, and
    /// no_data says what happens (default: an error the host logs before letting the intent pass).
    func testADXFilterWarmUp() throws {
        let plugin = try filter(adx)
        try feed([plugin], "2013-10-07", count: 27)
        let warming = failure(plugin, intent(.buy))
        XCTAssertEqual(warming?.status, TBOT_ERR_NOT_FOUND)
        XCTAssertEqual(warming?.message, "ADX(14) of SPY is warming up: 27 of 28 bars")
        XCTAssertEqual(failure(plugin, intent(.buy, symbol: "QQQ"))?.message, "no bars of QQQ yet: ADX(14) unknown")
        XCTAssertEqual(try verdict(plugin, intent(.sell, .exit)), .allow(reason: "exits are never gated"))
        // The 28th bar (08:29 UTC) completes the seed: ADX 30.5686.
        try feed([plugin], "2013-10-07", count: 28)
        XCTAssertEqual(try verdict(plugin, intent(.buy)), .block(reason: "ADX(14) 30.57 above max_adx 25: SPY is trending"))
        // A new session starts empty.
        try plugin.sessionStart(PluginRun.session("2013-10-08"))
        XCTAssertEqual(failure(plugin, intent(.buy))?.message, "no bars of SPY yet: ADX(14) unknown")

        let allowing = try filter(adx, ["no_data": "allow"])
        try feed([allowing], "2013-10-07", count: 10)
        XCTAssertEqual(try verdict(allowing, intent(.buy)),
                       .allow(reason: "ADX(14) of SPY is warming up: 10 of 28 bars; allowed (no_data = allow)"))
        let blocking = try filter(adx, ["no_data": "block"])
        try feed([blocking], "2013-10-07", count: 10)
        XCTAssertEqual(try verdict(blocking, intent(.buy)),
                       .block(reason: "ADX(14) of SPY is warming up: 10 of 28 bars; blocked (no_data = block)"))
    }

    func testFiltersJudgeOnlyTheirTags() throws {
        let plugin = try filter(adx, ["tags": "vwap_reversion, mean_reversion"])
        try feed([plugin], "2013-10-04", through: "14:40")
        XCTAssertEqual(try verdict(plugin, intent(.buy, tag: "open_range_breakout_long")),
                       .allow(reason: "tag 'open_range_breakout_long' is not covered by tags (vwap_reversion, mean_reversion): not gated"))
        XCTAssertEqual(try verdict(plugin, intent(.buy, tag: "mean_reversion_long")),
                       .block(reason: "ADX(14) 30.73 above max_adx 25: SPY is trending"))
        XCTAssertEqual(try verdict(plugin, intent(.buy, tag: "vwap_reversion_long")),
                       .block(reason: "ADX(14) 30.73 above max_adx 25: SPY is trending"))
    }

    // MARK: bollinger_confluence

    func testBollingerConfluence() throws {
        let plugin = try filter(bands)
        // 2013-10-08 14:48: low 166.95 <= lower band 167.0523: a reversion BUY is confirmed.
        try feed([plugin], "2013-10-08", through: "14:48")
        XCTAssertEqual(try verdict(plugin, intent(.buy)),
                       .allow(reason: "SPY low 166.9500 touched the lower band 167.0523 (BB 20, 2.0): BUY confirmed"))
        XCTAssertEqual(try verdict(plugin, intent(.sell)),
                       .block(reason: "SPY did not touch the upper band in the last 1 bar(s): high 167.1100, upper band 167.4277 "
                              + "(BB 20, 2.0); no confluence for a SELL"))
        // 2013-10-07 14:40: high 168.18 stays under the upper band 168.3510.
        try feed([plugin], "2013-10-07", through: "14:40")
        XCTAssertEqual(try verdict(plugin, intent(.sell)),
                       .block(reason: "SPY did not touch the upper band in the last 1 bar(s): high 168.1800, upper band 168.3510 "
                              + "(BB 20, 2.0); no confluence for a SELL"))
        XCTAssertEqual(try verdict(plugin, intent(.buy, .exit)), .allow(reason: "exits are never gated"))
    }

    /// 2013-10-04: the 14:38 and 14:39 bars reach the upper band (14:39: high 168.61 >= 168.6044),
    /// the 14:40 bar does not (168.54 < 168.6160).
    func testBollingerTouchWithinBars() throws {
        let strict = try filter(bands)
        let recent = try filter(bands, ["touch_bars": "3"])
        try feed([strict, recent], "2013-10-04", through: "14:40")
        XCTAssertEqual(try verdict(strict, intent(.sell)),
                       .block(reason: "SPY did not touch the upper band in the last 1 bar(s): high 168.5400, upper band 168.6160 "
                              + "(BB 20, 2.0); no confluence for a SELL"))
        XCTAssertEqual(try verdict(recent, intent(.sell)),
                       .allow(reason: "SPY high 168.6100 touched the upper band 168.6044 (BB 20, 2.0) 1 bar(s) ago: SELL confirmed"))
    }

    func testBollingerBreakoutMode() throws {
        let plugin = try filter(bands, ["mode": "breakout", "tags": "technical_breakout"])
        try feed([plugin], "2013-10-10", through: "14:40")
        XCTAssertEqual(try verdict(plugin, intent(.buy, tag: "technical_breakout_long")),
                       .allow(reason: "SPY high 168.0600 touched the upper band 168.0546 (BB 20, 2.0): BUY confirmed"))
        XCTAssertEqual(try verdict(plugin, intent(.sell, tag: "technical_breakout_short")),
                       .block(reason: "SPY did not touch the lower band in the last 1 bar(s): low 167.9800, lower band 167.6474 "
                              + "(BB 20, 2.0); no confluence for a SELL"))
    }

    func testBollingerWarmUp() throws {
        let plugin = try filter(bands)
        try feed([plugin], "2013-10-07", count: 19)
        let warming = failure(plugin, intent(.buy))
        XCTAssertEqual(warming?.status, TBOT_ERR_NOT_FOUND)
        XCTAssertEqual(warming?.message, "Bollinger bands (20, 2.0) of SPY are warming up: 19 of 20 bars")
        XCTAssertEqual(failure(plugin, intent(.buy, symbol: "IWM"))?.message, "no bars of IWM yet: Bollinger bands (20, 2.0) unknown")
        // Bar 20 (08:20 UTC) warms the bands; its low 167.27 is above the lower band 167.1939.
        try feed([plugin], "2013-10-07", count: 20)
        XCTAssertEqual(try verdict(plugin, intent(.buy)),
                       .block(reason: "SPY did not touch the lower band in the last 1 bar(s): low 167.2700, lower band 167.1939 "
                              + "(BB 20, 2.0); no confluence for a BUY"))
    }

    // MARK: vix_gatekeeper

    func testVIXGatekeeper() throws {
        let plugin = try filter(vix)
        XCTAssertEqual(try verdict(plugin, intent(.buy), vix: 15.01), .allow(reason: "VIX 15.01 above min_vix 15.00"))
        XCTAssertEqual(try verdict(plugin, intent(.sell), vix: 15), .block(reason: "VIX 15.00 not above min_vix 15.00: complacent market"))
        XCTAssertEqual(try verdict(plugin, intent(.buy), vix: 12.5), .block(reason: "VIX 12.50 not above min_vix 15.00: complacent market"))
        XCTAssertEqual(try verdict(plugin, intent(.buy, .exit), vix: 12.5), .allow(reason: "exits are never gated"))
    }

    /// Without a VIX series the context carries NaN: by default a filter error (the host warns and
    /// lets the intent pass), or what no_data says.
    func testVIXGatekeeperWithoutAVIXSeries() throws {
        let missing = failure(try filter(vix), intent(.buy))
        XCTAssertEqual(missing?.status, TBOT_ERR_NOT_FOUND)
        XCTAssertEqual(missing?.message, "no VIX series configured (VIX_DATA_FILE): cannot compare with min_vix 15.00")
        XCTAssertEqual(try verdict(try filter(vix, ["no_data": "block"]), intent(.buy)),
                       .block(reason: "no VIX series configured (VIX_DATA_FILE): cannot compare with min_vix 15.00; blocked (no_data = block)"))
        XCTAssertEqual(try verdict(try filter(vix, ["no_data": "allow"]), intent(.buy)),
                       .allow(reason: "no VIX series configured (VIX_DATA_FILE): cannot compare with min_vix 15.00; allowed (no_data = allow)"))
    }

    /// min_vix comes from STRAT_CLOSE_VIX_THRESHOLD unless the manifest sets it; tags limit the
    /// gate to the close strategy.
    func testVIXGatekeeperConfigAndTags() throws {
        let environment = TestHost.environment(config: try RuntimeConfigFixtures.config(["STRAT_CLOSE_VIX_THRESHOLD": "20"]))
        let fromConfig = try filter(vix, environment: environment)
        XCTAssertEqual(try verdict(fromConfig, intent(.buy), vix: 18), .block(reason: "VIX 18.00 not above min_vix 20.00: complacent market"))
        let fromManifest = try filter(vix, ["min_vix": "17.5"], environment: environment)
        XCTAssertEqual(try verdict(fromManifest, intent(.buy), vix: 18), .allow(reason: "VIX 18.00 above min_vix 17.50"))

        let closeOnly = try filter(vix, ["tags": "close_momentum"])
        XCTAssertEqual(try verdict(closeOnly, intent(.buy, tag: "open_range_breakout_long"), vix: 11),
                       .allow(reason: "tag 'open_range_breakout_long' is not covered by tags (close_momentum): not gated"))
        XCTAssertEqual(try verdict(closeOnly, intent(.buy, tag: "close_momentum_fade_long"), vix: 11),
                       .block(reason: "VIX 11.00 not above min_vix 15.00: complacent market"))
    }

    // MARK: the seed's pairing: vwap_reversion confirmed by adx_filter and bollinger_confluence

    /// The filters see every bar before the strategy does, as in the host's pipeline. Of the four
    /// VWAP entries of the week, only 2013-10-08's long passes both: on the other days the ADX
    /// shows a trend (30.73, 34.65, 33.37), and only 2013-10-08 and 2013-10-10 touch their band.
    func testVWAPReversionConfirmedByADXAndBollinger() throws {
        let strategy = try PluginRun.strategy("tbot_vwap_reversion", ["start_time": "14:30", "vwap_start": "13:30",
                                                                      "threshold_pct": "0.002", "stop_pct": "0.001"])
        let filters = [try filter(adx, ["tags": "vwap_reversion"]), try filter(bands, ["tags": "vwap_reversion"])]
        var verdicts: [String] = []
        for date in SPYMinuteBars.days {
            let session = PluginRun.session(date)
            for filter in filters { try filter.sessionStart(session) }
            try strategy.sessionStart(session)
            for bar in try SPYMinuteBars.day(date) {
                for filter in filters { try filter.marketBar(bar) }
                for intent in try strategy.onBar(bar) {
                    for filter in filters {
                        let text: String
                        switch try filter.evaluate(intent, lastBar: bar, vix: nil, now: bar.endNanoseconds) {
                        case .allow(let reason): text = "allow: \(reason)"
                        case .block(let reason): text = "block: \(reason)"
                        }
                        verdicts.append("\(SPYMinuteBars.label(bar.startNanoseconds)) \(intent.action.rawValue) \(intent.side.rawValue) "
                                        + "\(filter.id) \(text)")
                    }
                }
            }
            _ = try strategy.sessionEnd(session)
        }
        XCTAssertEqual(verdicts.filter { $0.contains(" ENTER ") }, [
            "2013-10-04 14:40 ENTER SELL adx_filter block: ADX(14) 30.73 above max_adx 25: SPY is trending",
            "2013-10-04 14:40 ENTER SELL bollinger_confluence block: SPY did not touch the upper band in the last 1 bar(s): "
                + "high 168.5400, upper band 168.6160 (BB 20, 2.0); no confluence for a SELL",
            "2013-10-07 14:40 ENTER SELL adx_filter block: ADX(14) 34.65 above max_adx 25: SPY is trending",
            "2013-10-07 14:40 ENTER SELL bollinger_confluence block: SPY did not touch the upper band in the last 1 bar(s): "
                + "high 168.1800, upper band 168.3510 (BB 20, 2.0); no confluence for a SELL",
            "2013-10-08 14:48 ENTER BUY adx_filter allow: ADX(14) 22.75 within 0..25",
            "2013-10-08 14:48 ENTER BUY bollinger_confluence allow: SPY low 166.9500 touched the lower band 167.0523 (BB 20, 2.0): "
                + "BUY confirmed",
            "2013-10-10 14:40 ENTER SELL adx_filter block: ADX(14) 33.37 above max_adx 25: SPY is trending",
            "2013-10-10 14:40 ENTER SELL bollinger_confluence allow: SPY high 168.0600 touched the upper band 168.0546 (BB 20, 2.0): "
                + "SELL confirmed",
        ])
        XCTAssertTrue(verdicts.filter { $0.contains(" EXIT ") }.allSatisfy { $0.hasSuffix("allow: exits are never gated") })
        XCTAssertEqual(verdicts.filter { $0.contains(" EXIT ") }.count, 8)
    }

    // MARK: parameters

    func testFilterParameters() {
        let cases: [(String, KeyValuePairs<String, String>, String)] = [
            (adx, ["period": "1"], "self_check failed: period (1) must be at least 2 and at most 1000"),
            (adx, ["max_adx": "0"], "self_check failed: max_adx (0) must be greater than 0 and at most 100"),
            (adx, ["min_adx": "100"], "self_check failed: min_adx (100) must be at least 0 and less than 100"),
            (adx, ["min_adx": "30"], "self_check failed: min_adx (30) must be below max_adx (25)"),
            (adx, ["tags": "vwap_reversion,"], "self_check failed: tags (vwap_reversion,) must be a comma-separated list of tag "
                + "prefixes without empty items"),
            (adx, ["tags": String(repeating: "x", count: 64)], "self_check failed: tags (\(String(repeating: "x", count: 64))): each "
                + "tag prefix must be at most 63 bytes"),
            (adx, ["tags": (1...17).map { "t\($0)" }.joined(separator: ",")], "self_check failed: tags ("
                + (1...17).map { "t\($0)" }.joined(separator: ",") + ") must list at most 16 tag prefixes"),
            (adx, ["no_data": "ignore"], "create returned NULL: invalid value 'ignore' for no_data: expected one of error,allow,block"),
            (adx, ["window": "14"], "create returned NULL: unknown parameter 'window' (value '14')"),
            (bands, ["period": "1"], "self_check failed: period (1) must be at least 2 and at most 1000"),
            (bands, ["k": "0"], "self_check failed: k (0) must be greater than 0 and at most 10"),
            (bands, ["touch_bars": "0"], "self_check failed: touch_bars (0) must be at least 1 and at most 1000"),
            (bands, ["tags": ",x"], "self_check failed: tags (,x) must be a comma-separated list of tag prefixes without empty items"),
            (bands, ["mode": "fade"], "create returned NULL: invalid value 'fade' for mode: expected one of reversion,breakout"),
            (vix, ["min_vix": "-1"], "self_check failed: min_vix (-1) must be at least 0 and at most 200"),
            (vix, ["min_vix": "201"], "self_check failed: min_vix (201) must be at least 0 and at most 200"),
            (vix, ["min_vix": "high"], "create returned NULL: invalid value 'high' for min_vix: expected a decimal"),
            (vix, ["tags": "close_momentum,,open"], "self_check failed: tags (close_momentum,,open) must be a comma-separated list of "
                + "tag prefixes without empty items"),
            (adx, [:], "accepted"), (bands, [:], "accepted"), (vix, [:], "accepted"),
        ]
        for (product, params, message) in cases {
            XCTAssertEqual(PluginRun.refusal(product, params), message, "\(product) \(params)")
        }
    }
}

import Foundation
import TBotPluginAPI
import TBotCore
import XCTest

/// The shared indicator library (PluginAPI/include/tbot_indicators.h), checked against TA-Lib
/// on real bar files (Tests/Reference/indicators_reference.py prints TA-Lib's series) and by
/// hand on small inputs.
final class IndicatorTests: XCTestCase {
    static let tolerance = 1e-9

    // MARK: - Against the reference library

    func testDailyBarsMatchTALib() throws {
        try compareWithReference(file: "orcl-1995-2014.txt", expectedBars: 5036)
    }

    func testMinuteBarsMatchTALibAndSessionVWAP() throws {
        try compareWithReference(file: "spy-2013-10-04_2013-10-11-min-001.csv", expectedBars: 4839)
    }

    // MARK: - Values by hand

    func testSMAByHand() {
        var sma = tbot_sma_t()
        XCTAssertEqual(tbot_sma_init(&sma, 3), 0)
        defer { tbot_sma_free(&sma) }
        XCTAssertEqual(tbot_sma_push(&sma, 10.0), 0)
        XCTAssertTrue(sma.value.isNaN)
        XCTAssertEqual(tbot_sma_push(&sma, 11.0), 0)
        XCTAssertEqual(tbot_sma_push(&sma, 12.5), 1)
        XCTAssertEqual(sma.value, 33.5 / 3, accuracy: 1e-15)
        XCTAssertEqual(tbot_sma_push(&sma, 14.0), 1)
        XCTAssertEqual(sma.value, 12.5, accuracy: 1e-15)

        var one = tbot_sma_t()
        XCTAssertEqual(tbot_sma_init(&one, 1), 0)
        defer { tbot_sma_free(&one) }
        XCTAssertEqual(tbot_sma_push(&one, 7.25), 1)
        XCTAssertEqual(one.value, 7.25)
    }

    func testEMAAndMACDByHand() {
        var ema = tbot_ema_t()
        XCTAssertEqual(tbot_ema_init(&ema, 3), 0) // k = 0.5
        defer { tbot_ema_free(&ema) }
        XCTAssertEqual(ema.k, 0.5)
        XCTAssertEqual(tbot_ema_push(&ema, 1), 0)
        XCTAssertEqual(tbot_ema_push(&ema, 2), 0)
        XCTAssertEqual(tbot_ema_push(&ema, 3), 1)
        XCTAssertEqual(ema.value, 2) // seed: SMA of the first three
        XCTAssertEqual(tbot_ema_push(&ema, 6), 1)
        XCTAssertEqual(ema.value, 4) // 2 + (6 - 2) * 0.5

        // MACD(2, 3, 1): both EMAs start at bar 3; the fast one is seeded with the SMA of
        // bars 2..3 (TA-Lib), not of bars 1..2. Slow and fast are swapped like TA-Lib does.
        var macd = tbot_macd_t()
        XCTAssertEqual(tbot_macd_init(&macd, 3, 2, 1), 0)
        XCTAssertEqual(macd.fast, 2)
        XCTAssertEqual(macd.slow, 3)
        XCTAssertEqual(tbot_macd_push(&macd, 1), 0)
        XCTAssertEqual(tbot_macd_push(&macd, 2), 0)
        XCTAssertTrue(macd.macd.isNaN && macd.signal.isNaN && macd.histogram.isNaN)
        XCTAssertEqual(tbot_macd_push(&macd, 6), 1)
        XCTAssertEqual(macd.macd, 4 - 3) // fast (2 + 6) / 2, slow (1 + 2 + 6) / 3
        XCTAssertEqual(macd.signal, 1) // signal period 1: the line itself
        XCTAssertEqual(macd.histogram, 0)
        // Bar 4: fast k = 2/3, slow k = 1/2.
        XCTAssertEqual(tbot_macd_push(&macd, 9), 1)
        let fastEMA: Double = 4 + 5 * (2.0 / 3), slowEMA: Double = 3 + 6 * 0.5
        XCTAssertEqual(macd.macd, fastEMA - slowEMA, accuracy: 1e-12)
        tbot_macd_free(&macd)
    }

    func testRSIATRAndADXByHand() {
        // RSI(2): changes +1, +1 seed gain 1, loss 0 -> 100; then -2: gain 0.5, loss 1.
        var rsi = tbot_rsi_t()
        XCTAssertEqual(tbot_rsi_init(&rsi, 2), 0)
        XCTAssertEqual(tbot_rsi_push(&rsi, 10), 0)
        XCTAssertEqual(tbot_rsi_push(&rsi, 11), 0)
        XCTAssertEqual(tbot_rsi_push(&rsi, 12), 1)
        XCTAssertEqual(rsi.value, 100)
        XCTAssertEqual(tbot_rsi_push(&rsi, 10), 1)
        XCTAssertEqual(rsi.value, 100 * 0.5 / 1.5, accuracy: 1e-12)
        // No movement at all: TA-Lib reports 0.
        tbot_rsi_reset(&rsi)
        for _ in 0..<3 { _ = tbot_rsi_push(&rsi, 5) }
        XCTAssertEqual(rsi.value, 0)
        tbot_rsi_free(&rsi)

        // ATR(2): bar 1 has no true range; TR2 = max(12-9, |12-10|, |9-10|) = 3,
        // TR3 = max(11-10, |11-8|, |10-8|) = 3 (gap from the close 8), TR4 = 4.
        var atr = tbot_atr_t()
        XCTAssertEqual(tbot_atr_init(&atr, 2), 0)
        XCTAssertEqual(tbot_atr_push(&atr, 11, 9, 10), 0)
        XCTAssertEqual(tbot_atr_push(&atr, 12, 9, 8), 0)
        XCTAssertEqual(tbot_atr_push(&atr, 11, 10, 10.5), 1)
        XCTAssertEqual(atr.value, 3)
        XCTAssertEqual(tbot_atr_push(&atr, 14, 10, 13), 1)
        XCTAssertEqual(atr.value, (3 * 1 + 4) / 2)
        tbot_atr_free(&atr)

        // ADX(2) on a steady rise: -DM is 0 everywhere, so +DI = 100 * sum(+DM) / sum(TR) and
        // DX = 100 from the first DI bar on; ADX (bar 4) = 100.
        var adx = tbot_adx_t()
        XCTAssertEqual(tbot_adx_init(&adx, 2), 0)
        let bars: [(Double, Double, Double)] = [(10, 9, 9.5), (11, 10, 10.5), (12, 11, 11.5), (13, 12, 12.5), (14, 13, 13.5)]
        var returns: [Int32] = []
        for (high, low, close) in bars { returns.append(tbot_adx_push(&adx, high, low, close)) }
        XCTAssertEqual(returns, [0, 0, 0, 1, 1])
        XCTAssertEqual(adx.adx, 100)
        XCTAssertEqual(adx.minus_di, 0)
        // +DM is 1 and TR 1.5 on every bar (closes sit mid-bar), so +DI = 100 * 1 / 1.5.
        XCTAssertEqual(adx.plus_di, 200.0 / 3, accuracy: 1e-12)
        tbot_adx_free(&adx)
    }

    func testBandsExtremesAndVWAPByHand() {
        var bands = tbot_bbands_t()
        XCTAssertEqual(tbot_bbands_init(&bands, 2, 2, 1), 0)
        XCTAssertEqual(tbot_bbands_push(&bands, 1), 0)
        XCTAssertEqual(tbot_bbands_push(&bands, 3), 1)
        XCTAssertEqual(bands.middle, 2)
        XCTAssertEqual(bands.upper, 4) // population sd of {1, 3} is 1
        XCTAssertEqual(bands.lower, 1)
        XCTAssertEqual(tbot_bbands_push(&bands, 3), 1)
        XCTAssertEqual(bands.middle, 3)
        XCTAssertEqual(bands.upper, 3)
        tbot_bbands_free(&bands)

        var high = tbot_highest_t(), low = tbot_lowest_t()
        XCTAssertEqual(tbot_highest_init(&high, 3), 0)
        XCTAssertEqual(tbot_lowest_init(&low, 3), 0)
        var highs: [Double] = [], lows: [Double] = []
        for x in [5.0, 3, 4, 1, 2, 2, 6, 0] {
            if tbot_highest_push(&high, x) == 1 { highs.append(high.value) }
            if tbot_lowest_push(&low, x) == 1 { lows.append(low.value) }
        }
        XCTAssertEqual(highs, [5, 4, 4, 2, 6, 6])
        XCTAssertEqual(lows, [3, 1, 1, 1, 2, 0])
        tbot_highest_free(&high)
        tbot_lowest_free(&low)

        var vwap = tbot_vwap_t()
        XCTAssertEqual(tbot_vwap_init(&vwap), 0)
        // Zero volume so far: the typical price.
        XCTAssertEqual(tbot_vwap_push(&vwap, 12, 9, 9, 0), 1)
        XCTAssertEqual(vwap.value, 10)
        XCTAssertEqual(tbot_vwap_push(&vwap, 21, 18, 21, 100), 1) // tp 20
        XCTAssertEqual(vwap.value, 20)
        XCTAssertEqual(tbot_vwap_push(&vwap, 12, 9, 9, 300), 1) // tp 10
        XCTAssertEqual(vwap.value, (20 * 100 + 10 * 300) / 400.0)
        XCTAssertEqual(vwap.volume, 400)
        // A negative volume is refused; the session resets at the caller's command.
        XCTAssertEqual(tbot_vwap_push(&vwap, 100, 100, 100, -5), 1)
        XCTAssertEqual(vwap.value, 12.5)
        tbot_vwap_reset(&vwap)
        XCTAssertTrue(vwap.value.isNaN)
        XCTAssertEqual(vwap.volume, 0)
        XCTAssertEqual(tbot_vwap_push(&vwap, 3, 3, 3, 10), 1)
        XCTAssertEqual(vwap.value, 3)
        tbot_vwap_free(&vwap)
    }

    // MARK: - Exact SMA

    func testPriceFixedConversion() {
        XCTAssertEqual(TBOT_PRICE_FIXED_SCALE, 100_000_000)
        XCTAssertEqual(tbot_price_fixed(1.23456789), 123_456_789)
        XCTAssertEqual(tbot_price_fixed(-0.00000001), -1)
        XCTAssertEqual(tbot_price_fixed(0.1), 10_000_000)
        // The exactness bound documented in the header: any 8-decimal price below 2^25.
        XCTAssertEqual(tbot_price_fixed(33_554_431.99999999), 3_355_443_199_999_999)
        XCTAssertEqual(tbot_price_fixed(16_777_215.12345678), 1_677_721_512_345_678)
        XCTAssertEqual(tbot_price_fixed(.nan), Int64.min)
        XCTAssertEqual(tbot_price_fixed(.infinity), Int64.min)
        XCTAssertEqual(tbot_price_fixed(1e11), Int64.min)
    }

    /// The header rounds without calling llround: it must agree with llround everywhere in range,
    /// exact halves included.
    func testPriceFixedRoundsAsLlround() {
        var generator = SeededRandom(seed: 20_261_121)
        var values: [Double] = [0.000000005, -0.000000005, 0.000000015, 2.5e-8, -2.5e-8, 45_035_996.273_704_96, 9.19e10, -9.19e10]
        for _ in 0..<100_000 {
            let bits = generator.next()
            let magnitude = Double(bits % 1_000_000_000_000) / Double([1, 100, 10_000, 1e8, 1e10, 3][Int(bits >> 45) % 6])
            values.append(bits & 1 == 0 ? magnitude : -magnitude)
            values.append(Double(Int64(bits % 2_000_000_001) - 1_000_000_000) + 0.5) // halves once scaled
        }
        for price in values {
            let scaled = price * Double(TBOT_PRICE_FIXED_SCALE)
            guard abs(scaled) < 9.2e18 else { continue }
            XCTAssertEqual(tbot_price_fixed(price), Int64(llround(scaled)), "\(price)")
            XCTAssertEqual(tbot_priv_round_half_away(price), Int64(llround(price)), "\(price)")
        }
    }

    func testExactSMATiesCompareEqualWhereFloatMeansDiffer() {
        // SMA(2) of 1.1, 1.2 and SMA(4) of 1.0, 1.2, 1.1, 1.3 are both 1.15 exactly, but the
        // plain double means differ in the last bit.
        let floatMeanA = (1.1 + 1.2) / 2.0
        let floatMeanB = (((1.0 + 1.2) + 1.1) + 1.3) / 4.0
        XCTAssertNotEqual(floatMeanA, floatMeanB)

        var a = tbot_xsma_t(), b = tbot_xsma_t()
        XCTAssertEqual(tbot_xsma_init(&a, 2), 0)
        XCTAssertEqual(tbot_xsma_init(&b, 4), 0)
        defer { tbot_xsma_free(&a); tbot_xsma_free(&b) }
        XCTAssertEqual(tbot_xsma_push(&a, 1.1), 0)
        XCTAssertEqual(tbot_xsma_push(&a, 1.2), 1)
        for x in [1.0, 1.2, 1.1] { XCTAssertEqual(tbot_xsma_push(&b, x), 0) }
        XCTAssertEqual(tbot_xsma_compare(&a, &b), 0, "not warm yet: no ordering")
        XCTAssertEqual(tbot_xsma_push(&b, 1.3), 1)
        XCTAssertEqual(a.sum, 230_000_000)
        XCTAssertEqual(b.sum, 460_000_000)
        XCTAssertEqual(tbot_xsma_compare(&a, &b), 0)
        XCTAssertEqual(tbot_xsma_compare(&b, &a), 0)
        XCTAssertEqual(a.value, 1.15)

        // One unit of 1e-8 either way is seen.
        // b's window becomes 1.2, 1.1, 1.3, 1.00000001: mean 1.1500000000250, just above.
        XCTAssertEqual(tbot_xsma_push(&b, 1.00000001), 1)
        XCTAssertEqual(b.sum, 460_000_001)
        XCTAssertEqual(tbot_xsma_compare(&a, &b), -1)
        XCTAssertEqual(tbot_xsma_compare(&b, &a), 1)

        // SMA(2) of 0.1, 0.2 against SMA(2) of 0.3, 0.0: equal means, different float sums.
        XCTAssertNotEqual((0.1 + 0.2) / 2, (0.3 + 0.0) / 2)
        var c = tbot_xsma_t(), d = tbot_xsma_t()
        XCTAssertEqual(tbot_xsma_init(&c, 2), 0)
        XCTAssertEqual(tbot_xsma_init(&d, 2), 0)
        defer { tbot_xsma_free(&c); tbot_xsma_free(&d) }
        _ = tbot_xsma_push(&c, 0.1); _ = tbot_xsma_push(&c, 0.2)
        _ = tbot_xsma_push(&d, 0.3); _ = tbot_xsma_push(&d, 0.0)
        XCTAssertEqual(tbot_xsma_compare(&c, &d), 0)

        // Negative means and the extreme ends of the range compare without overflow.
        var big = tbot_xsma_t(), wide = tbot_xsma_t()
        XCTAssertEqual(tbot_xsma_init(&big, 1), 0)
        XCTAssertEqual(tbot_xsma_init(&wide, Int32(TBOT_IND_MAX_PERIOD)), 0)
        defer { tbot_xsma_free(&big); tbot_xsma_free(&wide) }
        XCTAssertEqual(tbot_xsma_push_fixed(&big, Int64.max), 1)
        let limit = Int64.max / Int64(TBOT_IND_MAX_PERIOD)
        for _ in 0..<TBOT_IND_MAX_PERIOD { _ = tbot_xsma_push_fixed(&wide, limit) }
        XCTAssertEqual(tbot_xsma_compare(&big, &wide), 1)
        XCTAssertEqual(tbot_xsma_push_fixed(&big, -Int64.max), 1)
        XCTAssertEqual(tbot_xsma_compare(&big, &wide), -1)
        // An input that could overflow the window sum is refused.
        let before = wide.sum
        XCTAssertEqual(tbot_xsma_push_fixed(&wide, limit + 1), 1)
        XCTAssertEqual(wide.sum, before)
    }

    // MARK: - Drift

    /// 300,000 bars of a random walk falling from 10,000 to about 1: the running sums must
    /// still agree with a direct recomputation of the last window (a plain running sum
    /// would carry the rounding of the high-priced bars into the low-priced ones).
    func testRunningSumsDoNotDriftOverALongRun() {
        var sma = tbot_sma_t(), bands = tbot_bbands_t()
        XCTAssertEqual(tbot_sma_init(&sma, 20), 0)
        XCTAssertEqual(tbot_bbands_init(&bands, 20, 2, 2), 0)
        defer { tbot_sma_free(&sma); tbot_bbands_free(&bands) }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / 9_007_199_254_740_992.0
        }
        let count = 300_000
        var price = 10_000.0, window: [Double] = [], worstMean = 0.0, worstDeviation = 0.0
        for index in 0..<count {
            price *= exp(-log(10_000.0) / Double(count) + 0.002 * (uniform() - 0.5))
            window.append(price)
            if window.count > 20 { window.removeFirst() }
            _ = tbot_sma_push(&sma, price)
            _ = tbot_bbands_push(&bands, price)
            if index % 997 == 0 && window.count == 20 || index == count - 1 {
                let mean = window.reduce(0, +) / 20
                let deviation = sqrt(window.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 20)
                worstMean = max(worstMean, abs(sma.value - mean) / mean, abs(bands.middle - mean) / mean)
                worstDeviation = max(worstDeviation, abs((bands.upper - bands.middle) / 2 - deviation) / mean)
            }
        }
        XCTAssertLessThan(price, 2)
        XCTAssertLessThan(worstMean, 1e-13)
        XCTAssertLessThan(worstDeviation, 1e-13)
    }

    // MARK: - Reset, invalid parameters, bad inputs

    func testResetStartsOverWithTheSameParameters() throws {
        let bars = try Self.bars("orcl-1995-2014.txt").prefix(120)
        var first = Battery(), second = Battery()
        defer { first.free(); second.free() }
        first.push(Array(bars))
        first.reset()
        XCTAssertTrue(first.sma.value.isNaN && first.macd.macd.isNaN && first.adx.adx.isNaN && first.adx.plus_di.isNaN
            && first.bbands.upper.isNaN && first.high.value.isNaN && first.vwap.value.isNaN && first.xsma.value.isNaN)
        XCTAssertEqual(first.sma.period, 20)
        XCTAssertEqual(first.macd.slow, 26)
        XCTAssertEqual(tbot_sma_push(&first.sma, 1), 0)
        tbot_sma_reset(&first.sma)
        // Replaying after a reset gives bit-identical results to a fresh instance.
        let replay = Array(bars.prefix(90))
        first.push(replay)
        second.push(replay)
        XCTAssertEqual(first.bits, second.bits)
    }

    func testInvalidParametersReturnMinusOneAndLeaveASafeStruct() {
        var sma = tbot_sma_t()
        for period: Int32 in [0, -1, 100_001, .min] {
            XCTAssertEqual(tbot_sma_init(&sma, period), -1, "SMA(\(period))")
            XCTAssertEqual(tbot_sma_push(&sma, 1), 0)
            tbot_sma_free(&sma)
        }
        var xsma = tbot_xsma_t()
        XCTAssertEqual(tbot_xsma_init(&xsma, 0), -1)
        XCTAssertEqual(tbot_xsma_push(&xsma, 1), 0)
        tbot_xsma_free(&xsma)
        var ema = tbot_ema_t()
        XCTAssertEqual(tbot_ema_init(&ema, 0), -1)
        XCTAssertEqual(tbot_ema_push(&ema, 1), 0)
        var rsi = tbot_rsi_t()
        XCTAssertEqual(tbot_rsi_init(&rsi, 1), -1)
        XCTAssertEqual(tbot_rsi_push(&rsi, 1), 0)
        var macd = tbot_macd_t()
        XCTAssertEqual(tbot_macd_init(&macd, 1, 26, 9), -1)
        XCTAssertEqual(tbot_macd_init(&macd, 12, 26, 0), -1)
        XCTAssertEqual(tbot_macd_init(&macd, 12, 100_001, 9), -1)
        XCTAssertEqual(tbot_macd_push(&macd, 1), 0)
        var atr = tbot_atr_t()
        XCTAssertEqual(tbot_atr_init(&atr, 0), -1)
        XCTAssertEqual(tbot_atr_push(&atr, 1, 1, 1), 0)
        var adx = tbot_adx_t()
        XCTAssertEqual(tbot_adx_init(&adx, 1), -1)
        XCTAssertEqual(tbot_adx_push(&adx, 1, 1, 1), 0)
        var bands = tbot_bbands_t()
        XCTAssertEqual(tbot_bbands_init(&bands, 1, 2, 2), -1)
        XCTAssertEqual(tbot_bbands_init(&bands, 20, .nan, 2), -1)
        XCTAssertEqual(tbot_bbands_init(&bands, 20, 2, -1), -1)
        XCTAssertEqual(tbot_bbands_init(&bands, 20, .infinity, 2), -1)
        XCTAssertEqual(tbot_bbands_push(&bands, 1), 0)
        tbot_bbands_free(&bands)
        var high = tbot_highest_t(), low = tbot_lowest_t()
        XCTAssertEqual(tbot_highest_init(&high, 0), -1)
        XCTAssertEqual(tbot_lowest_init(&low, -3), -1)
        XCTAssertEqual(tbot_highest_push(&high, 1), 0)
        XCTAssertEqual(tbot_lowest_push(&low, 1), 0)
        tbot_highest_free(&high)
        tbot_lowest_free(&low)
        // A zeroed struct (init never called) is inert, and free twice is harmless.
        var vwap = tbot_vwap_t()
        XCTAssertEqual(tbot_vwap_push(&vwap, 1, 1, 1, 1), 0)
        tbot_vwap_free(&vwap)
        var zeroed = tbot_sma_t()
        XCTAssertEqual(tbot_sma_push(&zeroed, 1), 0)
        tbot_sma_free(&zeroed)
        tbot_sma_free(&zeroed)
    }

    func testNonFiniteInputsAreIgnored() throws {
        let bars = try Self.bars("orcl-1995-2014.txt").prefix(200)
        var clean = Battery(), noisy = Battery()
        defer { clean.free(); noisy.free() }
        for (index, bar) in bars.enumerated() {
            let flags = clean.push([bar])
            noisy.push([bar])
            if index % 7 == 3 {
                let before = noisy.bits
                let returns = noisy.pushNonFinite()
                XCTAssertEqual(noisy.bits, before, "bar \(index): a non-finite input changed a result")
                for (name, warm) in returns {
                    XCTAssertEqual(warm, flags[name == "xsma20" ? "sma20" : name], "bar \(index): \(name) returned a different warm flag")
                }
            }
        }
        XCTAssertEqual(clean.bits, noisy.bits)
    }

    // MARK: - Comparison machinery

    private func compareWithReference(file: String, expectedBars: Int) throws {
        let path = try Self.dataPath(file)
        let reference = try Self.reference(for: path)
        let bars = try Self.bars(file)
        XCTAssertEqual(bars.count, expectedBars)
        XCTAssertEqual(reference.bars, bars.count)

        var battery = Battery()
        defer { battery.free() }
        var ours: [String: [Double]] = [:]
        var warm: [String: [Bool]] = [:]
        for bar in bars {
            let flags = battery.push([bar])
            for (name, value) in battery.snapshot { ours[name, default: []].append(value) }
            for (name, flag) in flags { warm[name, default: []].append(flag) }
        }

        var report: [String] = []
        for name in Battery.seriesNames {
            guard let expected = reference.series[name] else { XCTFail("\(file): reference has no \(name)"); continue }
            guard let actual = ours[name], let flags = warm[name] else { XCTFail("no series \(name)"); continue }
            XCTAssertEqual(expected.count, actual.count, name)
            var worst = 0.0, worstIndex = -1, compared = 0
            for index in 0..<min(expected.count, actual.count) {
                guard let want = expected[index] else {
                    XCTAssertTrue(actual[index].isNaN, "\(file) \(name)[\(index)]: reference is still warming up, ours is \(actual[index])")
                    XCTAssertFalse(flags[index], "\(file) \(name)[\(index)]: push said warm before the reference")
                    continue
                }
                let got = actual[index]
                XCTAssertTrue(flags[index], "\(file) \(name)[\(index)]: push said not warm, reference has \(want)")
                let error = abs(got - want) / max(abs(got), abs(want), 1e-12)
                if !(error <= worst) { worst = error; worstIndex = index } // NaN counts as worst
                compared += 1
            }
            XCTAssertGreaterThan(compared, expected.count - 250, "\(name): too few values compared")
            XCTAssertLessThanOrEqual(worst, Self.tolerance,
                "\(file) \(name): worst relative error \(worst) at bar index \(worstIndex) (\(bars[max(worstIndex, 0)].date)): "
                    + "ours \(actual[max(worstIndex, 0)]), TA-Lib \(expected[max(worstIndex, 0)].map(String.init(describing:)) ?? "null")")
            report.append("\(name) \(String(format: "%.2e", worst)) (index \(worstIndex), \(compared) values)")
        }
        print("IndicatorTests \(file) against \(reference.version): worst relative error per series:\n  "
            + report.joined(separator: "\n  "))
    }

    struct Reference {
        let version: String
        let bars: Int
        let series: [String: [Double?]]
    }

    static func dataPath(_ file: String) throws -> String {
        let shared = URL(fileURLWithPath: try TestPaths.sourceRoot).deletingLastPathComponent()
            .appendingPathComponent("shared/data").appendingPathComponent(file).path
        guard FileManager.default.fileExists(atPath: shared) else { throw TestSupportError("\(shared) is missing") }
        return shared
    }

    /// Runs the reference script (its output, about 2 MB, goes through a file).
    static func reference(for path: String) throws -> Reference {
        let script = URL(fileURLWithPath: try TestPaths.sourceRoot).appendingPathComponent("Tests/Reference/indicators_reference.py").path
        let run = try ToolProcess.python([script, path])
        guard run.status == 0 else {
            throw TestSupportError("the reference script failed (\(run.status)); python3 with TA-Lib and numpy "
                + "is installed by scripts/install-deps.sh:\n\(run.stderr)")
        }
        struct Document: Decodable {
            let bars: Int
            let talib: String
            let series: [String: [Double?]]
        }
        let document = try JSONDecoder().decode(Document.self, from: Data(run.stdout.utf8))
        return Reference(version: "TA-Lib \(document.talib)", bars: document.bars, series: document.series)
    }

    struct Bar {
        let date: String
        let high: Double
        let low: Double
        let close: Double
        let volume: Double
    }

    /// Daily (Date,Open,High,Low,Close,Adj Close,Volume) or minute (Date,Time,Open,High,Low,
    /// Close,Volume) bars, by header name.
    static func bars(_ file: String) throws -> [Bar] {
        let text = try String(contentsOfFile: try dataPath(file), encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard !lines.isEmpty else { throw TestSupportError("\(file) is empty") }
        let header = lines.removeFirst().map { $0.trimmingCharacters(in: .whitespaces) }
        func column(_ name: String) throws -> Int {
            guard let index = header.firstIndex(of: name) else { throw TestSupportError("\(file): no column \(name)") }
            return index
        }
        let date = try column("Date"), high = try column("High"), low = try column("Low"), close = try column("Close"),
            volume = try column("Volume")
        return try lines.map { fields in
            func number(_ index: Int) throws -> Double {
                guard index < fields.count, let value = Double(fields[index].trimmingCharacters(in: .whitespaces)) else {
                    throw TestSupportError("\(file): bad line \(fields)")
                }
                return value
            }
            return Bar(date: fields[date], high: try number(high), low: try number(low), close: try number(close),
                       volume: try number(volume))
        }
    }
}

/// Every indicator with the tested parameters, fed the same bars.
private struct Battery {
    static let seriesNames = ["sma5", "sma20", "sma200", "ema12", "ema26", "rsi14", "macd", "macd_signal", "macd_histogram",
                              "atr14", "adx14", "plus_di14", "minus_di14", "bbands_upper", "bbands_middle", "bbands_lower",
                              "max20", "min20", "volume_sma20", "vwap"]

    var sma5 = tbot_sma_t(), sma = tbot_sma_t(), sma200 = tbot_sma_t(), volume = tbot_sma_t()
    var xsma = tbot_xsma_t()
    var ema12 = tbot_ema_t(), ema26 = tbot_ema_t()
    var rsi = tbot_rsi_t()
    var macd = tbot_macd_t()
    var atr = tbot_atr_t()
    var adx = tbot_adx_t()
    var bbands = tbot_bbands_t()
    var high = tbot_highest_t(), low = tbot_lowest_t()
    var vwap = tbot_vwap_t()
    var session = ""

    init() {
        let results = [tbot_sma_init(&sma5, 5), tbot_sma_init(&sma, 20), tbot_sma_init(&sma200, 200), tbot_sma_init(&volume, 20),
                       tbot_xsma_init(&xsma, 20), tbot_ema_init(&ema12, 12), tbot_ema_init(&ema26, 26), tbot_rsi_init(&rsi, 14),
                       tbot_macd_init(&macd, 12, 26, 9), tbot_atr_init(&atr, 14), tbot_adx_init(&adx, 14),
                       tbot_bbands_init(&bbands, 20, 2, 2), tbot_highest_init(&high, 20), tbot_lowest_init(&low, 20),
                       tbot_vwap_init(&vwap)]
        precondition(results.allSatisfy { $0 == 0 }, "indicator init failed: \(results)")
    }

    /// Pushes the bars; returns the last push's warm flags per series. VWAP resets when the
    /// date changes (one session per calendar day).
    @discardableResult
    mutating func push(_ bars: [IndicatorTests.Bar], resetOnNewDay: Bool = true) -> [String: Bool] {
        var flags: [String: Bool] = [:]
        for bar in bars {
            if resetOnNewDay && bar.date != session {
                session = bar.date
                tbot_vwap_reset(&vwap)
            }
            let c = bar.close
            let m = tbot_macd_push(&macd, c) == 1, d = tbot_adx_push(&adx, bar.high, bar.low, c) == 1
            let b = tbot_bbands_push(&bbands, c) == 1
            _ = tbot_xsma_push(&xsma, c)
            flags = ["sma5": tbot_sma_push(&sma5, c) == 1, "sma20": tbot_sma_push(&sma, c) == 1,
                     "sma200": tbot_sma_push(&sma200, c) == 1, "ema12": tbot_ema_push(&ema12, c) == 1,
                     "ema26": tbot_ema_push(&ema26, c) == 1, "rsi14": tbot_rsi_push(&rsi, c) == 1,
                     "macd": m, "macd_signal": m, "macd_histogram": m,
                     "atr14": tbot_atr_push(&atr, bar.high, bar.low, c) == 1,
                     // The DI fields fill in `period` bars before ADX, like TA-Lib's PLUS_DI/MINUS_DI.
                     "adx14": d, "plus_di14": !adx.plus_di.isNaN, "minus_di14": !adx.minus_di.isNaN,
                     "bbands_upper": b, "bbands_middle": b, "bbands_lower": b,
                     "max20": tbot_highest_push(&high, c) == 1, "min20": tbot_lowest_push(&low, c) == 1,
                     "volume_sma20": tbot_sma_push(&volume, bar.volume) == 1,
                     "vwap": tbot_vwap_push(&vwap, bar.high, bar.low, c, bar.volume) == 1]
        }
        return flags
    }

    /// Every result field, by series name (NaN while warming up).
    var snapshot: [String: Double] {
        ["sma5": sma5.value, "sma20": sma.value, "sma200": sma200.value, "ema12": ema12.value, "ema26": ema26.value,
         "rsi14": rsi.value, "macd": macd.macd, "macd_signal": macd.signal, "macd_histogram": macd.histogram,
         "atr14": atr.value, "adx14": adx.adx, "plus_di14": adx.plus_di, "minus_di14": adx.minus_di,
         "bbands_upper": bbands.upper, "bbands_middle": bbands.middle, "bbands_lower": bbands.lower,
         "max20": high.value, "min20": low.value, "volume_sma20": volume.value, "vwap": vwap.value,
         "xsma20": xsma.value]
    }

    /// The snapshot as bit patterns, so NaN equals NaN in comparisons.
    var bits: [String: UInt64] { snapshot.mapValues(\.bitPattern) }

    /// Offers every indicator non-finite inputs (and VWAP a negative volume); returns the
    /// warm flag each push answered.
    mutating func pushNonFinite() -> [String: Bool] {
        var flags: [String: Bool] = [:]
        for bad in [Double.nan, .infinity, -.infinity] {
            flags["sma5"] = tbot_sma_push(&sma5, bad) == 1
            flags["sma20"] = tbot_sma_push(&sma, bad) == 1
            flags["sma200"] = tbot_sma_push(&sma200, bad) == 1
            flags["volume_sma20"] = tbot_sma_push(&volume, bad) == 1
            flags["xsma20"] = tbot_xsma_push(&xsma, bad) == 1
            flags["ema12"] = tbot_ema_push(&ema12, bad) == 1
            flags["ema26"] = tbot_ema_push(&ema26, bad) == 1
            flags["rsi14"] = tbot_rsi_push(&rsi, bad) == 1
            flags["macd"] = tbot_macd_push(&macd, bad) == 1
            flags["atr14"] = tbot_atr_push(&atr, 10, bad, 10) == 1
            flags["adx14"] = tbot_adx_push(&adx, bad, 10, 10) == 1
            flags["bbands_upper"] = tbot_bbands_push(&bbands, bad) == 1
            flags["max20"] = tbot_highest_push(&high, bad) == 1
            flags["min20"] = tbot_lowest_push(&low, bad) == 1
            flags["vwap"] = tbot_vwap_push(&vwap, 10, 10, bad, 100) == 1
        }
        _ = tbot_adx_push(&adx, 10, 10, .nan)
        _ = tbot_atr_push(&atr, .infinity, 10, 10)
        flags["vwap"] = tbot_vwap_push(&vwap, 10, 10, 10, -1) == 1
        _ = tbot_vwap_push(&vwap, 10, 10, 10, .nan)
        return flags
    }

    mutating func reset() {
        tbot_sma_reset(&sma5); tbot_sma_reset(&sma); tbot_sma_reset(&sma200); tbot_sma_reset(&volume)
        tbot_xsma_reset(&xsma); tbot_ema_reset(&ema12); tbot_ema_reset(&ema26); tbot_rsi_reset(&rsi)
        tbot_macd_reset(&macd); tbot_atr_reset(&atr); tbot_adx_reset(&adx); tbot_bbands_reset(&bbands)
        tbot_highest_reset(&high); tbot_lowest_reset(&low); tbot_vwap_reset(&vwap)
        session = ""
    }

    mutating func free() {
        tbot_sma_free(&sma5); tbot_sma_free(&sma); tbot_sma_free(&sma200); tbot_sma_free(&volume)
        tbot_xsma_free(&xsma); tbot_ema_free(&ema12); tbot_ema_free(&ema26); tbot_rsi_free(&rsi)
        tbot_macd_free(&macd); tbot_atr_free(&atr); tbot_adx_free(&adx); tbot_bbands_free(&bbands)
        tbot_highest_free(&high); tbot_lowest_free(&low); tbot_vwap_free(&vwap)
    }
}

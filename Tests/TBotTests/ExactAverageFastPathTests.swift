import XCTest
import TBotCore
import TBotPluginAPI

/// The per-bar shortcuts of tbot_indicators.h's exact average give what the general code
/// gives: the int64 comparison equals the 128-bit one wherever the products fit (and the
/// 128-bit one takes over where they do not), push_sum plus mean equals push_fixed's value
/// bit for bit, and the one-comparison range check refuses exactly what the three did.
final class ExactAverageFastPathTests: XCTestCase {
    /// A warm window with `sum` over `period` as far as compare is concerned.
    private func window(sum: Int64, period: Int32) -> tbot_xsma_t {
        var s = tbot_xsma_t()
        s.sum = sum
        s.period = period
        s.count = period
        return s
    }

    /// sign(sa * pb - sb * pa) in full width.
    private func referenceSign(_ sa: Int64, _ pa: Int32, _ sb: Int64, _ pb: Int32) -> Int32 {
        let left = sa.multipliedFullWidth(by: Int64(pb)), right = sb.multipliedFullWidth(by: Int64(pa))
        if left.high != right.high { return left.high < right.high ? -1 : 1 }
        if left.low != right.low { return left.low < right.low ? -1 : 1 }
        return 0
    }

    func testCompareEqualsTheFullWidthProductsOnSeededSumsTiesAndEdges() {
        var random = SeededRandom(seed: 20_260_601)
        var cases: [(Int64, Int32, Int64, Int32)] = []
        let limit = Int32(TBOT_IND_MAX_PERIOD)
        // Edges: products just inside and just outside int64, signs, zero, the extremes.
        for (pa, pb) in [(Int32(1), limit), (limit, Int32(1)), (50, 200), (limit, limit), (7, 3)] {
            let fitsA = Int64.max / Int64(pb), fitsB = Int64.max / Int64(pa)
            for sa in [fitsA, fitsA &+ 1, -fitsA, -fitsA &- 1, 0, 1, -1, Int64.max, -Int64.max, Int64.min] {
                for sb in [fitsB, fitsB &+ 1, -fitsB, -fitsB &- 1, 0, 1, -1, Int64.max, -Int64.max, Int64.min] {
                    cases.append((sa, pa, sb, pb))
                }
            }
        }
        for _ in 0..<50_000 {
            let pa = Int32.random(in: 1...limit, using: &random), pb = Int32.random(in: 1...limit, using: &random)
            // Sums of realistic windows, of huge ones, and exact ties (equal means).
            let mean = Int64.random(in: -100_000_000_000...100_000_000_000, using: &random)
            switch Int.random(in: 0..<3, using: &random) {
            case 0: cases.append((mean * Int64(pa), pa, mean * Int64(pb), pb))
            case 1: cases.append((mean * Int64(pa), pa, mean * Int64(pb) + Int64.random(in: -2...2, using: &random), pb))
            default: cases.append((Int64.random(in: .min + 1 ... .max, using: &random), pa, Int64.random(in: .min + 1 ... .max, using: &random), pb))
            }
        }
        var ties = 0
        for (sa, pa, sb, pb) in cases {
            var a = window(sum: sa, period: pa), b = window(sum: sb, period: pb)
            let expected = referenceSign(sa, pa, sb, pb)
            if expected == 0 { ties += 1 }
            XCTAssertEqual(tbot_xsma_compare(&a, &b), expected, "\(sa)/\(pa) vs \(sb)/\(pb)")
            XCTAssertEqual(tbot_xsma_compare(&b, &a), -expected, "\(sb)/\(pb) vs \(sa)/\(pa)")
        }
        XCTAssertGreaterThan(ties, 10_000)
    }

    func testPushSumAndMeanEqualPushFixedBitForBit() {
        var random = SeededRandom(seed: 77)
        for period in [Int32(1), 2, 3, 50, 200] {
            var full = tbot_xsma_t(), lean = tbot_xsma_t()
            XCTAssertEqual(tbot_xsma_init(&full, period), 0)
            XCTAssertEqual(tbot_xsma_init(&lean, period), 0)
            defer { tbot_xsma_free(&full); tbot_xsma_free(&lean) }
            for step in 0..<2_000 {
                // Prices with 2 to 8 decimals, now and then one the window refuses.
                var fixed = tbot_price_fixed(Double(Int64.random(in: 1...99_999_999, using: &random)) / [100.0, 1e4, 1e8][step % 3])
                if step % 97 == 0 { fixed = step % 2 == 0 ? Int64.min : full.max_abs &+ 1 }
                let warm = tbot_xsma_push_fixed(&full, fixed)
                XCTAssertEqual(tbot_xsma_push_sum(&lean, fixed), warm)
                XCTAssertEqual(lean.sum, full.sum)
                if warm == 1 { XCTAssertEqual(tbot_xsma_mean(&lean).bitPattern, full.value.bitPattern) }
            }
        }
    }

    func testRangeCheckRefusesExactlyOutsidePlusMinusMaxAbs() {
        var s = tbot_xsma_t()
        XCTAssertEqual(tbot_xsma_init(&s, 200), 0)
        defer { tbot_xsma_free(&s) }
        let limit = Int64.max / 200
        for (input, accepted) in [(limit, true), (-limit, true), (limit + 1, false), (-limit - 1, false), (Int64.min, false),
                                  (Int64.max, false), (0, true)] {
            let before = (s.sum, s.count)
            _ = tbot_xsma_push_fixed(&s, input)
            if accepted {
                XCTAssertEqual(s.count, before.1 + 1, "\(input)")
            } else {
                XCTAssertTrue(s.sum == before.0 && s.count == before.1, "\(input) changed the window")
            }
        }
        // NaN and both infinities convert to the refused marker without a separate check.
        for price in [Double.nan, .infinity, -.infinity, 9.2e10, -9.2e10] {
            XCTAssertEqual(tbot_price_fixed(price), Int64.min, "\(price)")
        }
    }
}

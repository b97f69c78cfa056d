import Foundation
import XCTest
@testable import TBotCore

/// The risk rules read prices and limits in integers (ScaledDecimal, DecimalQuotient) where
/// Foundation's Decimal used to do the work. Each integer path must give exactly what the Decimal
/// path gives: the same texts, comparisons, money amounts, quantities and reward:risk, on prices
/// shaped like a strategy's (a close times 1 +- a share, in Double) and on awkward ones.
final class RiskExactArithmeticTests: XCTestCase {
    private func dec(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))! }

    /// Closes in cents, the stops and targets a strategy derives from them in Double, and prices
    /// of every magnitude and length.
    private func prices(_ count: Int, seed: UInt64) -> [Double] {
        var random = SeededRandom(seed: seed)
        var prices: [Double] = []
        for _ in 0..<count {
            let close = Double(Int.random(in: 100...50_000, using: &random)) / 100
            switch Int.random(in: 0..<6, using: &random) {
            case 0: prices.append(close)
            case 1: prices.append(close * (1 - Double(Int.random(in: 1...50, using: &random)) / 1_000))
            case 2: prices.append(close * (1 + Double(Int.random(in: 1...80, using: &random)) / 1_000))
            case 3: prices.append(Double.random(in: 0.0001...10, using: &random))
            case 4: prices.append(Double(Int.random(in: 1...10_000_000, using: &random)))
            default: prices.append(Double.random(in: 1e-7...1e17, using: &random))
            }
        }
        return prices + [0.1, 0.0001, 1e-5, 5.0, 1e15, 9.2e15, 123456789.123, 0.30000000000000004]
    }

    func testPricesReadAndPrintAsTheirDecimalDoes() {
        var fast = 0
        for price in prices(4_000, seed: 1) {
            let exact = ExactNumber(price: price)
            XCTAssertEqual(exact.decimal, DecimalText.fromPrice(price), "\(price)")
            XCTAssertEqual(exact.text, RiskRules.text(DecimalText.fromPrice(price)), "\(price)")
            XCTAssertEqual(RiskRules.text(price), DecimalText.format(DecimalText.fromPrice(price), fractionDigits: 4, trimZeros: true), "\(price)")
            if exact.scaled != nil { fast += 1 }
        }
        XCTAssertGreaterThan(fast, 3_000, "most prices should take the integer path")
    }

    func testDistancesAndComparisonsMatchDecimal() {
        let all = prices(600, seed: 2)
        var random = SeededRandom(seed: 3)
        for _ in 0..<6_000 {
            let a = all.randomElement(using: &random)!, b = all.randomElement(using: &random)!
            let left = ExactNumber(price: a), right = ExactNumber(price: b)
            let decimalDistance = abs(DecimalText.fromPrice(a) - DecimalText.fromPrice(b))
            XCTAssertEqual(left.distance(to: right).decimal, decimalDistance, "\(a) - \(b)")
            XCTAssertEqual(left.distance(to: right).text, RiskRules.text(decimalDistance), "\(a) - \(b)")
            XCTAssertEqual(left < right, DecimalText.fromPrice(a) < DecimalText.fromPrice(b), "\(a) < \(b)")
            XCTAssertEqual(left > right, DecimalText.fromPrice(a) > DecimalText.fromPrice(b), "\(a) > \(b)")
        }
    }

    func testLimitsAndSharesPrintAsBefore() {
        let texts = ["0.02", "0.025", "0.10", "1.5", "5", "100", "0", "0.005", "0.0001", "0.6", "0.4", "0.3", "0.2505", "12.345678",
                     "0.06666666666666666666666666666666666667", "1000000000000000000000"]
        for text in texts {
            let value = dec(text)
            let prepared = PreparedDecimal(value)
            XCTAssertEqual(prepared.percent, DecimalText.format(value * 100, fractionDigits: 2, trimZeros: true) + "%", text)
            XCTAssertEqual(prepared.text, "\(value)", text)
            XCTAssertEqual(prepared.exact.decimal, value, text)
        }
        XCTAssertNil(PreparedDecimal(dec("0.06666666666666666666666666666666666667")).exact.scaled)
        for (count, shares) in [(1, ["100%"]), (2, ["60%", "40%"]), (3, ["40%", "30%", "30%"])] {
            let weights = SessionWeights(weights: [dec("0.4"), dec("0.2"), dec("0.2"), dec("0.2")]).shares(count: count)
            XCTAssertEqual(weights.map { PreparedDecimal($0).percent }, shares)
        }
    }

    func testMoneyTimesARatioCutsAsDecimal() {
        var random = SeededRandom(seed: 4)
        let ratios = ["0.02", "0.01", "0.025", "0.10", "0.03", "0.05", "0.4", "1", "0.2505", "0.333333333333",
                      "0.06666666666666666666666666666666666667"].map(dec)
        for _ in 0..<4_000 {
            let units: Int64
            switch Int.random(in: 0..<3, using: &random) {
            case 0: units = Int64.random(in: -1_000_000...1_000_000, using: &random)
            case 1: units = Int64.random(in: -10_000_000_000_000...10_000_000_000_000, using: &random)
            default: units = Int64.random(in: -900_000_000_000_000_000...900_000_000_000_000_000, using: &random)
            }
            let money = Money(units: units), ratio = ratios.randomElement(using: &random)!
            XCTAssertEqual(money.cut(times: PreparedDecimal(ratio)), Money(money.decimal * ratio, roundingDown: true), "\(units) x \(ratio)")
        }
    }

    func testQuantityTimesAPriceRoundsAsDecimal() {
        var random = SeededRandom(seed: 5)
        let all = prices(500, seed: 6)
        for _ in 0..<4_000 {
            let quantity = Quantity(units: Int.random(in: 0..<2, using: &random) == 0
                ? Int64.random(in: 1...1_000, using: &random) * Quantity.scale
                : Int64.random(in: 1...10_000_000_000_000, using: &random))
            let price = all.randomElement(using: &random)!
            guard DecimalText.fromPrice(price) * quantity.decimal < Decimal(Int64.max / 100_000) else { continue }
            XCTAssertEqual(Money(quantity, times: ExactNumber(price: price)), Money.value(of: quantity, at: price), "\(quantity) x \(price)")
        }
    }

    /// Entries shaped like a strategy's, and reward:risk placed on and beside the half cent.
    func testRewardRiskMatchesDecimal() {
        var random = SeededRandom(seed: 8)
        let minimums = ["1.5", "2", "1", "2.005", "0.5", "1.333333333333"].map { PreparedDecimal(dec($0)) }
        var entries: [RoutedEntry] = []
        for _ in 0..<4_000 {
            let close = Double(Int.random(in: 100...50_000, using: &random)) / 100
            let stop = close * (1 - Double(Int.random(in: 1...40, using: &random)) / 1_000)
            let target = close * (1 + Double(Int.random(in: 1...120, using: &random)) / 1_000)
            entries.append(RoutedEntry(symbol: "X", side: .buy, entry: close, stop: stop, target: target, route: "long"))
        }
        for cents in [200, 201, 150, 333] {
            // reward = risk x (cents + 1/2) / 100, exactly and a hair off in Double.
            let entry = 10.0, risk = 2.0
            let target = entry + risk * (Double(cents) + 0.5) / 100
            for nudge in [-2, -1, 0, 1, 2] {
                let nudged = nudge < 0 ? (0..<(-nudge)).reduce(target) { value, _ in value.nextDown }
                                       : (0..<nudge).reduce(target) { value, _ in value.nextUp }
                entries.append(RoutedEntry(symbol: "X", side: .buy, entry: entry, stop: entry - risk, target: nudged, route: "long"))
            }
        }
        var fast = 0
        for (index, entry) in entries.enumerated() {
            let minimum = minimums[index % minimums.count]
            let price = ExactNumber(price: entry.entry)
            let reward = ExactNumber(price: entry.target).distance(to: price), risk = price.distance(to: ExactNumber(price: entry.stop))
            let expected = RewardRiskRatio(entry, minimum: minimum)
            if let ratio = RewardRiskRatio(reward: reward, risk: risk, minimum: minimum) {
                XCTAssertEqual(ratio, expected, "\(entry.entry) \(entry.stop) \(entry.target) against \(minimum.text)")
                fast += 1
            }
        }
        XCTAssertGreaterThan(fast, entries.count * 9 / 10, "most entries should take the integer path")
    }

    /// Share counts near every cap: the count by risk, by position, by max_quantity and by
    /// buying power drawn so that each one is the lowest in turn, sometimes equal.
    func testShareCountMatchesDecimal() {
        var random = SeededRandom(seed: 9)
        let positionShares = ["0.10", "0.05", "1", "0.333333333333"].map { PreparedDecimal(dec($0)) }
        var fast = 0, total = 0
        for _ in 0..<6_000 {
            let close = Double(Int.random(in: 100...50_000, using: &random)) / 100
            let stop = Int.random(in: 0..<4, using: &random) == 0 ? close - Double(Int.random(in: 1...500, using: &random)) / 100
                : close * (1 - Double(Int.random(in: 1...40, using: &random)) / 1_000)
            guard stop > 0 else { continue }
            let entry = RoutedEntry(symbol: "X", side: .buy, entry: close, stop: stop, target: close * 2, route: "long")
            let risk = Money(units: Int64.random(in: 0...50_000_000, using: &random))
            let capital = Money(units: Int64.random(in: 1...2_000_000_000, using: &random))
            let buyingPower = Money(units: Int64.random(in: 0...2_000_000_000, using: &random))
            let maxQuantity: Quantity? = Int.random(in: 0..<3, using: &random) == 0 ? nil
                : Quantity(units: Int64.random(in: 0...2_000, using: &random) * Quantity.scale / Int64.random(in: 1...4, using: &random))
            let share = positionShares.randomElement(using: &random)!
            let price = ExactNumber(price: close)
            let perShare = price.distance(to: ExactNumber(price: stop))
            let expected = ShareCount(entry, risk: risk, capital: capital, positionShare: share.decimal, maxQuantity: maxQuantity,
                                      buyingPower: buyingPower)
            total += 1
            if let count = ShareCount(risk: risk, perShare: perShare, capital: capital, positionShare: share, entry: price,
                                      maxQuantity: maxQuantity, buyingPower: buyingPower) {
                XCTAssertEqual(count, expected, "risk \(risk) entry \(close) stop \(stop) capital \(capital) bp \(buyingPower) max \(String(describing: maxQuantity)) share \(share.text)")
                fast += 1
            }
        }
        XCTAssertGreaterThan(fast, total * 9 / 10, "most counts should take the integer path")
    }

    /// Equal caps are left to Decimal: a max_quantity equal to the count by risk.
    func testShareCountLeavesTiesToDecimal() {
        let price = ExactNumber(price: 20), perShare = ExactNumber(price: 2)
        let tied = ShareCount(risk: Money(units: 8_000_000), perShare: perShare, capital: Money(units: 1_000_000_000),
                              positionShare: PreparedDecimal(dec("0.10")), entry: price, maxQuantity: Quantity(shares: 400),
                              buyingPower: Money(units: 1_000_000_000))
        XCTAssertNil(tied)
        let entry = RoutedEntry(symbol: "X", side: .buy, entry: 20, stop: 18, target: 30, route: "long")
        let decided = ShareCount(entry, risk: Money(units: 8_000_000), capital: Money(units: 1_000_000_000), positionShare: dec("0.10"),
                                 maxQuantity: Quantity(shares: 400), buyingPower: Money(units: 1_000_000_000))
        XCTAssertEqual(decided.quantity, Quantity(shares: 400))
        XCTAssertEqual(decided.caps, [])
    }

    func testChecksJSONIsTheReportJSONRendering() {
        let checks = [
            RiskCheck(rule: "MIN_PRICE/MAX_PRICE", passed: true, detail: "price 50.54 within MIN_PRICE 5 .. MAX_PRICE 100"),
            RiskCheck(rule: "MIN_REWARD_RISK", passed: false, code: .rewardRisk, detail: "quote \"x\"\nnew line\ttab \\ back \u{1} é"),
            RiskCheck(rule: "SIZE", passed: true, detail: ""),
            RiskCheck(rule: "LONG", passed: false, code: .sizeZero,
                      detail: "\"1234567\"89abcdef\\0123456789abcdef\u{1f}é0123456789abcdefghij\r\n\t12345678\u{7f}abcdefgh\""),
            RiskCheck(rule: "PLAIN", passed: true, detail: "0123456789abcdef0123456789abcdef01234567"),
        ]
        for slice in [[], Array(checks.prefix(1)), checks] {
            let reference = ReportJSON.array(slice.map { check in
                var members: [(String, ReportJSON)] = []
                if let code = check.code { members.append(("code", .string(code.rawValue))) }
                members += [("detail", .string(check.detail)), ("passed", .number(check.passed ? "true" : "false")),
                            ("rule", .string(check.rule))]
                return .object(members)
            }).rendered(pretty: false)
            XCTAssertEqual(RiskJournal.checksJSON(slice), reference)
        }
    }
}

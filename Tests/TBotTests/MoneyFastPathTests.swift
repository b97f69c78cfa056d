import Foundation
import XCTest
@testable import TBotCore

/// The integer paths of money, price and ratio arithmetic must give exactly what Foundation's
/// Decimal gives: the same value and the same printed form, on many seeded values, ties and edges.
final class MoneyFastPathTests: XCTestCase {
    private var generator = SeededRandom(seed: 20_261_122)

    private func random(below bound: UInt64) -> UInt64 { generator.next() % bound }

    /// Prices as market data has them: 0 to 6 decimals, cents and ties, tiny, huge, negative.
    private func samplePrices() -> [Double] {
        var prices: [Double] = [0, 0.5, 1, 2.5, 50, 50.12, 50.125, 99.995, 100.0001, 0.0001, 0.00001, 1e-7, 123_456_789.123,
                                9_007_199_254_740_993, 1e16, 1e21, -50.12, -0.0, 1.0 / 3.0, 0.1 + 0.2, 47.01, 50.54]
        for _ in 0..<3_000 {
            let decimals = Int(random(below: 7))
            let scale = pow(10.0, Double(decimals))
            var price = Double(random(below: 100_000_000)) / scale
            if random(below: 10) == 0 { price = -price }
            if random(below: 10) == 0 { price = Double(bitPattern: generator.next() >> 2) } // any double
            prices.append(price)
        }
        return prices.filter(\.isFinite)
    }

    private func sampleQuantities() -> [Quantity] {
        var quantities: [Quantity] = [.zero, Quantity(shares: 1), Quantity(shares: 10), Quantity(units: 1), Quantity(units: -5),
                                      Quantity(units: 1_500_000_000), Quantity(shares: 1_000_000)]
        for _ in 0..<200 {
            let units = Int64(random(below: 100_000_000_000_000))
            quantities.append(Quantity(units: random(below: 2) == 0 ? units : units - units % Quantity.scale))
        }
        return quantities
    }

    private func sampleDecimals() -> [Decimal] {
        var values: [Decimal] = [0, 1, -1, Decimal(string: "50.120")!, Decimal(string: "-0.005")!, Decimal(string: "1e5")!,
                                 Decimal(sign: .plus, exponent: -1, significand: 500), Decimal(sign: .minus, exponent: 3, significand: 12),
                                 Decimal(1) / Decimal(3), Decimal(2) / Decimal(3), Decimal(UInt64.max), Decimal(UInt64.max) + 1,
                                 Decimal(string: "123456789012345678901234567890")!, .nan]
        for _ in 0..<3_000 {
            let bound: UInt64 = random(below: 2) == 0 ? 1_000_000 : 10_000_000_000_000_000_000
            var significand = Decimal(random(below: bound))
            if random(below: 8) == 0 { significand = significand * Decimal(UInt64.max) } // past 64 bits
            let exponent = Int(random(below: 41)) - 30
            values.append(Decimal(sign: random(below: 3) == 0 ? .minus : .plus, exponent: exponent, significand: significand))
        }
        return values
    }

    func testDecimalTextIsDecimalsDescription() {
        for value in sampleDecimals() {
            XCTAssertEqual(DecimalText.description(value), value.description, "exponent \(value.exponent)")
        }
        XCTAssertEqual(DecimalText.description(Decimal(string: "50.120")!), "50.12")
        XCTAssertEqual(DecimalText.description(Decimal(sign: .plus, exponent: -3, significand: 5000)), "5")
        XCTAssertEqual(DecimalText.description(Decimal(sign: .minus, exponent: 2, significand: 7)), "-700")
    }

    func testDecimalDigitsFixedPointIsTheSameValue() {
        for value in sampleDecimals() {
            guard let fixed = DecimalDigits(value)?.fixedPoint else { continue }
            XCTAssertEqual(FixedPointDecimal.decimal(units: fixed.units, fractionDigits: fixed.scale), value, "\(value)")
        }
        XCTAssertNil(DecimalDigits(Decimal(string: "123456789012345678901234567890")!))
        XCTAssertNil(DecimalDigits(.nan))
    }

    func testPriceDecimalsAreWhatTheParserGives() {
        let posix = Locale(identifier: "en_US_POSIX")
        for price in samplePrices() {
            let parsed = Decimal(string: "\(price)", locale: posix) ?? Decimal(price)
            let fast = DecimalText.fromPrice(price)
            XCTAssertEqual(fast, parsed, "\(price)")
            XCTAssertEqual(fast.description, parsed.description, "\(price)")
            if let plain = DecimalText.plainDigits(price) {
                XCTAssertEqual(FixedPointDecimal.decimal(units: plain.units, fractionDigits: plain.scale), parsed, "\(price)")
            }
        }
    }

    func testMoneyValueOfSharesIsTheDecimalProductRounded() {
        let prices = samplePrices().filter { $0.magnitude < 1e5 && ($0 == 0 || $0.magnitude > 1e-10) }
        for (index, quantity) in sampleQuantities().enumerated() {
            for price in prices[(index * 13) % prices.count..<min(prices.count, (index * 13) % prices.count + 60)] {
                let expected = Money(DecimalText.fromPrice(price) * quantity.decimal)
                XCTAssertEqual(Money.value(of: quantity, at: price), expected, "\(quantity.units) x \(price)")
            }
        }
        // Half a unit of 1/10000 rounds to even, both ways of the sign.
        XCTAssertEqual(Money.value(of: Quantity(units: 5_000), at: 10), Money(units: 0))
        XCTAssertEqual(Money.value(of: Quantity(units: 15_000), at: 10), Money(units: 2))
        XCTAssertEqual(Money.value(of: Quantity(units: -15_000), at: 10), Money(units: -2))
        XCTAssertEqual(Money.value(of: Quantity(units: 25_000), at: 10), Money(units: 2))
    }

    func testEntryRiskIsTheDecimalDistanceTimesTheQuantity() {
        let prices = samplePrices().filter { $0.magnitude < 1e6 && ($0 == 0 || $0.magnitude > 1e-10) }
        for (index, quantity) in sampleQuantities().enumerated() {
            let entry = prices[index % prices.count], stop = prices[(index * 7 + 3) % prices.count]
            let request = BudgetEntryRequest(bot: "b", symbol: "S", side: .buy, quantity: quantity, entryPrice: entry, stopPrice: stop,
                                             botOpenBuyingPower: .zero, moduleOpenBuyingPower: .zero)
            let expected = Money(quantity.decimal * abs(DecimalText.fromPrice(entry) - DecimalText.fromPrice(stop)))
            XCTAssertEqual(request.risk, expected, "\(quantity.units) x |\(entry) - \(stop)|")
        }
    }

    func testMoneyTimesARatioIsTheDecimalProductRounded() {
        let ratios: [Decimal] = [0.5, 0.2, Decimal(string: "0.33")!, Decimal(string: "0.00005")!, Decimal(1) / Decimal(3), 2, 0,
                                 Decimal(string: "1e-20")!, Decimal(string: "-0.25")!]
        for _ in 0..<2_000 {
            let money = Money(units: Int64(bitPattern: generator.next()) % 10_000_000_000_000)
            for ratio in ratios {
                XCTAssertEqual(money.times(ratio), Money(money.decimal * ratio), "\(money.units) x \(ratio)")
            }
        }
        XCTAssertEqual(Money(units: 5).times(0.5), Money(units: 2), "a tie rounds to even")
        XCTAssertEqual(Money(units: 7).times(0.5), Money(units: 4), "a tie rounds to even")
    }

    func testExactQuotientsAreDecimalsDivision() {
        var checked = 0
        for _ in 0..<4_000 {
            let denominator = Int64(random(below: 3) == 0 ? random(below: 1_000) + 1 : random(below: 10_000_000_000_000) + 1)
            // Multiples of the denominator's factors often end; others repeat and give nil.
            let divisors: [Int64] = [1, 2, 4, 5, 8, 10, 16, 20, 25, 40, 50, 100, 3, 7]
            let numerator = random(below: 2) == 0 ? Int64(random(below: 100_000)) * denominator / divisors[Int(random(below: 14))]
                : Int64(random(below: 1_000_000_000_000_000))
            let signed = random(below: 4) == 0 ? -numerator : numerator
            let digitsA = Int(random(below: 10)), digitsB = Int(random(below: 10))
            let expected = FixedPointDecimal.decimal(units: signed, fractionDigits: digitsA)
                / FixedPointDecimal.decimal(units: denominator, fractionDigits: digitsB)
            guard let fast = FixedPointDecimal.quotient(signed, digits: digitsA, by: denominator, digits: digitsB) else { continue }
            checked += 1
            XCTAssertEqual(fast, expected, "\(signed)e-\(digitsA) / \(denominator)e-\(digitsB)")
            XCTAssertEqual(fast.description, expected.description, "\(signed)e-\(digitsA) / \(denominator)e-\(digitsB)")
        }
        XCTAssertGreaterThan(checked, 400)
        XCTAssertNil(FixedPointDecimal.quotient(1, digits: 0, by: 3, digits: 0), "a third repeats")
        XCTAssertEqual(FixedPointDecimal.quotient(5_054_000, digits: 4, by: 10_000_000_000, digits: 9)?.description, "50.54")
        XCTAssertEqual(MoneyRatio.quotient(Money(units: 14_197_000), Money(units: 1_000_000_000)).description, "0.014197")
    }

    func testRatioAgainstALimitComparesAsTheDecimalQuotient() {
        let limits: [Decimal] = [0.5, 0.2, Decimal(string: "0.123")!, 0, 1, Decimal(string: "0.00000001")!, Decimal(1) / Decimal(3)]
        for _ in 0..<3_000 {
            let denominator = Money(units: Int64(random(below: 10_000_000_000_000)) + 1)
            for limit in limits {
                // Around the tie n / d = limit, and anywhere.
                let tie = (limit * denominator.decimal * 10_000 as NSDecimalNumber).int64Value
                for numerator in [tie - 1, tie, tie + 1, Int64(random(below: UInt64(denominator.units) * 2))] where numerator >= 0 {
                    let n = Money(units: numerator)
                    XCTAssertEqual(MoneyRatio.exceeds(n, denominator, limit), n.decimal / denominator.decimal > limit,
                                   "\(numerator) / \(denominator.units) > \(limit)")
                }
            }
        }
    }
}

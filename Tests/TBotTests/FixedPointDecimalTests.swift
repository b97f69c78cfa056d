import Foundation
import XCTest
@testable import TBotCore

/// The fast money -> Decimal conversion must give exactly what Foundation's division gives:
/// the same value and the same printed form.
final class FixedPointDecimalTests: XCTestCase {
    private var generator = SeededRandom(seed: 20_261_121)

    private func sampleUnits() -> [Int64] {
        var values: [Int64] = [0, 1, -1, 5, -5, 10, 15_000, -15_000, 10_000, 1_000_000, 123_456_789, -987_654_321_000,
                               Int64.max, Int64.min + 1, 9_999_999_999_999, 50_000_000_000]
        for _ in 0..<2_000 {
            let digits = Int(generator.next() % 19)
            var value = Int64(bitPattern: generator.next()) % Int64(pow(10.0, Double(digits)) + 1)
            if generator.next() % 3 == 0 { value -= value % 1_000 } // trailing zeros to strip
            values.append(value)
        }
        return values
    }

    func testMoneyAndQuantityDecimalsEqualFoundationDivision() {
        for units in sampleUnits() {
            let money = Decimal(units) / Decimal(Money.scale)
            XCTAssertEqual(Money(units: units).decimal, money, "money units \(units)")
            XCTAssertEqual(Money(units: units).decimal.description, money.description, "money units \(units)")
            let quantity = Decimal(units) / Decimal(Quantity.scale)
            XCTAssertEqual(Quantity(units: units).decimal, quantity, "quantity units \(units)")
            XCTAssertEqual(Quantity(units: units).decimal.description, quantity.description, "quantity units \(units)")
        }
        XCTAssertEqual(Money(units: 15_000).decimal.description, "1.5")
        XCTAssertEqual(Money(units: -1_234_567).decimal.description, "-123.4567")
        XCTAssertEqual(Quantity(shares: 10).decimal.description, "10")
    }

    func testRoundingToInt64MatchesTheDecimalTextDigitForDigit() {
        var values: [Decimal] = [Decimal(Int64.max), -Decimal(Int64.max), Decimal(string: "9007199254740993")!,
                                 Decimal(string: "-9007199254740993.5")!, Decimal(string: "2.5")!, Decimal(string: "-2.5")!]
        for units in sampleUnits() {
            values.append(Decimal(units))
            values.append(Decimal(units) / 7)
        }
        for value in values {
            for mode in [NSDecimalNumber.RoundingMode.bankers, .plain, .down] {
                var input = value, rounded = Decimal()
                NSDecimalRound(&rounded, &input, 0, mode)
                XCTAssertEqual(DecimalRounding.int64(value, mode: mode), Int64(rounded.description), "\(value) mode \(mode.rawValue)")
            }
        }
        XCTAssertEqual(DecimalRounding.int64(Decimal(string: "2.5")!), 2)
        XCTAssertEqual(DecimalRounding.int64(Decimal(string: "-2.5")!, mode: .plain), -3)
    }
}

import Foundation
import TBotPluginAPI

/// An exact amount of the account currency, stored as int64 in units of 1/10000
/// (TBOT_MONEY_SCALE), the same representation that crosses the plugin ABI.
/// Never built from a Double except through `Money.value(of:at:)`.
public struct Money: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let scale: Int64 = TBOT_MONEY_SCALE
    public static let zero = Money(units: 0)

    /// Units of 1/10000 of the currency.
    public let units: Int64

    public init(units: Int64) { self.units = units }

    /// Exact conversion from a decimal amount; rounds half-even to the scale.
    public init(_ amount: Decimal) {
        units = DecimalRounding.int64(amount * Decimal(Money.scale))
    }

    /// Parses "1234.56" style text exactly; nil for anything that is not a plain decimal.
    public init?(text: String) {
        guard let amount = DecimalText.parse(text) else { return nil }
        self.init(amount)
    }

    public var decimal: Decimal { FixedPointDecimal.decimal(units: units, fractionDigits: 4) }

    /// The one conversion from market data to money: `quantity` shares at a floating-point
    /// `price`. The price is taken at its shortest decimal representation (the digits the
    /// data file held), multiplied exactly, then rounded half-even to 1/10000.
    public static func value(of quantity: Quantity, at price: Double) -> Money {
        if let plain = DecimalText.plainDigits(price), let money = Money(quantity, timesUnits: Int128(plain.units), scale: plain.scale) {
            return money
        }
        return Money(DecimalText.fromPrice(price) * quantity.decimal)
    }

    /// `quantity` x (`units` / 10^scale) rounded half-even to 1/10000: Money(quantity.decimal x
    /// that decimal) in integers. Below FixedPointDecimal.exactProductLimit Decimal's product
    /// is exact, and its rounding to 1/10000 is this one; nil above it or past Int64 (where
    /// the Decimal path has its own answer: a stop).
    init?(_ quantity: Quantity, timesUnits units: Int128, scale: Int) {
        guard (0...18).contains(scale) else { return nil }
        let (product, overflow) = Int128(quantity.units).multipliedReportingOverflow(by: units)
        guard !overflow, product.magnitude < FixedPointDecimal.exactProductLimit else { return nil }
        // quantity has 9 decimals, money keeps 4.
        guard let rounded = Int64(exactly: FixedPointDecimal.roundedHalfEven(product, droppingDigits: 9 + scale - 4)) else { return nil }
        self.init(units: rounded)
    }

    /// Money(self.decimal x ratio): rounded half-even to 1/10000. A ratio of at most 18
    /// decimals multiplies exactly in integers below FixedPointDecimal.exactProductLimit, as
    /// Decimal's product does, and rounds the same; anything else goes through Decimal.
    func times(_ ratio: Decimal) -> Money {
        if let factor = DecimalDigits(ratio)?.fixedPoint {
            let (product, overflow) = Int128(units).multipliedReportingOverflow(by: Int128(factor.units))
            if !overflow, product.magnitude < FixedPointDecimal.exactProductLimit,
               let rounded = Int64(exactly: FixedPointDecimal.roundedHalfEven(product, droppingDigits: factor.scale)) {
                return Money(units: rounded)
            }
        }
        return Money(decimal * ratio)
    }

    /// Rounded half-even to cents for display, e.g. "1234.56".
    public var description: String {
        var cents = units / 100
        let rest = units % 100
        // Half-even on the dropped two digits, away from zero above half.
        if abs(rest) > 50 || (abs(rest) == 50 && cents % 2 != 0) { cents += rest < 0 ? -1 : 1 }
        return Self.text(cents, digits: 2)
    }

    /// Every stored digit, e.g. "1234.5678": for the ledger, exports and audit messages.
    public var exactDescription: String { Self.text(units, digits: 4) }

    /// `scaled` / 10^digits in plain decimal, from integers (no formatter: money is printed
    /// on hot paths). A value that rounds to zero prints without a sign. Written right to left
    /// into a stack buffer and made a string once: 19 digits, a point and a sign fit in 24.
    private static func text(_ scaled: Int64, digits: Int) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer in
            var position = buffer.count
            var magnitude = scaled.magnitude
            for _ in 0..<digits {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            position -= 1
            buffer[position] = UInt8(ascii: ".")
            repeat {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if scaled < 0 {
                position -= 1
                buffer[position] = UInt8(ascii: "-")
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[position...]), as: UTF8.self)
        }
    }

    public static func + (lhs: Money, rhs: Money) -> Money { Money(units: lhs.units + rhs.units) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(units: lhs.units - rhs.units) }
    public static prefix func - (value: Money) -> Money { Money(units: -value.units) }
    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.units < rhs.units }
}

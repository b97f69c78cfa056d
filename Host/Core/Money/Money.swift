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
        Money(DecimalText.fromPrice(price) * quantity.decimal)
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
    /// on hot paths). A value that rounds to zero prints without a sign.
    private static func text(_ scaled: Int64, digits: Int) -> String {
        let divisor: Int64 = digits == 2 ? 100 : 10_000
        let magnitude = scaled.magnitude
        let whole = magnitude / UInt64(divisor), fraction = magnitude % UInt64(divisor)
        var fractionText = String(fraction)
        fractionText = String(repeating: "0", count: digits - fractionText.count) + fractionText
        return (scaled < 0 ? "-" : "") + String(whole) + "." + fractionText
    }

    public static func + (lhs: Money, rhs: Money) -> Money { Money(units: lhs.units + rhs.units) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(units: lhs.units - rhs.units) }
    public static prefix func - (value: Money) -> Money { Money(units: -value.units) }
    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.units < rhs.units }
}

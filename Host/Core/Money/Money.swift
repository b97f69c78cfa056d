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

    public var decimal: Decimal { Decimal(units) / Decimal(Money.scale) }

    /// The one conversion from market data to money: `quantity` shares at a floating-point
    /// `price`. The price is taken at its shortest decimal representation (the digits the
    /// data file held), multiplied exactly, then rounded half-even to 1/10000.
    public static func value(of quantity: Quantity, at price: Double) -> Money {
        Money(DecimalText.fromPrice(price) * quantity.decimal)
    }

    /// Rounded to cents for display, e.g. "1234.56".
    public var description: String { DecimalText.format(decimal, fractionDigits: 2) }

    /// Every stored digit, e.g. "1234.5678": for the ledger, exports and audit messages.
    public var exactDescription: String { DecimalText.format(decimal, fractionDigits: 4) }

    public static func + (lhs: Money, rhs: Money) -> Money { Money(units: lhs.units + rhs.units) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(units: lhs.units - rhs.units) }
    public static prefix func - (value: Money) -> Money { Money(units: -value.units) }
    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.units < rhs.units }
}

import Foundation
import TBotPluginAPI

/// A number of shares as int64 in units of 1e-9 share (TBOT_QTY_SCALE), as on the ABI.
public struct Quantity: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let scale: Int64 = TBOT_QTY_SCALE
    public static let zero = Quantity(units: 0)

    public let units: Int64

    public init(units: Int64) { self.units = units }

    public init(shares: Int64) { units = shares * Quantity.scale }

    /// Rounds toward zero: the host never buys more than it sized.
    public init(truncating amount: Decimal) {
        units = DecimalRounding.int64(amount * Decimal(Quantity.scale), mode: .down)
    }

    public var decimal: Decimal { FixedPointDecimal.decimal(units: units, fractionDigits: 9) }
    public var isWholeShares: Bool { units % Quantity.scale == 0 }
    public var wholeSharesOnly: Quantity { Quantity(units: units - units % Quantity.scale) }

    /// Whole shares print without decimals; fractions with up to 9.
    public var description: String {
        isWholeShares ? String(units / Quantity.scale) : DecimalText.format(decimal, fractionDigits: 9, trimZeros: true)
    }

    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.units < rhs.units }
    public static func + (lhs: Quantity, rhs: Quantity) -> Quantity { Quantity(units: lhs.units + rhs.units) }
    public static func - (lhs: Quantity, rhs: Quantity) -> Quantity { Quantity(units: lhs.units - rhs.units) }
}

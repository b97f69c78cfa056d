import Foundation

/// The money amounts the rules work out for every candidate and every session (a cap from a
/// float, a limit from capital, an order's value and risk), in integers when the factors are
/// short enough and through Decimal otherwise, with the same result either way: every product
/// here is exact, and only its final rounding to 1/10000 differs by kind.
extension Money {
    /// Digits of 1/10000.
    static let scaleDigits = 4

    /// `self` x `ratio` cut to 1/10000, as Money(_:roundingDown:) cuts the Decimal product:
    /// NSDecimalRound's .down goes toward minus infinity, the floored integer division.
    func cut(times ratio: PreparedDecimal) -> Money {
        if let factor = ratio.exact.scaled,
           let units = Self.exactUnits(Int128(units) * Int128(factor.units), scale: Money.scaleDigits + factor.scale, rounding: .down) {
            return Money(units: units)
        }
        return Money(decimal * ratio.decimal, roundingDown: true)
    }

    /// `quantity` x `price` rounded half to even to 1/10000: Money(quantity.decimal x price), the
    /// way Money.value(of:at:) and the trade's risk are worked out.
    init(_ quantity: Quantity, times price: ExactNumber) {
        if let factor = price.scaled,
           let units = Self.exactUnits(Int128(quantity.units) * Int128(factor.units), scale: Quantity.scaleDigits + factor.scale,
                                       rounding: .bankers) {
            self.init(units: units)
        } else {
            self.init(quantity.decimal * price.decimal)
        }
    }

    /// The amount `product` / 10^scale in units of 1/10000. nil from 10^34 on (where Decimal's
    /// own product could need rounding) and past Int64 (where the Decimal path stops the program).
    private static func exactUnits(_ product: Int128, scale: Int, rounding: NSDecimalNumber.RoundingMode) -> Int64? {
        guard product.magnitude < UInt128(ScaledDecimal.powerOfTen(34)), scale <= 38 else { return nil }
        let units: Int128
        if scale <= Money.scaleDigits {
            units = product * ScaledDecimal.powerOfTen(Money.scaleDigits - scale)
        } else if rounding == .down {
            units = ScaledDecimal.flooredDividing(product, byPowerOfTen: scale - Money.scaleDigits)
        } else {
            units = ScaledDecimal.roundedHalfEven(product, droppingDigits: scale - Money.scaleDigits)
        }
        return Int64(exactly: units)
    }
}

extension Quantity {
    /// Digits of 1e-9 share.
    static let scaleDigits = 9
}

// Alpaca sends money and quantities as decimal strings ("187.5", "-5", "0.123456789").
// They become fixed point through Decimal, never through Double.
import Foundation
import TBotPluginAPI

enum FixedPoint {
    static let moneyScale = Int64(TBOT_MONEY_SCALE)
    static let qtyScale = Int64(TBOT_QTY_SCALE)

    /// Strict decimal text: an optional '-', digits, optionally '.' and digits.
    /// Decimal(string:) alone would accept "12abc" as 12.
    static func decimal(_ text: String) -> Decimal? {
        var digits = Substring(text)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count),
              parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0 >= "0" && $0 <= "9" } })
        else { return nil }
        return Decimal(string: text.first == "+" ? String(text.dropFirst()) : text)
    }

    /// Money units (1/10000) of decimal text, half to even beyond four places.
    static func money(_ text: String) -> tbot_money_t? {
        decimal(text).flatMap { rounded($0 * Decimal(moneyScale)) }
    }

    /// Quantity units (1e-9 share) of decimal text, half to even beyond nine places.
    static func quantity(_ text: String) -> tbot_qty_t? {
        decimal(text).flatMap { rounded($0 * Decimal(qtyScale)) }
    }

    /// "10" or "0.5": the decimal text Alpaca expects for a quantity.
    static func quantityText(_ qty: tbot_qty_t) -> String {
        let whole = "\(qty < 0 ? "-" : "")\(abs(qty / qtyScale))"
        let fraction = abs(qty % qtyScale)
        if fraction == 0 { return whole }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 9 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }

    /// A price as plain decimal text ("187.25", never "1e-05"), from its shortest
    /// representation; nil for NaN, infinities and values <= 0.
    static func priceText(_ price: Double) -> String? {
        guard price.isFinite, price > 0, let value = Decimal(string: "\(price)") else { return nil }
        return "\(value)"
    }

    /// Rounds to an integer, half to even; nil when it does not fit in Int64.
    private static func rounded(_ value: Decimal) -> Int64? {
        var input = value
        var result = Decimal()
        NSDecimalRound(&result, &input, 0, .bankers)
        return Int64("\(result)")
    }
}

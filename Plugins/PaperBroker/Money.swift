// Fixed-point money (1/10000 USD) and quantity (1e-9 share) arithmetic. Cash never
// passes through a Double: the only place a double price meets money is
// fillValue, which works in Decimal and rounds half to even once.
import Foundation
import TBotPluginAPI

let moneyScale = Int64(TBOT_MONEY_SCALE)
let qtyScale = Int64(TBOT_QTY_SCALE)

/// Rounds a Decimal to an integer, half to even; nil when it does not fit in Int64.
private func roundedInt64(_ value: Decimal) -> Int64? {
    var input = value
    var result = Decimal()
    NSDecimalRound(&result, &input, 0, .bankers)
    // int64Value is exact on swift-foundation but wraps out of range: the range is checked first.
    guard result.magnitude <= Decimal(Int64.max) else { return nil }
    return NSDecimalNumber(decimal: result).int64Value
}

/// Money value of `qty` shares at `price`: round-half-even(price * qty / 1e9 * 10000).
/// The price enters through its shortest decimal text ("\(price)"), so 0.1 is 0.1
/// and not 0.1000000000000000055...
func fillValue(price: Double, qty: tbot_qty_t) -> tbot_money_t? {
    guard price.isFinite, let decimalPrice = Decimal(string: "\(price)") else { return nil }
    // qty / 1e9 * 1e4 is qty x 10^-5 exactly: built directly, as Decimal division is slow.
    let shares = Decimal(sign: qty < 0 ? .minus : .plus, exponent: -5, significand: Decimal(qty.magnitude))
    return roundedInt64(decimalPrice * shares)
}

/// Parses decimal text such as "100000", "-1" or "0.35" into money (half-even
/// beyond 4 places). Strict: Decimal(string:) alone would accept "12abc" as 12.
func parseMoney(_ text: String) -> tbot_money_t? {
    guard let value = parseDecimal(text) else { return nil }
    return roundedInt64(value * Decimal(moneyScale))
}

/// Parses strict decimal text: an optional '-', digits, optionally '.' and digits.
func parseDecimal(_ text: String) -> Decimal? {
    var digits = Substring(text)
    if digits.first == "-" { digits = digits.dropFirst() }
    let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count),
          parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0 >= "0" && $0 <= "9" } })
    else { return nil }
    return Decimal(string: text)
}

/// The per-share part of a fill's fee: round-half-up(per_share_usd * qty / 1e9 * 10000)
/// in money units; nil when it does not fit in Int64. Zero costs nothing to compute.
func perShareFee(_ perShare: Decimal, qty: tbot_qty_t) -> tbot_money_t? {
    if perShare == 0 { return 0 }
    var input = perShare * Decimal(qty) * Decimal(moneyScale) / Decimal(qtyScale)
    var result = Decimal()
    NSDecimalRound(&result, &input, 0, .plain)  // half away from zero; fees are >= 0
    return Int64("\(result)")
}

/// Integer division rounding half to even (for display rounding).
private func divideHalfEven(_ value: Int64, by divisor: Int64) -> Int64 {
    var quotient = value / divisor
    let remainder = value % divisor
    let twice = 2 * abs(remainder)
    if twice > divisor || (twice == divisor && quotient % 2 != 0) {
        quotient += value < 0 ? -1 : 1
    }
    return quotient
}

/// "1234.56" for 12345600: money shown in cents, half to even.
func formatMoney(_ money: tbot_money_t) -> String {
    let cents = divideHalfEven(money, by: moneyScale / 100)
    let sign = cents < 0 ? "-" : ""
    let fraction = abs(cents % 100)
    return "\(sign)\(abs(cents / 100)).\(fraction < 10 ? "0" : "")\(fraction)"
}

/// "10" or "1.5" for a quantity: shares with trailing zeros dropped.
func formatQty(_ qty: tbot_qty_t) -> String {
    let whole = "\(qty < 0 ? "-" : "")\(abs(qty / qtyScale))"
    let fraction = abs(qty % qtyScale)
    if fraction == 0 { return whole }
    var digits = String(fraction)
    digits = String(repeating: "0", count: 9 - digits.count) + digits
    while digits.hasSuffix("0") { digits.removeLast() }
    return "\(whole).\(digits)"
}

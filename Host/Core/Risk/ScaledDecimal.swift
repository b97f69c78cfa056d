import Foundation

/// A decimal number held as a whole count of 10^-scale: 50.54 is 5054 at scale 2. It is the exact
/// value of a quoted price (its shortest round-trip text, which is what DecimalText.fromPrice
/// reads) or of a short limit such as 0.02.
///
/// The rules every candidate runs parse, compare, subtract, multiply and print prices and limits.
/// On Foundation's Decimal each of those costs thousands of instructions; here they are a few
/// integer operations with the same results, because every operation below is exact (Int128
/// holds any product of two values) and the printing repeats DecimalText.format's rounding.
/// A value or result that does not fit gives nil, and the caller keeps to its Decimal path.
struct ScaledDecimal: Comparable {
    /// Below 10^18 in magnitude, so a value aligned to any scale up to 18 stays below 10^36 and
    /// fits Int128, and so does the product of two values.
    let units: Int64
    /// Digits after the point, 0 ... 18.
    let scale: Int

    static let maxScale = 18
    static let unitLimit: Int64 = 1_000_000_000_000_000_000

    init?(units: Int64, scale: Int) {
        guard (0...Self.maxScale).contains(scale), units.magnitude < Self.unitLimit.magnitude else { return nil }
        self.units = units
        self.scale = scale
    }

    /// The price as DecimalText.fromPrice reads it: Swift prints a Double between 1e-4 and 2^53 as
    /// plain digits ("50.54", "5.0"), which Decimal(string:) takes digit for digit. Exponent forms,
    /// infinities, NaN, negative zero and more than 18 digits give nil.
    init?(price: Double) {
        guard let plain = DecimalText.plainDigits(price) else { return nil }
        self.init(units: plain.units, scale: plain.scale)
    }

    /// The exact value of a Decimal whose text is plain and short (limits, weights); nil for a long
    /// one such as the 38 digits of a third.
    init?(_ value: Decimal) {
        guard value.isFinite else { return nil }
        self.init(plainText: value.description)
    }

    /// `[-]digits[.digits]`, at most 18 digits in all (`DecimalText.plainDigits`).
    private init?(plainText text: String) {
        guard let plain = DecimalText.plainDigits(text) else { return nil }
        self.init(units: plain.units, scale: plain.scale)
    }

    var decimal: Decimal {
        Decimal(sign: units < 0 ? .minus : .plus, exponent: -scale, significand: Decimal(units.magnitude))
    }

    /// The units at `scale` (at least this value's scale).
    func units(atScale target: Int) -> Int128 {
        Int128(units) * Self.powerOfTen(target - scale)
    }

    static func < (lhs: ScaledDecimal, rhs: ScaledDecimal) -> Bool {
        let common = max(lhs.scale, rhs.scale)
        return lhs.units(atScale: common) < rhs.units(atScale: common)
    }

    static func == (lhs: ScaledDecimal, rhs: ScaledDecimal) -> Bool {
        let common = max(lhs.scale, rhs.scale)
        return lhs.units(atScale: common) == rhs.units(atScale: common)
    }

    /// |self - other| at the larger scale of the two; nil when it has 19 digits.
    func distance(to other: ScaledDecimal) -> ScaledDecimal? {
        let common = max(scale, other.scale)
        let difference = (units(atScale: common) - other.units(atScale: common)).magnitude
        guard difference < UInt128(Self.unitLimit) else { return nil }
        return ScaledDecimal(units: Int64(difference), scale: common)
    }

    // MARK: text

    /// DecimalText.format(value, fractionDigits:, trimZeros:): rounded half to even, a "-" only
    /// when the rounded value is below 0. nil where that function leaves its integer path (the
    /// rounded value times 10^digits not below Int64.max / 10) for a NumberFormatter.
    func text(fractionDigits digits: Int, trimZeros: Bool) -> String? {
        Self.text(units: Int128(units), scale: scale, fractionDigits: digits, trimZeros: trimZeros)
    }

    static func text(units: Int128, scale: Int, fractionDigits digits: Int, trimZeros: Bool) -> String? {
        guard (0...Self.maxScale).contains(digits), (0...Self.maxScale).contains(scale) else { return nil }
        let rounded: Int128
        if scale <= digits {
            let (widened, overflow) = units.multipliedReportingOverflow(by: powerOfTen(digits - scale))
            guard !overflow else { return nil }
            rounded = widened
        } else {
            rounded = roundedHalfEven(units, droppingDigits: scale - digits)
        }
        guard rounded.magnitude < UInt128(Int64.max / 10) else { return nil }
        let power = UInt64(powerOfTen(digits))
        var whole = UInt64(rounded.magnitude) / power, fraction = UInt64(rounded.magnitude) % power
        var fractionDigits = digits
        if trimZeros {
            while fractionDigits > 0 && fraction % 10 == 0 {
                fraction /= 10
                fractionDigits -= 1
            }
        }
        // Written right to left into a stack buffer, then one string: 19 digits, a point, a sign.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { buffer in
            var position = buffer.count
            func put(_ byte: UInt8) {
                position -= 1
                buffer[position] = byte
            }
            for _ in 0..<fractionDigits {
                put(UInt8(ascii: "0") + UInt8(fraction % 10))
                fraction /= 10
            }
            if fractionDigits > 0 { put(UInt8(ascii: ".")) }
            repeat {
                put(UInt8(ascii: "0") + UInt8(whole % 10))
                whole /= 10
            } while whole > 0
            if rounded < 0 { put(UInt8(ascii: "-")) }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[position...]), as: UTF8.self)
        }
    }

    // MARK: integer helpers

    private static let powersOfTen: [Int128] = (0...38).map { exponent in
        (0..<exponent).reduce(Int128(1)) { power, _ in power * 10 }
    }

    static func powerOfTen(_ exponent: Int) -> Int128 { powersOfTen[exponent] }

    /// `value` / 10^digits rounded half to even, as NSDecimalRound rounds a magnitude.
    static func roundedHalfEven(_ value: Int128, droppingDigits digits: Int) -> Int128 {
        let divisor = powerOfTen(digits)
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        let twice = remainder.magnitude * 2, whole = UInt128(divisor)
        let away = twice > whole || (twice == whole && quotient % 2 != 0)
        return away ? quotient + (value < 0 ? -1 : 1) : quotient
    }

    /// `value` / 10^digits rounded toward minus infinity, as NSDecimalRound's .down rounds.
    static func flooredDividing(_ value: Int128, byPowerOfTen digits: Int) -> Int128 {
        let divisor = powerOfTen(digits)
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? quotient - 1 : quotient
    }
}

/// A price or a limit, exactly: in integers when it is short enough, else as Decimal. Compared,
/// subtracted and printed with the same results either way; mixed operands use Decimal.
enum ExactNumber {
    case scaled(ScaledDecimal)
    case decimal(Decimal)

    /// The price as DecimalText.fromPrice reads it.
    init(price: Double) {
        if let scaled = ScaledDecimal(price: price) { self = .scaled(scaled) } else { self = .decimal(DecimalText.fromPrice(price)) }
    }

    init(_ value: Decimal) {
        if let scaled = ScaledDecimal(value) { self = .scaled(scaled) } else { self = .decimal(value) }
    }

    var decimal: Decimal {
        switch self {
        case .scaled(let scaled): return scaled.decimal
        case .decimal(let value): return value
        }
    }

    var scaled: ScaledDecimal? {
        if case .scaled(let scaled) = self { return scaled }
        return nil
    }

    /// |self - other|.
    func distance(to other: ExactNumber) -> ExactNumber {
        if let left = scaled, let right = other.scaled, let distance = left.distance(to: right) { return .scaled(distance) }
        return .decimal(abs(decimal - other.decimal))
    }

    static func < (lhs: ExactNumber, rhs: ExactNumber) -> Bool {
        if let left = lhs.scaled, let right = rhs.scaled { return left < right }
        return lhs.decimal < rhs.decimal
    }

    static func > (lhs: ExactNumber, rhs: ExactNumber) -> Bool { rhs < lhs }

    /// RiskRules.text: up to 4 decimals.
    var text: String {
        scaled?.text(fractionDigits: 4, trimZeros: true) ?? RiskRules.text(decimal)
    }
}

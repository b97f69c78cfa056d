/// Text built as UTF-8 bytes through string interpolation: `let line: ByteText = "fill \(id) @ \(price)"`.
/// The standard library's own interpolation appends each piece through a general
/// `String.append` of several hundred instructions; these appends are a copy of the piece's
/// bytes, so a transcript line costs a fraction of what a `String` line did.
struct ByteText: ExpressibleByStringInterpolation {
    var bytes: [UInt8]

    init(stringLiteral literal: StaticString) {
        bytes = []
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    init(stringInterpolation: Interpolation) {
        bytes = stringInterpolation.bytes
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    struct Interpolation: StringInterpolationProtocol {
        var bytes: [UInt8] = []

        init(literalCapacity: Int, interpolationCount: Int) {
            bytes.reserveCapacity(literalCapacity + 16 * interpolationCount)
        }

        mutating func appendLiteral(_ literal: StaticString) {
            literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
        }

        mutating func appendInterpolation(_ text: String) {
            if text.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
                bytes.append(contentsOf: text.utf8)
            }
        }

        mutating func appendInterpolation(_ text: ByteText) {
            bytes.append(contentsOf: text.bytes)
        }

        mutating func appendInterpolation<Number: FixedWidthInteger & SignedInteger>(_ number: Number) {
            FixedDecimalsText.appendInteger(Int64(number), to: &bytes)
        }

        mutating func appendInterpolation<Number: FixedWidthInteger & UnsignedInteger>(_ number: Number) {
            FixedDecimalsText.appendDigits(UInt64(number), minimumWidth: 1, to: &bytes)
        }

        /// A price or ratio as printf's "%.2f" prints it (`FixedDecimalsText`).
        mutating func appendInterpolation(twoDecimals value: Double) {
            FixedDecimalsText.append(value, decimals: 2, to: &bytes)
        }

        mutating func appendInterpolation<Value: CustomStringConvertible>(_ value: Value) {
            appendInterpolation(value.description)
        }
    }
}

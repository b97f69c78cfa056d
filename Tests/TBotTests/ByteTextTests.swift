import XCTest
@testable import TBotCore

/// Byte-built text must read exactly as the standard library's interpolation of the same pieces.
final class ByteTextTests: XCTestCase {
    func testPiecesReadAsStringInterpolationReadsThem() {
        let name = "caf\u{E9} \u{1F4C8}", quantity = Quantity(units: 15_000_000), fee = Money(units: -12_345)
        for number in [0, 7, -7, 1_234_567, Int.max, Int.min] {
            let text: ByteText = "n=\(number) \(name) q=\(quantity) fee \(fee) id \(Int64(number)) w \(UInt32(truncatingIfNeeded: number))"
            XCTAssertEqual(text.string, "n=\(number) \(name) q=\(quantity) fee \(fee) id \(Int64(number)) w \(UInt32(truncatingIfNeeded: number))")
        }
    }

    func testTwoDecimalsAsPrintf() {
        for value in [0.0, -0.0, 0.005, 0.015, -0.004, 50.545, 1e11, 123_456.789, 1e13, -.infinity, .nan] {
            let text: ByteText = "@ \(twoDecimals: value)"
            XCTAssertEqual(text.string, "@ " + String(format: "%.2f", value), "\(value)")
        }
    }

    func testDigitsWithLeadingZeros() {
        var bytes: [UInt8] = []
        FixedDecimalsText.appendDigits(42, minimumWidth: 5, to: &bytes)
        bytes.append(UInt8(ascii: " "))
        FixedDecimalsText.appendDigits(UInt64.max, minimumWidth: 1, to: &bytes)
        bytes.append(UInt8(ascii: " "))
        FixedDecimalsText.appendDigits(0, minimumWidth: 0, to: &bytes)
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "00042 18446744073709551615 0")
    }
}

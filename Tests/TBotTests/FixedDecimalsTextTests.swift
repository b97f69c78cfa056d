import Foundation
import XCTest
@testable import TBotCore

/// The integer "%.Nf" formatter must print exactly what printf prints, ties and signs included.
final class FixedDecimalsTextTests: XCTestCase {
    private func format(_ value: Double, decimals: Int) -> String {
        var bytes: [UInt8] = []
        FixedDecimalsText.append(value, decimals: decimals, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    func testKnownTiesAndSigns() {
        let cases: [(Double, Int, String)] = [
            (0.125, 2, "0.12"), (0.375, 2, "0.38"), (2.675, 2, "2.67"), (1.005, 2, "1.00"), (-0.001, 2, "-0.00"),
            (-0.0, 2, "-0.00"), (0, 2, "0.00"), (49.96, 2, "49.96"), (100710.6, 2, "100710.60"), (0.5, 0, "0"),
            (1.5, 0, "2"), (2.5, 0, "2"), (-2.5, 0, "-2"), (12.34565, 4, "12.3456"), (5e-324, 2, "0.00"),
        ]
        for (value, decimals, expected) in cases {
            XCTAssertEqual(format(value, decimals: decimals), expected, "\(value) with \(decimals) decimals")
        }
    }

    func testMatchesPrintfOnSeededValues() {
        var generator = SeededRandom(seed: 20_261_121)
        for _ in 0..<20_000 {
            let bits = generator.next()
            let magnitude = Double(bits % 10_000_000) / Double([1, 10, 100, 1_000, 8, 3][Int(bits >> 40) % 6])
            let value = bits & 1 == 0 ? magnitude : -magnitude
            let random = Double(bitPattern: generator.next())
            for decimals in 0...6 {
                XCTAssertEqual(format(value, decimals: decimals), String(format: "%.\(decimals)f", value), "\(value)")
                if random.isFinite {
                    XCTAssertEqual(format(random, decimals: decimals), String(format: "%.\(decimals)f", random), "\(random)")
                }
            }
        }
    }
}

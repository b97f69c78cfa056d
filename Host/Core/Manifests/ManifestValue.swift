import Foundation
import TOMLKit

/// Conversions of TOML values into the host's exact types.
enum ManifestValue {
    /// Money and ratios: a decimal string, an integer, or a float taken at its shortest
    /// decimal form (a literal of up to 15 significant digits comes back exactly as written).
    static func decimal(_ value: TOMLValueConvertible) -> Decimal? {
        switch value.type {
        case .string: return value.string.flatMap(DecimalText.parse)
        case .int: return value.int.map { Decimal($0) }
        case .double: return value.double.flatMap { $0.isFinite ? DecimalText.fromPrice($0) : nil }
        default: return nil
        }
    }

    /// The text a plugin receives for a parameter.
    static func parameterText(_ value: TOMLValueConvertible) -> String? {
        switch value.type {
        case .string: return value.string
        case .int: return value.int.map { String($0) }
        case .double: return value.double.map { "\($0)" }
        case .bool: return value.bool.map { $0 ? "true" : "false" }
        default: return nil
        }
    }

    /// How a wrong value is shown in an error: its TOML type and, for scalars, the value.
    static func describe(_ value: TOMLValueConvertible) -> String {
        switch value.type {
        case .string: return "string \"\(value.string ?? "")\""
        case .int: return "integer \(value.int ?? 0)"
        case .double: return "float \(value.double ?? 0)"
        case .bool: return "boolean \(value.bool ?? false)"
        default: return value.type.rawValue
        }
    }
}

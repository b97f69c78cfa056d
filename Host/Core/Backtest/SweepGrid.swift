import Foundation

/// The grid of a parameter sweep: `NAME=FROM:TO:STEP` per parameter, expanded into every
/// combination, the first parameter varying slowest. Values are decimals stepped exactly
/// (Decimal), printed without trailing zeros, so `fast=5:20:5` gives 5, 10, 15, 20.
public struct SweepGrid: Equatable, Sendable {
    public struct Axis: Equatable, Sendable {
        public let name: String
        public let values: [String]
    }

    public let axes: [Axis]
    /// Above this many points a sweep is refused: a typo in a step should not start a week of runs.
    public static let maxPoints = 10_000

    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    public init(_ specs: [String]) throws {
        var axes: [Axis] = []
        for spec in specs {
            guard let equals = spec.firstIndex(of: "=") else { throw Failure(description: "--sweep \(spec): expected NAME=FROM:TO:STEP") }
            let name = String(spec[..<equals])
            let parts = spec[spec.index(after: equals)...].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard !name.isEmpty, parts.count == 3, let from = Decimal(string: parts[0]), let to = Decimal(string: parts[1]),
                  let step = Decimal(string: parts[2]), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { "0123456789.-".contains($0) } }) else {
                throw Failure(description: "--sweep \(spec): expected NAME=FROM:TO:STEP with decimal numbers, e.g. fast=5:20:5")
            }
            guard step > 0 else { throw Failure(description: "--sweep \(spec): STEP must be greater than 0") }
            guard from <= to else { throw Failure(description: "--sweep \(spec): FROM must not be greater than TO") }
            guard !axes.contains(where: { $0.name == name }) else { throw Failure(description: "--sweep \(spec): \(name) is swept twice") }
            var values: [String] = []
            var value = from
            while value <= to {
                values.append(DecimalText.format(value, fractionDigits: 10, trimZeros: true))
                value += step
                guard values.count <= Self.maxPoints else { throw Failure(description: "--sweep \(spec): more than \(Self.maxPoints) values") }
            }
            axes.append(Axis(name: name, values: values))
        }
        guard !axes.isEmpty else { throw Failure(description: "a sweep needs at least one --sweep NAME=FROM:TO:STEP") }
        let total = axes.reduce(1) { $0 * $1.values.count }
        guard total <= Self.maxPoints else { throw Failure(description: "the sweep has \(total) points; the limit is \(Self.maxPoints)") }
        self.axes = axes
    }

    /// Every combination, as (name, value) pairs in axis order.
    public var points: [[ManifestParameter]] {
        axes.reduce([[]]) { partial, axis in
            partial.flatMap { prefix in axis.values.map { prefix + [ManifestParameter(key: axis.name, value: $0)] } }
        }
    }
}

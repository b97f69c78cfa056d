import Foundation

/// Turns parsed entries into normalised values, collecting every problem instead of stopping at the first.
enum ConfigValidator {
    struct Checked {
        /// Normalised values of every known key that was valid (or defaulted).
        var values: [String: String] = [:]
        /// Line of each key set in the file.
        var lines: [String: Int] = [:]
        var issues: [ConfigIssue] = []
        var warnings: [String] = []
    }

    /// - Parameters:
    ///   - unreadable: keys whose line failed to parse; already reported, so not "missing" too.
    ///   - requireAll: true for a file (every seed key must be written); false for built-in values.
    static func check(_ entries: [EnvBotParser.Entry], unreadable: [String: Int] = [:], file: String, requireAll: Bool) -> Checked {
        var result = Checked()
        for entry in entries {
            guard let key = ConfigSchema.key(entry.key) else {
                result.warnings.append("\(file):\(entry.line): unknown key \(entry.key) (ignored)")
                continue
            }
            result.lines[key.name] = entry.line
            switch key.kind.normalise(entry.value) {
            case let .success(value):
                result.values[key.name] = value
            case let .failure(problem):
                result.issues.append(ConfigIssue(file: file, key: key.name, line: entry.line,
                                                 message: problem.message, expected: key.expectedForm))
            }
        }
        var missing: [ConfigIssue] = []
        for key in ConfigSchema.keys where result.lines[key.name] == nil && unreadable[key.name] == nil {
            if key.required && requireAll {
                missing.append(ConfigIssue(file: file, key: key.name, line: nil, message: "missing",
                                           expected: "\(key.expectedForm) (seed default: \(key.defaultDescription))"))
            } else if case let .success(value) = key.kind.normalise(key.defaultValue) {
                result.values[key.name] = value
            }
        }
        result.issues += ConfigCrossChecks.run(values: result.values, lines: result.lines, file: file)
        // Line order reads like the file; missing keys (no line) follow in schema order.
        result.issues = stableSortedByLine(result.issues) + missing
        return result
    }

    private static func stableSortedByLine(_ issues: [ConfigIssue]) -> [ConfigIssue] {
        issues.enumerated()
            .sorted { ($0.element.line ?? .max, $0.offset) < ($1.element.line ?? .max, $1.offset) }
            .map(\.element)
    }
}

import Foundation

/// Rules that involve two keys. Each runs only when both keys are individually valid,
/// so one typo is reported once, not again as a follow-on.
enum ConfigCrossChecks {
    static func run(values: [String: String], lines: [String: Int], file: String) -> [ConfigIssue] {
        var issues: [ConfigIssue] = []
        func issue(_ key: String, _ message: String, _ expected: String) {
            issues.append(ConfigIssue(file: file, key: key, line: lines[key], message: message, expected: expected))
        }
        /// "MAX_TRADES 4 (line 17)": names the other key and where it is set.
        func other(_ key: String) -> String {
            "\(key) \(values[key] ?? "")" + (lines[key].map { " (line \($0))" } ?? "")
        }
        func decimal(_ key: String) -> Decimal? { values[key].flatMap(ConfigLiterals.decimal) }

        if let weights = values["WEIGHTS"], let maxTrades = values["MAX_TRADES"].flatMap(Int.init) {
            let count = ConfigValueKind.commaItems(weights).count
            if count != maxTrades {
                issue("WEIGHTS", "\(count) \(count == 1 ? "entry" : "entries") but \(other("MAX_TRADES"))",
                      "exactly as many comma-separated weights as MAX_TRADES")
            }
        }
        if let low = decimal("MIN_PRICE"), let high = decimal("MAX_PRICE"), !(low < high) {
            issue("MIN_PRICE", "\(values["MIN_PRICE"]!) is not below \(other("MAX_PRICE"))",
                  "MIN_PRICE below MAX_PRICE")
        }
        for session in ["OPEN", "MID", "CLOSE"] {
            let minKey = "MIN_MARKET_CAP_\(session)", maxKey = "MAX_MARKET_CAP_\(session)"
            if let low = values[minKey].flatMap(Int.init), let high = values[maxKey].flatMap(Int.init), low > high {
                issue(minKey, "\(low) is above \(other(maxKey))", "\(minKey) at most \(maxKey)")
            }
        }
        // Defense Mode exists to reduce risk; an allocation above the normal one defeats it.
        if let defense = decimal("DEFENSE_MODE_TOTAL_ALLOCATION"), let normal = decimal("TOTAL_ALLOCATION"), defense > normal {
            issue("DEFENSE_MODE_TOTAL_ALLOCATION", "\(values["DEFENSE_MODE_TOTAL_ALLOCATION"]!) is above \(other("TOTAL_ALLOCATION"))",
                  "DEFENSE_MODE_TOTAL_ALLOCATION at most TOTAL_ALLOCATION")
        }
        return issues
    }
}

import Foundation

/// Line edits of manifests for the budget commands: one value in one table, or a new
/// [[bots]] entry at the end. Comments and formatting of everything else survive.
enum ManifestEditor {
    /// `text` with `key` of the first `[table]` set to `value` (TOML literal), or nil when
    /// the table has no such key.
    static func setting(_ key: String, in table: String, to value: String, text: String) -> String? {
        var lines = text.components(separatedBy: "\n")
        var current = ""
        for index in lines.indices {
            let trimmed = lines[index].trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[") {
                current = trimmed.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
                continue
            }
            guard current == table, let edited = ManifestToggle.replacingValue(of: key, in: lines[index], with: value) else { continue }
            lines[index] = edited
            return lines.joined(separator: "\n")
        }
        return nil
    }

    /// A TOML [[bots]] entry for `bot`.
    static func botEntry(_ bot: BotDeclaration, comment: String) -> String {
        var lines = ["", "# \(comment)", "[[bots]]", "id = \(quoted(bot.id))",
                     "symbols = [\(bot.symbols.map(quoted).joined(separator: ", "))]",
                     "initial_budget = \(quoted(bot.initialBudget.description))"]
        if let cap = bot.maxBudgetCap { lines.append("max_budget_cap = \(quoted(cap.description))") }
        lines += ["compounded = \(bot.compounded)", "autotrade = \(bot.autotrade)"]
        if !bot.parameters.isEmpty {
            lines += ["", "[bots.params]"] + bot.parameters.map { "\($0.key) = \(quoted($0.value))" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

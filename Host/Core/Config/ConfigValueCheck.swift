import Foundation

/// What is wrong with one value; the caller adds file, line, key and the expected form.
struct ConfigValueProblem: Error, Equatable {
    let message: String
}

extension ConfigValueKind {
    /// Checks a trimmed raw value and returns it in normalised spelling (the form plugins see).
    func normalise(_ raw: String) -> Result<String, ConfigValueProblem> {
        func fail(_ message: String) -> Result<String, ConfigValueProblem> {
            .failure(ConfigValueProblem(message: message))
        }
        if raw.isEmpty {
            switch self {
            case .choice(_, allowEmpty: true), .path(emptyMeans: .some), .symbolMap, .url(emptyMeans: .some), .emails(emptyMeans: .some), .text:
                return .success("")
            default:
                return fail("empty value")
            }
        }
        switch self {
        case .boolean:
            let lower = raw.lowercased()
            return lower == "true" || lower == "false" ? .success(lower) : fail("\(quoted(raw)) is not a boolean")

        case let .choice(options, _):
            guard let match = options.first(where: { $0.lowercased() == raw.lowercased() }) else {
                return fail("\(quoted(raw)) is not an allowed value")
            }
            return .success(match)

        case let .integer(min, max, _):
            guard let value = ConfigLiterals.integer(raw) else { return fail("\(quoted(raw)) is not a whole number") }
            guard value >= min, max.map({ value <= $0 }) ?? true else { return fail("\(value) is out of range") }
            return .success(String(value))

        case let .decimal(bounds, _):
            guard let value = ConfigLiterals.decimal(raw) else { return fail("\(quoted(raw)) is not a decimal number") }
            guard bounds.contains(value) else { return fail("\(raw) is out of range") }
            return .success(raw.hasPrefix("+") ? String(raw.dropFirst()) : raw)

        case .weights:
            return Self.normaliseWeights(raw)

        case .timeOfDay:
            guard let time = ConfigLiterals.timeOfDay(raw) else { return fail("\(quoted(raw)) is not a valid time of day") }
            return .success(String(format: "%02d:%02d", time.hour, time.minute))

        case .weekdays:
            return Self.normaliseSet(raw, allowed: Self.weekdayNames, noun: "weekday")

        case .sessions:
            return Self.normaliseSet(raw, allowed: Self.sessionNames, noun: "session")

        case .duration:
            guard ConfigLiterals.durationMilliseconds(raw) != nil else { return fail("\(quoted(raw)) is not a valid duration") }
            return .success(raw.lowercased())

        case .versionTag:
            return ConfigLiterals.isVersionTag(raw) ? .success(raw) : fail("\(quoted(raw)) is not a version tag")

        case .path:
            return .success(raw)

        case .symbolMap:
            return Self.normaliseSymbolMap(raw)

        case .code:
            let valid = (1...16).contains(raw.count) && raw.allSatisfy { ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") }
            return valid ? .success(raw) : fail("\(quoted(raw)) is not a code")

        case .text:
            return raw.unicodeScalars.contains { $0.properties.generalCategory == .control } ? fail("\(quoted(raw)) holds a control character") : .success(raw)

        case .url:
            guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
                  let host = url.host, !host.isEmpty else { return fail("\(quoted(raw)) is not an http or https URL") }
            // A trailing slash would double the one every API path starts with.
            return .success(raw.hasSuffix("/") ? String(raw.dropLast()) : raw)

        case .emails:
            let items = Self.commaItems(raw)
            for item in items {
                let parts = item.split(separator: "@", omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !item.contains(" ") else {
                    return fail("\(quoted(item)) is not an e-mail address")
                }
            }
            return .success(items.joined(separator: ","))
        }
    }

    /// Comma-separated items from a fixed list, each once, order kept, lower-cased.
    private static func normaliseSet(_ raw: String, allowed: [String], noun: String) -> Result<String, ConfigValueProblem> {
        var seen: [String] = []
        for (index, item) in commaItems(raw).enumerated() {
            let name = item.lowercased()
            if name.isEmpty {
                return .failure(ConfigValueProblem(message: "empty \(noun) at position \(index + 1)"))
            }
            guard allowed.contains(name) else {
                return .failure(ConfigValueProblem(message: "unknown \(noun) \(quoted(item))"))
            }
            guard !seen.contains(name) else {
                return .failure(ConfigValueProblem(message: "\(noun) \(quoted(name)) is listed twice"))
            }
            seen.append(name)
        }
        return .success(seen.joined(separator: ","))
    }

    /// Each weight in (0, 1] and the sum exactly 1; the count is checked against MAX_TRADES elsewhere.
    private static func normaliseWeights(_ raw: String) -> Result<String, ConfigValueProblem> {
        var total = Decimal(0)
        var items: [String] = []
        for (index, item) in commaItems(raw).enumerated() {
            let position = "entry \(index + 1)"
            guard let weight = ConfigLiterals.decimal(item) else {
                let what = item.isEmpty ? "\(position) is empty" : "\(position) \(quoted(item)) is not a decimal number"
                return .failure(ConfigValueProblem(message: what))
            }
            guard DecimalBounds.positiveRatio.contains(weight) else {
                return .failure(ConfigValueProblem(message: "\(position) (\(item)) is out of range"))
            }
            total += weight
            items.append(item)
        }
        guard total == 1 else {
            return .failure(ConfigValueProblem(message: "entries sum to \(total), not 1"))
        }
        return .success(items.joined(separator: ","))
    }

    /// UNDERLYING:INVERSE pairs, upper-cased; an underlying may appear once.
    private static func normaliseSymbolMap(_ raw: String) -> Result<String, ConfigValueProblem> {
        var pairs: [String] = []
        var seen = Set<String>()
        for (index, item) in commaItems(raw).enumerated() {
            let sides = item.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
            guard sides.count == 2, sides.allSatisfy(isSymbol) else {
                return .failure(ConfigValueProblem(message: "pair \(index + 1) \(quoted(item)) is not UNDERLYING:INVERSE"))
            }
            guard seen.insert(sides[0]).inserted else {
                return .failure(ConfigValueProblem(message: "\(sides[0]) is mapped twice"))
            }
            pairs.append("\(sides[0]):\(sides[1])")
        }
        return .success(pairs.joined(separator: ","))
    }

    private static func isSymbol(_ text: String) -> Bool {
        (1...31).contains(text.count) && text.allSatisfy { ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || ".-/".contains($0) }
    }

    static func commaItems(_ raw: String) -> [String] {
        raw.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
    }
}

fileprivate func quoted(_ text: String) -> String { "\"\(text)\"" }

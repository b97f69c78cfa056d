import Foundation

/// Reads dotenv-style text (`KEY=VALUE`) as the seed's `.env_bot` uses it.
/// Only syntax is checked here; what the values mean is the schema's job.
public enum EnvBotParser {
    public struct Entry: Sendable, Equatable {
        public let key: String
        /// Trimmed, quotes removed, inline comment dropped.
        public let value: String
        /// 1-based.
        public let line: Int
    }

    public struct Output: Sendable {
        public let entries: [Entry]
        public let issues: [ConfigIssue]
        /// Keys whose line had a syntax error in the value: present, so not reported again as missing.
        public let unreadableKeys: [String: Int]
    }

    public static let keyForm = "KEY=VALUE with KEY made of A-Z, 0-9 and _"

    /// Parses every line and collects every syntax problem; a bad line never hides the lines after it.
    public static func parse(_ text: String, file: String) -> Output {
        var entries: [Entry] = []
        var issues: [ConfigIssue] = []
        var firstLine: [String: Int] = [:]
        var unreadable: [String: Int] = [:]
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }  // a BOM from some editors

        // "\r\n" is one Character in Swift, so split on any newline Character, not on "\n".
        for (index, rawLine) in body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let lineNumber = index + 1
            func issue(_ key: String?, _ message: String, _ expected: String?) {
                issues.append(ConfigIssue(file: file, key: key, line: lineNumber, message: message, expected: expected))
            }
            var line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export"), let next = line.dropFirst(6).first, next == " " || next == "\t" {
                line = line.dropFirst(6).trimmingCharacters(in: .whitespaces)
            }
            guard let equals = line.firstIndex(of: "=") else {
                issue(nil, "no '=' in \(quotedLine(line))", keyForm)
                continue
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else {
                issue(nil, "empty key before '='", keyForm)
                continue
            }
            guard isValidKey(key) else {
                issue(nil, "invalid key name \(quotedLine(key))", keyForm)
                continue
            }
            let value: String
            switch parseValue(line[line.index(after: equals)...]) {
            case let .success(v):
                value = v
            case let .failure(problem):
                issue(key, problem.message, problem.expected)
                unreadable[key] = unreadable[key] ?? lineNumber
                continue
            }
            if let first = firstLine[key] {
                issue(key, "duplicate key (first set on line \(first))", "each key at most once")
                continue
            }
            firstLine[key] = lineNumber
            entries.append(Entry(key: key, value: value, line: lineNumber))
        }
        return Output(entries: entries, issues: issues, unreadableKeys: unreadable)
    }

    static func isValidKey(_ key: String) -> Bool {
        key.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    struct ValueProblem: Error {
        let message: String
        let expected: String
    }

    /// Quoted: everything up to the matching quote, kept verbatim (a '#' inside stays).
    /// Unquoted: up to a '#' that follows whitespace (inline comment), then trimmed.
    static func parseValue(_ rest: Substring) -> Result<String, ValueProblem> {
        let text = rest.trimmingCharacters(in: .whitespaces)
        if let quote = text.first, quote == "\"" || quote == "'" {
            let inner = text.dropFirst()
            guard let close = inner.firstIndex(of: quote) else {
                return .failure(ValueProblem(message: "unterminated \(quote) quote",
                                             expected: "a closing \(quote) on the same line"))
            }
            let after = inner[inner.index(after: close)...].trimmingCharacters(in: .whitespaces)
            guard after.isEmpty || after.hasPrefix("#") else {
                return .failure(ValueProblem(message: "unexpected text \(quotedLine(after)) after the closing quote",
                                             expected: "only a # comment after a quoted value"))
            }
            return .success(String(inner[..<close]))
        }
        // Scan the untrimmed rest so "KEY= # note" reads as empty, not as "# note".
        var previousWasSpace = false
        for (offset, char) in rest.enumerated() {
            if char == "#" && previousWasSpace {
                return .success(String(rest.prefix(offset)).trimmingCharacters(in: .whitespaces))
            }
            previousWasSpace = char == " " || char == "\t"
        }
        return .success(text)
    }

    private static func quotedLine(_ text: String) -> String { "\"\(text)\"" }
}

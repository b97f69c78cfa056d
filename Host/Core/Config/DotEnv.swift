import Foundation

/// A syntax error in a `.env` file. The message names the file, the line and the key, never
/// the value: `.env` holds secrets.
public struct DotEnvError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let message: String

    public var description: String { "\(file):\(line): \(message)" }
}

/// Reads `.env` files: `KEY=VALUE` lines, `#` comments, blank lines, an optional `export `
/// prefix, values optionally in single quotes (verbatim) or double quotes (\" \\ \n escapes).
/// Unquoted values end at a `#` that follows whitespace.
public enum DotEnv {
    public static let fileName = ".env"

    /// Every key and value, or the first syntax error.
    public static func parse(_ text: String, file: String) throws -> [String: String] {
        var values: [String: String] = [:]
        var firstLine: [String: Int] = [:]
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        for (index, raw) in body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let lineNumber = index + 1
            func fail(_ message: String) -> DotEnvError { DotEnvError(file: file, line: lineNumber, message: message) }
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export "), line.count > 7 { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let equals = line.firstIndex(of: "=") else { throw fail("no '=' on this line; expected KEY=VALUE") }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, EnvBotParser.isValidKey(key) else {
                throw fail("invalid key name; expected KEY=VALUE with KEY made of A-Z, 0-9 and _")
            }
            if let first = firstLine[key] { throw fail("\(key): duplicate key (first set on line \(first))") }
            do {
                values[key] = try value(line[line.index(after: equals)...])
            } catch let problem as ValueProblem {
                throw fail("\(key): \(problem.message)")
            }
            firstLine[key] = lineNumber
        }
        return values
    }

    /// The file's keys, or nil when there is no file at `path`.
    public static func load(path: String) throws -> [String: String]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DotEnvError(file: path, line: 0, message: "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DotEnvError(file: path, line: 0, message: "is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    private struct ValueProblem: Error { let message: String }

    private static func value(_ rest: Substring) throws -> String {
        let text = rest.trimmingCharacters(in: .whitespaces)
        guard let quote = text.first, quote == "\"" || quote == "'" else {
            var previousWasSpace = true  // "KEY= # note" is empty
            for (offset, char) in rest.enumerated() {
                if char == "#" && previousWasSpace {
                    return String(rest.prefix(offset)).trimmingCharacters(in: .whitespaces)
                }
                previousWasSpace = char == " " || char == "\t"
            }
            return text
        }
        var result = ""
        var escaped = false
        var closed: String.Index?
        let inner = text.dropFirst()
        for index in inner.indices {
            let char = inner[index]
            if escaped {
                switch char {
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: result.append(char)
                }
                escaped = false
            } else if char == "\\" && quote == "\"" {
                escaped = true
            } else if char == quote {
                closed = index
                break
            } else {
                result.append(char)
            }
        }
        guard let closed else { throw ValueProblem(message: "unterminated \(quote) quote; expected a closing \(quote) on the same line") }
        let after = inner[inner.index(after: closed)...].trimmingCharacters(in: .whitespaces)
        guard after.isEmpty || after.hasPrefix("#") else {
            throw ValueProblem(message: "text after the closing quote; expected only a # comment after a quoted value")
        }
        return result
    }
}

import Foundation

/// Flips `enabled` in a manifest by editing that one line, so the operator's comments,
/// ordering and formatting survive. The result is parsed again before it is written.
public enum ManifestToggle {
    public enum Failure: Error, CustomStringConvertible {
        case invalidAfterEdit(ManifestError)
        case unreadable(String)

        public var description: String {
            switch self {
            case .invalidAfterEdit(let error): return "refusing to write: the edited manifest would be invalid: \(error)"
            case .unreadable(let file): return "\(file): cannot be read"
            }
        }
    }

    /// Sets `enabled` in `file`; returns true when the file changed.
    @discardableResult
    public static func setEnabled(_ enabled: Bool, file: String) throws -> Bool {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw Failure.unreadable(file) }
        let edited = rewrite(text, enabled: enabled)
        guard edited != text else { return false }
        if case .failure(let error) = ManifestParser.parse(text: edited, file: file) { throw Failure.invalidAfterEdit(error) }
        try AtomicFile.write(edited, to: file)
        return true
    }

    /// The text with the root table's `enabled` set, or the line added after `kind`.
    static func rewrite(_ text: String, enabled: Bool) -> String {
        var lines = text.components(separatedBy: "\n")
        let value = enabled ? "true" : "false"
        let rootEnd = lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix("[") } ?? lines.count
        for index in 0..<rootEnd {
            if let edited = replacingValue(of: "enabled", in: lines[index], with: value) {
                lines[index] = edited
                return lines.joined(separator: "\n")
            }
        }
        let kindLine = (0..<rootEnd).first { key(of: lines[$0]) == "kind" }
        lines.insert("enabled = \(value)", at: kindLine.map { $0 + 1 } ?? rootEnd)
        return lines.joined(separator: "\n")
    }

    /// The literal value of the root table's `enabled`, if the text has one.
    static func rootEnabledValue(in text: String) -> Bool? {
        for line in text.components(separatedBy: "\n") {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("[") { return nil }
            guard key(of: line) == "enabled" else { continue }
            let rest = line[line.firstIndex(of: "=")!...].dropFirst().trimmingCharacters(in: .whitespaces)
            if rest.hasPrefix("true") { return true }
            if rest.hasPrefix("false") { return false }
        }
        return nil
    }

    static func key(of line: String) -> String? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { return nil }
        return trimmed[..<equals].trimmingCharacters(in: .whitespaces)
    }

    /// Replaces the value of `name` on this line, keeping indentation, spacing and a trailing comment.
    static func replacingValue(of name: String, in line: String, with value: String) -> String? {
        guard key(of: line) == name, let equals = line.firstIndex(of: "=") else { return nil }
        let afterEquals = line[line.index(after: equals)...]
        let leading = afterEquals.prefix { $0 == " " || $0 == "\t" }
        let rest = afterEquals.dropFirst(leading.count)
        let oldValue = rest.prefix { !$0.isWhitespace && $0 != "#" }
        return String(line[...equals]) + leading + value + rest.dropFirst(oldValue.count)
    }
}

/// Writes through a temporary file and rename, so a crash never leaves half a manifest.
enum AtomicFile {
    static func write(_ text: String, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        guard rename(temporary, path) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "\(path): \(message)"])
        }
    }
}

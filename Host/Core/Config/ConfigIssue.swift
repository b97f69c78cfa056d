/// One problem found in a configuration file, printed as one line so an operator can jump to it.
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    /// The key concerned; nil for a line that never got as far as a key (e.g. no '=').
    public let key: String?
    /// 1-based line in the file; nil for a missing key or the built-in defaults.
    public let line: Int?
    /// What is wrong, e.g. `"yes" is not true or false`.
    public let message: String
    /// What would have been accepted, e.g. `true or false`.
    public let expected: String?
    /// The file (or "built-in defaults") the issue belongs to.
    public let file: String

    public init(file: String, key: String?, line: Int?, message: String, expected: String?) {
        self.file = file
        self.key = key
        self.line = line
        self.message = message
        self.expected = expected
    }

    /// `FILE:LINE: KEY: <what is wrong>; expected <expected form>`
    public var description: String {
        // No file (e.g. the file itself was not found): the message stands alone.
        var text = file.isEmpty ? "" : file + (line.map { ":\($0)" } ?? "") + ": "
        if let key { text += "\(key): " }
        text += message
        if let expected { text += "; expected \(expected)" }
        return text
    }
}

/// Every problem found in one configuration file. Thrown only after the whole file was checked.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let issues: [ConfigIssue]

    public init(file: String, issues: [ConfigIssue]) {
        self.file = file
        self.issues = issues
    }

    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}

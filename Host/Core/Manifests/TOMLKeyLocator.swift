import Foundation

/// Finds the line of a key in TOML source. TOMLKit reports lines for syntax errors only,
/// so shape errors (wrong type, bad value) are located by this scan of the text.
struct TOMLKeyLocator {
    private struct KeyLine {
        let table: String     // "" for the root table, "module", "bots", "bots.params"
        let occurrence: Int   // index of the [[array]] element the key sits in
        let key: String
        let line: Int
    }

    private let keys: [KeyLine]
    private let headers: [(table: String, occurrence: Int, line: Int)]

    init(source: String) {
        var keys: [KeyLine] = []
        var headers: [(String, Int, Int)] = []
        var table = ""
        var arrayCounts: [String: Int] = [:]
        var occurrence = 0
        for (index, raw) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[[") {
                let name = Self.headerName(line, brackets: 2)
                let next = arrayCounts[name, default: -1] + 1
                arrayCounts[name] = next
                (table, occurrence) = (name, next)
                headers.append((name, next, index + 1))
            } else if line.hasPrefix("[") {
                let name = Self.headerName(line, brackets: 1)
                // A sub-table of an array element ([bots.params]) belongs to the latest element.
                let parent = name.split(separator: ".").first.map(String.init) ?? name
                (table, occurrence) = (name, arrayCounts[parent] ?? 0)
                headers.append((name, occurrence, index + 1))
            } else if let equals = line.firstIndex(of: "="), !line.hasPrefix("#") {
                var key = line[..<equals].trimmingCharacters(in: .whitespaces)
                if key.count >= 2, key.first == "\"", key.last == "\"" { key = String(key.dropFirst().dropLast()) }
                keys.append(KeyLine(table: table, occurrence: occurrence, key: key, line: index + 1))
            }
        }
        self.keys = keys
        self.headers = headers
    }

    /// Line of `key` in `table` (element `occurrence` of an array of tables).
    func line(of key: String, in table: String = "", occurrence: Int = 0) -> Int? {
        keys.first { $0.table == table && $0.occurrence == occurrence && $0.key == key }?.line
    }

    /// Line of a `[table]` or `[[table]]` header.
    func headerLine(_ table: String, occurrence: Int = 0) -> Int? {
        headers.first { $0.table == table && $0.occurrence == occurrence }?.line
    }

    private static func headerName(_ line: String, brackets: Int) -> String {
        var body = line.dropFirst(brackets)
        if let close = body.firstIndex(of: "]") { body = body[..<close] }
        return body.trimmingCharacters(in: .whitespaces)
    }
}

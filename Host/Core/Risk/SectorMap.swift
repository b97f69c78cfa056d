import Foundation

/// Maps a symbol to its sector, for the risk engine's sector limits.
///
/// File format: a UTF-8 CSV file. First non-blank, non-comment line must be the header
/// `symbol,sector` (case-insensitive, spaces around fields trimmed). Lines starting with `#`
/// and blank lines are ignored. Each data line: `SYMBOL,Sector Name`; symbol is upper-cased
/// after trimming, must be 1-31 chars of A-Z 0-9 . / - ; sector is trimmed, non-empty, at most
/// 64 chars, may contain spaces. A symbol listed twice is an error (even with the same sector).
///
/// Example:
///
///     # sectors used by the risk engine
///     symbol,sector
///     AAPL,Information Technology
///     BRK.B,Financials
public struct SectorMap: Sendable, Equatable {
    public static let maxSymbolLength = 31
    public static let maxSectorLength = 64

    /// Upper-cased symbol -> sector.
    private let sectors: [String: String]

    public static let empty = SectorMap([:])

    /// Symbols are upper-cased so lookups match the file's rule; values are used as given.
    public init(_ sectors: [String: String]) {
        var upper: [String: String] = [:]
        for (symbol, sector) in sectors { upper[symbol.uppercased()] = sector }
        self.sectors = upper
    }

    public var count: Int { sectors.count }

    /// The sector of `symbol` (any case), or nil when the map does not list it.
    public func sector(of symbol: String) -> String? {
        sectors[symbol.trimmingCharacters(in: .whitespaces).uppercased()]
    }

    public static func load(path: String) throws -> SectorMap {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw SectorMapError(file: path, line: nil, message: "cannot read the sector map: no such file")
        }
        guard !isFolder.boolValue else {
            throw SectorMapError(file: path, line: nil, message: "cannot read the sector map: it is a folder, not a file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SectorMapError(file: path, line: nil, message: "cannot read the sector map: the file cannot be opened")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SectorMapError(file: path, line: nil, message: "cannot read the sector map: not UTF-8 text")
        }
        return try parse(text: text, file: path)
    }

    /// Parses the file text; `file` only names the source in errors. Stops at the first error.
    public static func parse(text: String, file: String) throws -> SectorMap {
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }  // a BOM from some editors

        var sectors: [String: String] = [:]
        var firstLine: [String: Int] = [:]
        var sawHeader = false
        // "\r\n" is one Character in Swift, so split on any newline Character, not on "\n".
        for (index, rawLine) in body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let lineNumber = index + 1
            func failure(_ message: String) -> SectorMapError {
                SectorMapError(file: file, line: lineNumber, message: message)
            }
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }

            // Empty fields are kept so "A,,B" counts as 3 fields, not 2.
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }

            guard sawHeader else {
                guard fields.map({ $0.lowercased() }) == ["symbol", "sector"] else {
                    throw failure("expected the header symbol,sector, found \"\(line)\"")
                }
                sawHeader = true
                continue
            }

            guard fields.count == 2 else {
                throw failure("expected 2 fields (symbol,sector), found \(fields.count)")
            }
            let raw = fields[0]
            let symbol = raw.uppercased()
            // Checked on the raw bytes too: "\u{DF}" (sharp s) upper-cases to "SS" and must not pass as a valid symbol.
            guard raw.utf8.allSatisfy({ $0 < 0x80 }), isValidSymbol(symbol) else {
                throw failure("symbol \"\(raw)\" is not valid (1 to 31 of A-Z, 0-9, '.', '/', '-')")
            }
            let sector = fields[1]
            guard !sector.isEmpty else { throw failure("symbol \(symbol) has an empty sector") }
            guard sector.count <= maxSectorLength else {
                throw failure("sector of \(symbol) is longer than \(maxSectorLength) characters")
            }
            // Even an identical repeat is refused: it usually means a copy-paste slip hiding another edit.
            if let first = firstLine[symbol] {
                throw failure("symbol \(symbol) is listed twice (first on line \(first))")
            }
            firstLine[symbol] = lineNumber
            sectors[symbol] = sector
        }
        guard sawHeader else {
            throw SectorMapError(file: file, line: nil, message: "the file is empty; expected the header symbol,sector")
        }
        return SectorMap(sectors)
    }

    /// 1 to 31 bytes, each one of A-Z, 0-9, '.', '/', '-'.
    static func isValidSymbol(_ symbol: String) -> Bool {
        let bytes = symbol.utf8
        guard (1...maxSymbolLength).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "-")
        }
    }
}

/// A problem in a sector map file: where it is and what is wrong.
public struct SectorMapError: Error, CustomStringConvertible, Equatable {
    public let file: String
    /// 1-based; nil when the problem is the file as a whole.
    public let line: Int?
    public let message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

import Foundation

/// Writes one session's trade history as the seed's `trade_history` CSV and JSON, side by side.
/// The files are a parallel audit trail: never read back into the ledger.
public enum TradeHistoryWriter {
    /// The seed's required fields, then the host's own (trade_uuid, execution_ms, tags,
    /// fallback_level: how many ranked candidates were rejected before this trade's entry).
    public static let csvHeader = "timestamp,strategy_name,ticker,side,size,entry_price,exit_price,PnL,broker,mode,error_code,trade_uuid,execution_ms,tags,fallback_level"

    /// Writes both files atomically, records in the order given. A record of another mode
    /// than the layout's is refused before anything is written, so a paper trade never lands
    /// in a live file.
    @discardableResult
    public static func write(_ records: [TradeRecord], session: String, date: String, layout: OutputLayout) throws -> (csv: URL, json: URL) {
        try ReportFile.checkName(session, what: "session")
        try ReportFile.checkName(date, what: "date")
        if let stray = records.first(where: { $0.mode != layout.mode }) {
            throw ReportError.modeMismatch(expected: layout.mode, found: stray.mode)
        }
        let csv = layout.tradeHistory(session: session, date: date, extension: "csv")
        let json = layout.tradeHistory(session: session, date: date, extension: "json")
        try ReportFile.writeAtomically(csvText(records), to: csv)
        try ReportFile.writeAtomically(jsonText(records), to: json)
        return (csv, json)
    }

    /// The same, arguments in the order of the brief.
    @discardableResult
    public static func write(_ records: [TradeRecord], layout: OutputLayout, session: String, date: String) throws -> (csv: URL, json: URL) {
        try write(records, session: session, date: date, layout: layout)
    }

    /// A header row, then one row per record; cells quoted only where RFC 4180 requires it.
    /// Missing values are empty cells; tags share one cell, separated by ';'.
    public static func csvText(_ records: [TradeRecord]) -> String {
        var lines = [csvHeader]
        for record in records {
            let cells = Cells(record)
            lines.append([
                cells.timestamp, record.strategyName, record.ticker, record.side, cells.size, cells.entry ?? "", cells.exit ?? "",
                cells.pnl ?? "", record.broker, record.mode.rawValue, record.errorCode ?? "", record.tradeUUID ?? "",
                cells.milliseconds ?? "", record.tags.joined(separator: ";"), record.fallbackLevel.map(String.init) ?? "",
            ].map(ReportText.csvCell).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A JSON array of objects, keys in the seed's order. error_code appears only when set
    /// (the seed's rule); other missing values are null. Numbers are written from exact text.
    public static func jsonText(_ records: [TradeRecord]) -> String {
        ReportJSON.array(records.map(object)).rendered(pretty: true) + "\n"
    }

    private static func object(_ record: TradeRecord) -> ReportJSON {
        let cells = Cells(record)
        var members: [(String, ReportJSON)] = [
            ("timestamp", .string(cells.timestamp)),
            ("strategy_name", .string(record.strategyName)),
            ("ticker", .string(record.ticker)),
            ("side", .string(record.side)),
            ("size", .number(cells.size)),
            ("entry_price", cells.entry.map(ReportJSON.number) ?? .null),
            ("exit_price", cells.exit.map(ReportJSON.number) ?? .null),
            ("PnL", cells.pnl.map(ReportJSON.number) ?? .null),
            ("broker", .string(record.broker)),
            ("mode", .string(record.mode.rawValue)),
        ]
        if let code = record.errorCode { members.append(("error_code", .string(code))) }
        members += [
            ("trade_uuid", record.tradeUUID.map(ReportJSON.string) ?? .null),
            ("execution_ms", cells.milliseconds.map(ReportJSON.number) ?? .null),
            ("tags", .array(record.tags.map(ReportJSON.string))),
            ("fallback_level", record.fallbackLevel.map { .number(String($0)) } ?? .null),
        ]
        return .object(members)
    }

    /// A record's numbers and time as text, shared by both formats so they always agree.
    private struct Cells {
        let timestamp: String, size: String, entry: String?, exit: String?, pnl: String?, milliseconds: String?

        init(_ record: TradeRecord) {
            timestamp = UTCTimestamp.iso8601(nanoseconds: record.timeNanoseconds, fractional: true)
            size = record.size.description
            entry = record.entryPrice.flatMap(ReportText.decimal)
            exit = record.exitPrice.flatMap(ReportText.decimal)
            pnl = record.pnl.map(ReportText.money)
            milliseconds = record.executionMilliseconds.flatMap(ReportText.milliseconds)
        }
    }
}

/// Why a report was not written.
public enum ReportError: Error, Equatable, CustomStringConvertible {
    /// A record of one mode offered to a layout of another.
    case modeMismatch(expected: LedgerMode, found: LedgerMode)
    /// A record dated on another UTC day than the summary's.
    case outsideDay(date: String, found: String)
    /// A session or date that would leave its folder, or is empty.
    case invalidName(what: String, value: String)
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .modeMismatch(let expected, let found): return "a \(found.rawValue) record cannot be written to \(expected.rawValue) output"
        case .outsideDay(let date, let found): return "a record of \(found) cannot be part of the \(date) daily summary"
        case .invalidName(let what, let value): return "invalid \(what) \"\(value)\": must be non-empty, without '/' or a leading '.'"
        case .io(let path, let reason): return "\(path): \(reason)"
        }
    }
}

/// Text pieces the reports share: CSV cells, JSON strings and exact numbers.
enum ReportText {
    /// Quotes only where RFC 4180 requires it; a quote inside is doubled.
    static func csvCell(_ field: String) -> String {
        guard field.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return field }
        return quoted(field)
    }

    /// Always quoted, a quote inside doubled: rows that look the same whatever they hold.
    static func quoted(_ field: String) -> String {
        "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A JSON string literal; control characters escaped, everything else kept as UTF-8.
    static func jsonString(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 2)
        appendJSONString(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Money with 2 to 4 decimals, from the integer units (never through Double): 111.00, -1.2345.
    static func money(_ value: Money) -> String {
        let scale = UInt64(Money.scale)
        let digits = String(Money.scale).count - 1
        let magnitude = value.units.magnitude
        var fraction = String(magnitude % scale)
        fraction = String(repeating: "0", count: digits - fraction.count) + fraction
        while fraction.count > 2, fraction.hasSuffix("0") { fraction.removeLast() }
        return (value.units < 0 ? "-" : "") + "\(magnitude / scale).\(fraction)"
    }

    /// A Decimal's own digits (Decimal never prints an exponent); nil for NaN or anything
    /// that is not a plain JSON number.
    static func decimal(_ value: Decimal) -> String? {
        let text = value.description
        guard !value.isNaN, !text.hasPrefix("+"), DecimalText.parse(text) != nil else { return nil }
        return text
    }

    /// Milliseconds with three decimals (microseconds): 12.500. A timing is not money, so it
    /// may come from a Double; a non-finite or absurd one is treated as absent.
    static func milliseconds(_ value: Double) -> String? {
        guard value.isFinite, value.magnitude < 1e12 else { return nil }
        let micros = Int64((value * 1000).rounded())
        let magnitude = micros.magnitude
        let fraction = String(magnitude % 1000)
        return (micros < 0 ? "-" : "") + "\(magnitude / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}

/// A JSON value whose numbers are already exact text, so nothing passes through Double.
/// Objects keep the order they are given.
enum ReportJSON {
    case string(String)
    case number(String)
    case null
    case array([ReportJSON])
    case object([(String, ReportJSON)])

    /// Pretty: two-space indentation, one member per line; otherwise one line without spaces.
    func rendered(pretty: Bool) -> String {
        // Appended into one string: building each level's text separately copied every
        // nested value once per level, which dominated writing a long backtest's reports.
        var out = ""
        write(into: &out, indent: pretty ? 0 : nil)
        return out
    }

    /// `indent` nil: compact.
    private func write(into out: inout String, indent: Int?) {
        switch self {
        case .string(let text): out += ReportText.jsonString(text)
        case .number(let text): out += text
        case .null: out += "null"
        case .array(let items):
            guard let indent, !items.isEmpty else {
                out += "["
                for (index, item) in items.enumerated() {
                    if index > 0 { out += "," }
                    item.write(into: &out, indent: nil)
                }
                out += "]"
                return
            }
            out += "[\n"
            for (index, item) in items.enumerated() {
                if index > 0 { out += ",\n" }
                out += String(repeating: " ", count: indent + 2)
                item.write(into: &out, indent: indent + 2)
            }
            out += "\n" + String(repeating: " ", count: indent) + "]"
        case .object(let members):
            guard let indent, !members.isEmpty else {
                out += "{"
                for (index, member) in members.enumerated() {
                    if index > 0 { out += "," }
                    out += ReportText.jsonString(member.0) + ":"
                    member.1.write(into: &out, indent: nil)
                }
                out += "}"
                return
            }
            out += "{\n"
            for (index, member) in members.enumerated() {
                if index > 0 { out += ",\n" }
                out += String(repeating: " ", count: indent + 2) + ReportText.jsonString(member.0) + ": "
                member.1.write(into: &out, indent: indent + 2)
            }
            out += "\n" + String(repeating: " ", count: indent) + "}"
        }
    }
}

/// Whole-file writes that never leave a half-written report under the final name.
enum ReportFile {
    /// Writes to a hidden temporary file beside `url`, syncs it, then renames it over `url`.
    static func writeAtomically(_ text: String, to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ReportError.io(path: folder.path, reason: "cannot create the folder: \(error.localizedDescription)")
        }
        // Same folder, so the rename never crosses file systems.
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure(temporary, "cannot create") }
        defer { unlink(temporary.path) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                let error = failure(temporary, "cannot write")
                close(descriptor)
                throw error
            }
            bytes = bytes.dropFirst(written)
        }
        guard fsync(descriptor) == 0 else {
            let error = failure(temporary, "cannot sync")
            close(descriptor)
            throw error
        }
        close(descriptor)
        guard rename(temporary.path, url.path) == 0 else { throw failure(url, "cannot rename into place") }
        // The rename itself survives a power loss only once the folder is synced (best effort).
        let directory = open(folder.path, O_RDONLY | O_CLOEXEC)
        if directory >= 0 { fsync(directory); close(directory) }
    }

    /// Names that become part of a file name must not climb out of the layout's folders.
    static func checkName(_ value: String, what: String) throws {
        guard !value.isEmpty, !value.contains("/"), !value.hasPrefix("."), !value.unicodeScalars.contains("\0") else {
            throw ReportError.invalidName(what: what, value: value)
        }
    }

    private static func failure(_ url: URL, _ action: String) -> ReportError {
        ReportError.io(path: url.path, reason: "\(action): \(String(cString: strerror(errno)))")
    }
}

import Foundation
import Logging

/// A strategy session's log file (e.g. `output/logs/open_paper.log`) in the LOG_FORMAT the
/// operator chose: json writes one object per line, csv a header then one quoted row per line.
/// Lines are appended with one write(2) each, so an operator tailing the file sees every line
/// as soon as it is logged. Timestamps come from the host clock, so a replay's log is repeatable.
/// One instance is used from one thread, like the rest of the core.
public final class SessionLog {
    public static let csvHeader = "timestamp,level,source,message"

    public let url: URL
    public let format: RuntimeConfig.LogFormat
    /// The strategy or session the lines come from, e.g. "open".
    public let source: String
    private let clock: HostClock
    private var descriptor: Int32

    /// Opens `layout.log(name)` for appending, creating folders and the file as needed.
    /// A new (empty) csv log gets its header first.
    public init(layout: OutputLayout, name: String, format: RuntimeConfig.LogFormat, clock: HostClock, source: String? = nil) throws {
        url = layout.log(name)
        self.format = format
        self.source = source ?? name
        self.clock = clock
        try ReportFile.checkName(name, what: "log name")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Self.checkExistingFormat(url, format: format)
        descriptor = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw SessionLogError.io(path: url.path, reason: "cannot open for appending: \(String(cString: strerror(errno)))") }
        if format == .csv, lseek(descriptor, 0, SEEK_END) == 0 { try append(Self.csvHeader + "\n") }
    }

    /// Appending csv rows to a json log (or the reverse) after LOG_FORMAT changed would leave a
    /// file no parser reads: refused, so the operator moves the old log aside.
    private static func checkExistingFormat(_ url: URL, format: RuntimeConfig.LogFormat) throws {
        guard let handle = FileHandle(forReadingAtPath: url.path) else { return }
        defer { try? handle.close() }
        let start = String(decoding: handle.readData(ofLength: csvHeader.utf8.count + 1), as: UTF8.self)
        guard !start.isEmpty else { return }
        let matches = format == .csv ? start == csvHeader + "\n" : start.hasPrefix("{")
        if !matches { throw SessionLogError.formatMismatch(file: url.path, expected: format) }
    }

    deinit { close() }

    /// Appends one line. `fields` are extra key/values, written in key order.
    public func write(_ level: Logger.Level, _ message: String, fields: [String: String] = [:]) throws {
        try append(line(level, message, fields: fields))
    }

    public func close() {
        if descriptor >= 0 { _ = posixClose(descriptor) }
        descriptor = -1
    }

    /// The text of one line, newline included.
    func line(_ level: Logger.Level, _ message: String, fields: [String: String]) -> String {
        let stamp = UTCTimestamp.iso8601(nanoseconds: clock.nowNanoseconds, fractional: true)
        let sorted = fields.sorted { $0.key < $1.key }
        switch format {
        case .json:
            var members: [(String, ReportJSON)] = [
                ("timestamp", .string(stamp)), ("level", .string(level.rawValue)),
                ("source", .string(source)), ("message", .string(message)),
            ]
            // Nested, so a field can never overwrite one of the four fixed keys.
            if !sorted.isEmpty { members.append(("fields", .object(sorted.map { ($0.key, .string($0.value)) }))) }
            return ReportJSON.object(members).rendered(pretty: false) + "\n"
        case .csv:
            let text = message + sorted.map { " \($0.key)=\($0.value)" }.joined()
            return [stamp, level.rawValue, source, text].map(Self.quoted).joined(separator: ",") + "\n"
        }
    }

    /// Every field quoted (RFC 4180 allows it), so a message with a comma never shifts a column.
    private static func quoted(_ field: String) -> String {
        "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One write(2) per line, retried only for a short or interrupted write.
    private func append(_ text: String) throws {
        guard descriptor >= 0 else { throw SessionLogError.io(path: url.path, reason: "the log is closed") }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { posixWrite(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw SessionLogError.io(path: url.path, reason: "cannot append: \(String(cString: strerror(errno)))")
            }
            bytes = bytes.dropFirst(written)
        }
    }
}

/// Why a session log could not be opened or written.
public enum SessionLogError: Error, Equatable, CustomStringConvertible {
    /// The file already holds lines of the other LOG_FORMAT.
    case formatMismatch(file: String, expected: RuntimeConfig.LogFormat)
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .formatMismatch(let file, let expected):
            return "\(file) holds lines of another format than LOG_FORMAT=\(expected.rawValue); move it aside or change LOG_FORMAT"
        case .io(let path, let reason): return "\(path): \(reason)"
        }
    }
}

// Outside the class, where the names mean the C functions and not the methods.
private func posixClose(_ descriptor: Int32) -> Int32 { close(descriptor) }
private func posixWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int { write(descriptor, bytes, count) }

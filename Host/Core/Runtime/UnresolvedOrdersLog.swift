import Foundation

/// unresolved_orders_{paper,live}.log: one JSON object per line for every broker failure
/// the runtime could not resolve (retries exhausted, rejections, orders canceled by rule).
/// The detail is truncated so one bad answer cannot flood the file.
public final class UnresolvedOrdersLog {
    public static let detailLimit = 500
    public let url: URL

    public struct Entry: Codable, Equatable {
        public var timestamp: String
        public var strategy: String
        public var broker: String
        public var errorType: String
        public var code: String
        public var detail: String

        enum CodingKeys: String, CodingKey {
            case timestamp, strategy, broker, detail
            case errorType = "error_type"
            case code = "error_code"
        }
    }

    public init(layout: OutputLayout) {
        url = layout.log("unresolved_orders")
    }

    /// Appends one line. `detail` should never hold a secret: callers pass plugin messages,
    /// which plugins must keep free of credentials, and host text.
    public func append(at nanoseconds: Int64, strategy: String, broker: String, fault: FaultClass, code: String, detail: String) throws {
        let entry = Entry(timestamp: UTCTimestamp.iso8601(nanoseconds: nanoseconds), strategy: strategy, broker: broker,
                          errorType: fault.rawValue, code: code, detail: String(detail.prefix(Self.detailLimit)))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line = try encoder.encode(entry)
        line.append(0x0A)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: url.path) {
            FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
    }

    public func entries() throws -> [Entry] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Entry.self, from: Data($0.utf8)) }
    }
}

import Foundation
import Logging

/// A swift-log handler that stamps every line with the host clock in UTC, so a replay's
/// log is as deterministic as its results. Lines go to a caller-chosen sink (stderr by default).
public struct UTCLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let clock: HostClock
    private let write: @Sendable (String) -> Void

    public init(
        label: String, clock: HostClock, level: Logger.Level = .info,
        write: @escaping @Sendable (String) -> Void = UTCLogHandler.standardError
    ) {
        self.label = label
        self.clock = clock
        self.logLevel = level
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let stamp = UTCTimestamp.iso8601(nanoseconds: clock.nowNanoseconds, fractional: true)
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let fields = merged.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        write("\(stamp) \(event.level.rawValue.uppercased()) [\(label)] \(event.message)\(fields)\n")
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }
}

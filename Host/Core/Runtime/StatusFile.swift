import Foundation

/// status.json in OUTPUT_DIR: the runtime's state for operators and dashboards, rewritten
/// (atomically) on every state change. It holds no secret: no key, password or URL query.
public struct RuntimeStatus: Codable, Equatable {
    public enum State: String, Codable {
        case idle, analyzing, trading, monitoring, shutdown
    }

    public struct Position: Codable, Equatable {
        public var symbol: String
        public var quantity: String
        public var averagePrice: String
        public var bot: String

        enum CodingKeys: String, CodingKey {
            case symbol, quantity, bot
            case averagePrice = "average_price"
        }
    }

    public struct Broker: Codable, Equatable {
        public var id: String
        public var connected: Bool
        public var lastHeartbeat: String?
        public var unreachableSince: String?
        public var retries: Int
        public var retriesExhausted: Int
        public var halted: String?

        enum CodingKeys: String, CodingKey {
            case id, connected, retries, halted
            case lastHeartbeat = "last_heartbeat"
            case unreachableSince = "unreachable_since"
            case retriesExhausted = "retries_exhausted"
        }
    }

    public var state: State = .idle
    public var mode: String
    public var testMode: Bool
    public var activeStrategy: String?
    public var scheduledStart: String?
    public var actualStart: String?
    public var nextSession: String?
    public var orders = 0
    public var fills = 0
    public var roundTrips = 0
    public var wins = 0
    public var losses = 0
    public var realizedPnL = "0.00"
    public var positions: [Position] = []
    public var broker: Broker
    public var entriesSuspended: String?
    public var alertsSent = 0
    public var alertsFailed = 0
    public var message: String?
    public var updatedAt: String = ""

    enum CodingKeys: String, CodingKey {
        case state, mode, orders, fills, wins, losses, positions, broker, message
        case testMode = "test_mode"
        case activeStrategy = "active_strategy"
        case scheduledStart = "scheduled_start"
        case actualStart = "actual_start"
        case nextSession = "next_session"
        case roundTrips = "round_trips"
        case realizedPnL = "realized_pnl"
        case entriesSuspended = "entries_suspended"
        case alertsSent = "alerts_sent"
        case alertsFailed = "alerts_failed"
        case updatedAt = "updated_at"
    }

    public static func file(in layout: OutputLayout) -> URL {
        layout.outputDirectory.appendingPathComponent("status.json")
    }

    /// Writes the file when something other than the time changed; returns whether it wrote.
    @discardableResult
    public static func write(_ status: RuntimeStatus, previous: RuntimeStatus?, to url: URL, at now: Int64) throws -> Bool {
        var next = status
        next.updatedAt = previous?.updatedAt ?? ""
        if let previous, previous == next { return false }
        next.updatedAt = UTCTimestamp.iso8601(nanoseconds: now)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try encoder.encode(next).write(to: url, options: .atomic)
        return true
    }

    public static func read(_ url: URL) throws -> RuntimeStatus {
        try JSONDecoder().decode(RuntimeStatus.self, from: Data(contentsOf: url))
    }
}

import Foundation
import GRDB

/// Reads and writes the risk engine's records: in the ledger file beside the postings when
/// the session keeps books, else in a private in-memory database (plugin tests, scratch runs),
/// so both paths run the same SQL.
public final class RiskJournal {
    private let database: DatabaseQueue
    /// With a sole writer (a backtest's own ledger), copies of what the engine reads back at every
    /// session start, kept beside the file so the reads cost no query. Writes go to both.
    private var mirror: Mirror?

    private struct Mirror {
        var trades: [RiskTradeResult]
        var killSwitch: [KillSwitchEvent]
        var floats: [String: Money]
        var defense: [DefenseLogEntry]
        var events: [RiskEvent]
    }

    /// The records of `ledger`'s file. `soleWriter`: nothing else writes this file while the
    /// journal lives (a backtest), so reads are answered from memory.
    public init(ledger: Ledger, soleWriter: Bool = false) throws {
        database = ledger.database
        if soleWriter {
            let floats = try database.snapshot { db in
                try Row.fetchAll(db.cachedStatement(sql: "SELECT broker, starting_float FROM risk_broker_floats")).map { (String($0["broker"]), Money(units: $0["starting_float"])) }
            }
            mirror = Mirror(trades: try trades(), killSwitch: try killSwitchEvents(), floats: Dictionary(floats, uniquingKeysWith: { first, _ in first }),
                            defense: try defenseLog(), events: try events())
        }
    }

    /// Records that live as long as this object.
    public init() throws {
        database = try DatabaseQueue()
        var migrator = DatabaseMigrator()
        RiskSchema.migrate(&migrator)
        try migrator.migrate(database)
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    private static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The checks as compact JSON with sorted keys, the shape JSONEncoder wrote. Written as bytes
    /// into one buffer: JSONEncoder cost a tenth of a millisecond per decision, and a string
    /// append per piece (eight per check) most of what was left.
    static func checksJSON(_ checks: [RiskCheck]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(checks.reduce(2) { $0 + $1.detail.utf8.count + $1.rule.utf8.count + 64 })
        out.append(UInt8(ascii: "["))
        for (index, check) in checks.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            if let code = check.code {
                ReportText.append(#"{"code":"#, to: &out)
                ReportText.appendJSONString(code.rawValue, to: &out)
                ReportText.append(#","detail":"#, to: &out)
            } else {
                ReportText.append(#"{"detail":"#, to: &out)
            }
            ReportText.appendJSONString(check.detail, to: &out)
            ReportText.append(check.passed ? #","passed":true,"rule":"# : #","passed":false,"rule":"#, to: &out)
            ReportText.appendJSONString(check.rule, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: decisions

    /// Decisions in one commit; returns their ids.
    @discardableResult
    public func record(_ decisions: [RiskDecision]) throws -> [Int64] {
        try database.writeAtomically { db in try decisions.map { try Self.insert($0, db) } }
    }

    private static func insert(_ decision: RiskDecision, _ db: Database) throws -> Int64 {
            try db.cachedStatement(sql: """
                INSERT INTO risk_decisions (decided_ns, session, session_start_ns, broker, bot, intent_symbol, symbol, side,
                    pool_rank, fallback_level, outcome, code, sentence, quantity, risk_amount, defense, checks)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [decision.decidedNanoseconds, decision.session, decision.sessionStartNanoseconds, decision.broker,
                                 decision.bot, decision.intentSymbol, decision.symbol, decision.side.rawValue, decision.poolRank,
                                 decision.fallbackLevel, decision.outcome.rawValue, decision.code?.rawValue, decision.sentence,
                                 decision.quantity?.units, decision.riskAmount?.units, decision.defense ? 1 : 0,
                                 Self.checksJSON(decision.checks)])
            return db.lastInsertedRowID
    }

    /// Decisions of the session that started at `sessionStart`, or of the latest session.
    public func decisions(sessionStart: Int64? = nil) throws -> [RiskDecision] {
        try database.snapshot { db in
            let start = try sessionStart ?? Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(session_start_ns) FROM risk_decisions"))
            guard let start else { return [] }
            return try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM risk_decisions WHERE session_start_ns = ? ORDER BY id"), arguments: [start])
                .map(Self.decision)
        }
    }

    public func decision(id: Int64) throws -> RiskDecision? {
        try database.snapshot { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM risk_decisions WHERE id = ?"), arguments: [id]).map(Self.decision)
        }
    }

    private static func decision(_ row: Row) throws -> RiskDecision {
        let checks: String = row["checks"]
        return RiskDecision(
            id: row["id"], decidedNanoseconds: row["decided_ns"], session: row["session"], sessionStartNanoseconds: row["session_start_ns"],
            broker: row["broker"], bot: row["bot"], intentSymbol: row["intent_symbol"], symbol: row["symbol"],
            side: TradeSide(rawValue: row["side"]) ?? .buy, poolRank: row["pool_rank"], fallbackLevel: row["fallback_level"],
            outcome: RiskDecision.Outcome(rawValue: row["outcome"]) ?? .rejected, code: (row["code"] as String?).flatMap(RiskCode.init),
            sentence: row["sentence"], quantity: (row["quantity"] as Int64?).map { Quantity(units: $0) },
            riskAmount: (row["risk_amount"] as Int64?).map { Money(units: $0) }, defense: (row["defense"] as Int64) != 0,
            checks: try JSONDecoder().decode([RiskCheck].self, from: Data(checks.utf8)))
    }

    // MARK: trades and kill switch

    public func record(_ trade: RiskTradeResult) throws {
        try database.writeAtomically { db in
            try db.cachedStatement(sql: """
                INSERT INTO risk_trades (closed_ns, broker, session, session_start_ns, symbol, pnl) VALUES (?, ?, ?, ?, ?, ?)
                """).execute(arguments: [trade.closedNanoseconds, trade.broker, trade.session, trade.sessionStartNanoseconds, trade.symbol, trade.pnl.units])
        }
        mirror?.trades.append(trade)
    }

    /// Closed trades from `since` on, oldest first.
    public func trades(since: Int64 = .min) throws -> [RiskTradeResult] {
        if let mirror { return Array(mirror.trades[Self.firstTrade(in: mirror.trades, since: since)...]) }
        return try database.snapshot { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM risk_trades WHERE closed_ns >= ? ORDER BY closed_ns, id"), arguments: [since]).map {
                RiskTradeResult(closedNanoseconds: $0["closed_ns"], broker: $0["broker"], session: $0["session"],
                                sessionStartNanoseconds: $0["session_start_ns"], symbol: $0["symbol"], pnl: Money(units: $0["pnl"]))
            }
        }
    }

    /// With a sole writer, the trades from `since` on past the first `skip` of them, without a
    /// copy: the in-memory list only grows at its end, so a reader that counted the first `skip`
    /// may go on with the rest. nil without a mirror, where another writer may add a trade between.
    func trades(since: Int64, after skip: Int) -> ArraySlice<RiskTradeResult>? {
        guard let mirror else { return nil }
        let first = Self.firstTrade(in: mirror.trades, since: since)
        return mirror.trades[min(first + skip, mirror.trades.count)...]
    }

    /// The mirror's trades are appended in time order: the first one at or after `since` is found
    /// by bisection.
    private static func firstTrade(in trades: [RiskTradeResult], since: Int64) -> Int {
        var low = 0, high = trades.count
        while low < high {
            let middle = (low + high) / 2
            if trades[middle].closedNanoseconds < since { low = middle + 1 } else { high = middle }
        }
        return low
    }

    public func record(_ event: KillSwitchEvent) throws {
        try database.writeAtomically { db in
            try db.cachedStatement(sql: """
                INSERT INTO risk_kill_switch (fired_ns, day, broker, realized, limit_amount, reason) VALUES (?, ?, ?, ?, ?, ?)
                """).execute(arguments: [event.firedNanoseconds, event.day, event.broker, event.realized.units, event.limit.units, event.reason])
        }
        mirror?.killSwitch.append(event)
    }

    public func killSwitchEvents(broker: String? = nil) throws -> [KillSwitchEvent] {
        if let mirror { return mirror.killSwitch.filter { broker == nil || $0.broker == broker } }
        return try database.snapshot { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM risk_kill_switch WHERE ? IS NULL OR broker = ? ORDER BY id"), arguments: [broker, broker]).map {
                KillSwitchEvent(firedNanoseconds: $0["fired_ns"], day: $0["day"], broker: $0["broker"],
                                realized: Money(units: $0["realized"]), limit: Money(units: $0["limit_amount"]), reason: $0["reason"])
            }
        }
    }

    // MARK: floats, defense log, events

    /// The broker's first recorded float; records `current` when there is none yet.
    public func startingFloat(broker: String, current: Money, at now: Int64) throws -> Money {
        if let known = mirror?.floats[broker] { return known }
        let starting = try database.writeAtomically { db -> Money in
            if let units = try Int64.fetchOne(db.cachedStatement(sql: "SELECT starting_float FROM risk_broker_floats WHERE broker = ?"), arguments: [broker]) {
                return Money(units: units)
            }
            try db.cachedStatement(sql: "INSERT INTO risk_broker_floats (broker, starting_float, recorded_ns) VALUES (?, ?, ?)").execute(arguments: [broker, current.units, now])
            return current
        }
        mirror?.floats[broker] = starting
        return starting
    }

    public func record(_ entry: DefenseLogEntry) throws {
        try database.writeAtomically { db in
            try db.cachedStatement(sql: "INSERT INTO risk_defense_log (at_ns, event, reasons, limits) VALUES (?, ?, ?, ?)").execute(arguments: [entry.atNanoseconds, entry.event.rawValue, try Self.json(entry.reasons), try Self.json(entry.limits)])
        }
        mirror?.defense.append(entry)
    }

    public func defenseLog() throws -> [DefenseLogEntry] {
        if let mirror { return mirror.defense }
        return try database.snapshot { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM risk_defense_log ORDER BY id")).map { row in
                let reasons: String = row["reasons"], limits: String = row["limits"]
                return DefenseLogEntry(atNanoseconds: row["at_ns"], event: DefenseLogEntry.Event(rawValue: row["event"]) ?? .activated,
                                       reasons: try JSONDecoder().decode([String].self, from: Data(reasons.utf8)),
                                       limits: try JSONDecoder().decode(RiskLimits.self, from: Data(limits.utf8)))
            }
        }
    }

    @discardableResult
    public func record(_ event: RiskEvent) throws -> Int64 {
        let id = try database.writeAtomically { db -> Int64 in
            try db.cachedStatement(sql: "INSERT INTO risk_events (at_ns, level, subject, message) VALUES (?, ?, ?, ?)").execute(arguments: [event.atNanoseconds, event.level.rawValue, event.subject, event.message])
            return db.lastInsertedRowID
        }
        var stored = event
        stored.id = id
        mirror?.events.append(stored)
        return id
    }

    public func events(since: Int64 = .min) throws -> [RiskEvent] {
        if let mirror { return mirror.events.filter { $0.atNanoseconds >= since } }
        return try database.snapshot { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM risk_events WHERE at_ns >= ? ORDER BY id"), arguments: [since]).map {
                RiskEvent(id: $0["id"], atNanoseconds: $0["at_ns"], level: NotificationLevel(rawValue: $0["level"]) ?? .info,
                          subject: $0["subject"], message: $0["message"])
            }
        }
    }
}

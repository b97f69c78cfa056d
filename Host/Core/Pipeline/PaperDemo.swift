import Foundation
import Logging

/// The README's main job: load and self_check every bundled plugin, then run every declared
/// strategy bot over generated market days (one generated series per bot symbol) through the
/// filters, the host's sizing, the budgets and the paper broker. With an output layout it
/// keeps paper books: each run trades the weekday after the last one in the ledger, so
/// repeated runs continue one paper account. Without one it keeps them in a scratch folder
/// that is removed at the end.
public struct PaperDemo {
    /// Run only this module's bots; nil runs every enabled module.
    public var strategyID: String?
    public var brokerID = "paper_broker"
    /// The first day's market; later days take the next weekday and a seed derived from it.
    /// Each symbol gets a seed and a start price of its own.
    public var market = SyntheticMarket()
    public var days = 1

    public init() {}

    public struct Report {
        public let lines: [String]
        public let counts: TradingPipeline.Counts
        public let realized: Money
        public let wins: Int
        public let losses: Int
        public let finalCash: Money
        public let finalEquity: Money
    }

    public enum Failure: Error, CustomStringConvertible {
        case pluginNotLoaded(id: String, reason: String)
        case wrongKind(id: String, expected: PluginKind)
        case broker(String)
        case budgets(String)
        case noBots([String])

        public var description: String {
            switch self {
            case .pluginNotLoaded(let id, let reason): return "plugin \(id) is not loaded: \(reason)"
            case .wrongKind(let id, let expected): return "plugin \(id) is not a \(expected.rawValue) plugin"
            case .broker(let message): return "paper broker: \(message)"
            case .budgets(let problems): return "the budgets do not validate:\n\(problems)"
            case .noBots(let blocked): return "no strategy bot can run" + (blocked.isEmpty ? "" : ":\n" + blocked.joined(separator: "\n"))
            }
        }
    }

    /// `catalog` must have been scanned with `clock` in its host environment. Without a
    /// `layout` nothing is written; with one, every session is recorded in its books.
    public func run(catalog: PluginCatalog, config: RuntimeConfig, clock: SimulatedClock, layout: OutputLayout? = nil) throws -> Report {
        var lines = ["plugins (\(catalog.manifestsDirectory), \(catalog.pluginsDirectory)):"]
        for entry in catalog.entries {
            let detail = entry.reason.map { ": \($0)" } ?? ""
            lines.append("  \(entry.id) \(entry.kind?.rawValue ?? "-") \(entry.version ?? "-") \(entry.state.rawValue)\(detail)")
        }
        let plan: BudgetPlan
        switch BudgetPlan.load(manifestsDirectory: catalog.manifestsDirectory) {
        case .failure(let error): throw Failure.budgets(error.description)
        case .success(let loaded): plan = loaded
        }
        if let strategyID, plan.module(strategyID) == nil { _ = try loaded(catalog, strategyID, .strategy) }
        let built = StrategyBots.make(plan: plan, catalog: catalog, only: strategyID)
        guard !built.bots.isEmpty else { throw Failure.noBots(built.blocked) }
        let broker = try BrokerPlugin(loaded(catalog, brokerID, .broker))!
        let filters = catalog.loaded(.filter).compactMap(FilterPlugin.init)
        let opening = try account(broker)
        let symbols = Array(Set(built.bots.flatMap { $0.symbols ?? [] })).sorted()
        lines.append("account \(plan.account.name): capital \(plan.account.totalCapital), reserve \(plan.account.reserveCash)")
        for bot in built.bots {
            lines.append("bot \(bot.id) of module \(bot.module) on \((bot.symbols ?? []).sorted().joined(separator: ","))")
        }
        lines += built.blocked.map { "blocked \($0)" }
        lines.append("broker \(broker.id), filters \(filters.map(\.id).joined(separator: ", ").nonEmpty ?? "none")")
        let scratch = layout == nil ? FileManager.default.temporaryDirectory.appendingPathComponent("tbot-demo-\(UUID().uuidString)") : nil
        defer { if let scratch { try? FileManager.default.removeItem(at: scratch) } }
        let books = layout ?? OutputLayout(outputDirectory: scratch!.appendingPathComponent("output"),
                                           backupDirectory: scratch!.appendingPathComponent("backups"),
                                           identity: config.ledgerIdentity, mode: .paper)
        lines.append("opening cash \(opening.cash)" + (layout.map { ", books \($0.ledgerFile.path)" } ?? ", books in a scratch folder"))

        var counts = TradingPipeline.Counts(), realized = Money.zero, fees = Money.zero, wins = 0, losses = 0
        var day = try firstDay(layout)
        var history = PriceHistory()
        for _ in 0..<days {
            let bars = dayBars(symbols: symbols, opening: day)
            let session = SessionWindow(name: "demo", startNanoseconds: bars[0].startNanoseconds, endNanoseconds: bars.last!.endNanoseconds)
            clock.advance(to: max(clock.nowNanoseconds, session.startNanoseconds))
            lines.append("session \(UTCDate.day(of: day)): \(symbols.joined(separator: ",")) \(bars.count) one-minute bars "
                + "\(UTCTimestamp.iso8601(nanoseconds: bars[0].startNanoseconds))..\(UTCTimestamp.iso8601(nanoseconds: bars.last!.startNanoseconds)) "
                + "(seed \(dayMarket(opening: day).seed))")
            let report = try RecordedSession(layout: books, config: config)
                .run(bots: built.bots, plan: plan, filters: filters, broker: broker, session: session, bars: bars, clock: clock,
                     history: history)
            history = report.priceHistory
            let pipeline = report.pipeline
            lines += report.budgetChanges.map { "budgets: \($0)" }
            lines += report.reconciliation.recovered.map { "reconciled fill \($0) from the broker" }
            lines += report.reconciliation.positionMismatches.map { "position mismatch: \($0)" }
            lines += pipeline.transcript
            if layout != nil {
                lines.append("wrote \(report.tradeHistory.csv.path), \(report.tradeHistory.json.path), \(report.summary.path)"
                    + (report.backup.map { "; backup \($0.path)" } ?? ""))
            }
            let invariant = report.budgetInvariant
            lines.append("budgets: reserve + module and bot budgets \(invariant.parts) = account capital \(invariant.capital)"
                + (invariant.parts == invariant.capital ? "" : " MISMATCH"))
            counts.add(pipeline.counts)
            realized = realized + pipeline.book.realized
            fees = fees + pipeline.book.fees
            wins += pipeline.book.wins
            losses += pipeline.book.losses
            day = Self.nextWeekday(after: day)
        }

        let closing = try account(broker)
        let c = counts
        lines.append("summary: bars \(c.bars), intents \(c.intents), blocked \(c.blocked), orders \(c.orders) "
            + "(\(c.rejectedOrders) rejected), risk rejections \(c.riskRejections), budget rejections \(c.budgetRejections), approvals queued \(c.approvalsQueued), "
            + "fills \(c.fills), round trips \(wins + losses) "
            + "(\(wins) won, \(losses) lost), realized P&L \(realized), fees \(fees), "
            + "cash \(closing.cash), equity \(closing.equity)")
        return Report(lines: lines, counts: c, realized: realized, wins: wins, losses: losses,
                      finalCash: closing.cash, finalEquity: closing.equity)
    }

    /// The template's day, or the weekday after the last trading day the books hold.
    private func firstDay(_ layout: OutputLayout?) throws -> Int64 {
        guard let layout, FileManager.default.fileExists(atPath: layout.ledgerFile.path) else { return market.openNanoseconds }
        let ledger = try Ledger(path: layout.ledgerFile.path, mode: layout.mode, identity: layout.identity, create: false)
        // The last trading day, not the last posting: an operator's command is stamped with the wall clock.
        guard let last = try ledger.lastPostedNanoseconds(kind: .fill) ?? ledger.lastPostedNanoseconds(kind: .openingBalance) else {
            return market.openNanoseconds
        }
        let opening = market.openNanoseconds % 86_400_000_000_000
        let lastDay = last - last % 86_400_000_000_000 + opening
        return max(market.openNanoseconds, Self.nextWeekday(after: lastDay))
    }

    /// Every symbol's generated day, merged in time order (then symbol order).
    private func dayBars(symbols: [String], opening: Int64) -> [Bar] {
        var all: [Bar] = []
        for (index, symbol) in symbols.enumerated() {
            var market = dayMarket(opening: opening)
            market.symbol = symbol
            market.seed = market.seed &+ UInt64(index) &* 1_000_003
            market.startPrice = market.startPrice + 10 * Double(index)
            all += market.bars()
        }
        return all.sorted { ($0.startNanoseconds, $0.symbol) < ($1.startNanoseconds, $1.symbol) }
    }

    /// The template market moved to `opening`, with a seed of its own for that day.
    private func dayMarket(opening: Int64) -> SyntheticMarket {
        var today = market
        let dayIndex = UInt64(max(0, (opening - market.openNanoseconds) / 86_400_000_000_000))
        today.seed = market.seed &+ dayIndex
        today.openNanoseconds = opening
        return today
    }

    static func nextWeekday(after nanoseconds: Int64) -> Int64 {
        var next = nanoseconds + 86_400_000_000_000
        // 1970-01-01 was a Thursday: day index 2 and 3 modulo 7 are Saturday and Sunday.
        while [2, 3].contains((next / 86_400_000_000_000) % 7) { next += 86_400_000_000_000 }
        return next
    }

    private func loaded(_ catalog: PluginCatalog, _ id: String, _ kind: PluginKind) throws -> PluginInstance {
        guard let entry = catalog.entry(id: id) else { throw Failure.pluginNotLoaded(id: id, reason: "no manifest or library with this id") }
        guard entry.kind == kind else { throw Failure.wrongKind(id: id, expected: kind) }
        guard entry.state == .loaded, let instance = entry.instance else {
            throw Failure.pluginNotLoaded(id: id, reason: entry.reason ?? entry.state.rawValue)
        }
        return instance
    }

    private func account(_ broker: BrokerPlugin) throws -> BrokerAccount {
        do { return try broker.account() } catch { throw Failure.broker("\(error)") }
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}

import Foundation
import Logging

/// The README's main job: load and self_check every bundled plugin, then run one strategy
/// over a generated market day through the filters, the host's sizing and the paper broker.
public struct PaperDemo {
    public var strategyID = "sma_cross_c"
    public var brokerID = "paper_broker"
    public var market = SyntheticMarket()

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

        public var description: String {
            switch self {
            case .pluginNotLoaded(let id, let reason): return "plugin \(id) is not loaded: \(reason)"
            case .wrongKind(let id, let expected): return "plugin \(id) is not a \(expected.rawValue) plugin"
            case .broker(let message): return "paper broker: \(message)"
            }
        }
    }

    /// `catalog` must have been scanned with `clock` in its host environment.
    public func run(catalog: PluginCatalog, config: RuntimeConfig, clock: SimulatedClock) throws -> Report {
        var lines = ["plugins (\(catalog.manifestsDirectory), \(catalog.pluginsDirectory)):"]
        for entry in catalog.entries {
            let detail = entry.reason.map { ": \($0)" } ?? ""
            lines.append("  \(entry.id) \(entry.kind?.rawValue ?? "-") \(entry.version ?? "-") \(entry.state.rawValue)\(detail)")
        }
        let strategy = try StrategyPlugin(loaded(catalog, strategyID, .strategy))!
        let broker = try BrokerPlugin(loaded(catalog, brokerID, .broker))!
        let filters = catalog.loaded(.filter).compactMap(FilterPlugin.init)
        let bars = market.bars()
        guard let first = bars.first, let last = bars.last else { throw Failure.broker("the generated market has no bars") }
        let opening = try account(broker)
        lines.append("strategy \(strategy.id), broker \(broker.id), filters \(filters.map(\.id).joined(separator: ", ").nonEmpty ?? "none")")
        lines.append("market \(market.symbol): \(bars.count) one-minute bars \(UTCTimestamp.iso8601(nanoseconds: first.startNanoseconds))"
            + "..\(UTCTimestamp.iso8601(nanoseconds: last.startNanoseconds)) (seed \(market.seed)), opening cash \(opening.cash)")

        let pipeline = TradingPipeline(strategy: strategy, filters: filters, broker: broker,
                                       sizer: PositionSizer(maxRiskPerTrade: config.maxRiskPerTrade),
                                       fractionalAllowed: config.fractional, clock: clock)
        let session = SessionWindow(name: "demo", startNanoseconds: first.startNanoseconds, endNanoseconds: last.endNanoseconds)
        pipeline.run(session: session, bars: bars)
        lines += pipeline.transcript

        let closing = try account(broker)
        let c = pipeline.counts, trips = pipeline.book
        lines.append("summary: bars \(c.bars), intents \(c.intents), blocked \(c.blocked), orders \(c.orders) "
            + "(\(c.rejectedOrders) rejected), fills \(c.fills), round trips \(trips.roundTrips) "
            + "(\(trips.wins) won, \(trips.losses) lost), realized P&L \(trips.realized), fees \(trips.fees), "
            + "cash \(closing.cash), equity \(closing.equity)")
        return Report(lines: lines, counts: c, realized: trips.realized, wins: trips.wins, losses: trips.losses,
                      finalCash: closing.cash, finalEquity: closing.equity)
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

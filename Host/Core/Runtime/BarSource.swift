import Foundation
import TBotPluginAPI

/// Where a run's bars come from: a replay file (simulated clock) or the broker's market
/// data (wall clock). Bars come out in time order, then symbol order.
public protocol BarSource: AnyObject {
    /// True for a replay: the clock follows the bars instead of the wall.
    var drivesClock: Bool { get }
    /// The next bars known by `now` (live), or the next bar of the files (replay, `now` ignored;
    /// none when the files are done).
    func next(upTo now: Int64) throws -> [Bar]
}

/// Bars from one or more OHLCV files, merged in time order. `validate` reads every file
/// once before the run writes anything, so a bad row stops the run untouched.
public final class ReplayBarSource: BarSource {
    public let drivesClock = true
    private let paths: [(path: String, options: OHLCVReadOptions)]
    private var readers: [OHLCVReader] = []
    private var heads: [Bar?] = []

    public init(files: [(path: String, options: OHLCVReadOptions)]) {
        paths = files
    }

    /// Reads every row; throws the first bad one with FILE:LINE. Returns the number of bars.
    @discardableResult
    public func validate() throws -> Int {
        var count = 0
        for file in paths {
            let reader = try OHLCVReader(path: file.path, options: file.options)
            while try reader.next() != nil { count += 1 }
        }
        return count
    }

    public func next(upTo now: Int64) throws -> [Bar] {
        if readers.isEmpty, !paths.isEmpty {
            readers = try paths.map { try OHLCVReader(path: $0.path, options: $0.options) }
            heads = try readers.map { try $0.next() }
        }
        var best: Int?
        for (index, head) in heads.enumerated() {
            guard let head else { continue }
            if let current = best, let other = heads[current],
               (other.startNanoseconds, other.symbol) <= (head.startNanoseconds, head.symbol) { continue }
            best = index
        }
        guard let index = best, let bar = heads[index] else { return [] }
        heads[index] = try readers[index].next()
        return [bar]
    }

    /// The first bar's start, to set the simulated clock before anything runs.
    public func firstStart() throws -> Int64? {
        try paths.compactMap { try OHLCVReader(path: $0.path, options: $0.options).next()?.startNanoseconds }.min()
    }
}

/// Live bars polled from the broker (tbot.broker.bars): each poll asks, per symbol, for the
/// complete bars that started since the last one seen.
public final class BrokerBarSource: BarSource {
    public let drivesClock = false
    private let broker: BrokerPlugin
    private let intervalSeconds: UInt32
    private var cursors: [String: Int64]
    /// The end of the last bar delivered per symbol: a new session never gets a bar twice.
    private var delivered: [String: Int64] = [:]

    /// `since`: the first bar start wanted.
    public init(broker: BrokerPlugin, symbols: [String], intervalSeconds: UInt32 = 60, since: Int64) {
        self.broker = broker
        self.intervalSeconds = intervalSeconds
        cursors = Dictionary(uniqueKeysWithValues: symbols.map { ($0, since) })
    }

    /// A session starts: its bars from its start on (a late join catches up), none twice.
    public func rewind(notBefore since: Int64, symbols: [String]) {
        for symbol in symbols { cursors[symbol] = max(delivered[symbol] ?? since, since) }
    }

    public func next(upTo now: Int64) throws -> [Bar] {
        var bars: [Bar] = []
        for symbol in cursors.keys.sorted() {
            guard let cursor = cursors[symbol], cursor < now else { continue }
            guard let fetched = try broker.bars(symbol: symbol, intervalSeconds: intervalSeconds, start: cursor, end: now) else {
                throw PluginCallError(pluginID: broker.id, function: "bars.list_bars", status: TBOT_ERR_UNSUPPORTED,
                                      message: "the broker offers no market data (tbot.broker.bars); use --replay")
            }
            // Only bars that have ended by now; a later poll picks up the rest.
            let complete = fetched.filter { $0.symbol == symbol && $0.startNanoseconds >= cursor && $0.endNanoseconds <= now }
            if let last = complete.last {
                cursors[symbol] = last.endNanoseconds
                delivered[symbol] = last.endNanoseconds
            }
            bars += complete
        }
        return bars.sorted { ($0.startNanoseconds, $0.symbol) < ($1.startNanoseconds, $1.symbol) }
    }
}

import Foundation

/// Per-symbol daily history built from bars of any interval: the last close and the total
/// volume of each UTC day. Only the most recent `maxDays` days are kept per symbol, so memory
/// stays flat however long the host runs.
///
/// A UTC day index is `startNanoseconds / 86_400_000_000_000` (days since 1970-01-01).
public struct PriceHistory: Sendable {
    public static let nanosecondsPerDay: Int64 = 86_400_000_000_000

    struct Day: Sendable, Equatable {
        var day: Int64
        var close: Double
        var volume: Double
    }

    public let maxDays: Int
    /// Completed days, oldest first; at most `maxDays` entries per symbol.
    private var series: [String: [Day]] = [:]
    /// Each symbol's latest (possibly still trading) day. The day of the symbol seen last is
    /// kept inline in `hot` (its slot in `latest` is stale meanwhile), so a bar of the same
    /// symbol and day costs a string compare and two stores, with no array or dictionary write;
    /// a day moves into `series` when the symbol's next day begins.
    private var latest: [Day] = []
    private var slotOf: [String: Int] = [:]
    private var hotSlot = -1
    private var hotSymbol = ""
    private var hot = Day(day: 0, close: 0, volume: 0)

    /// `maxDays` below 1 is taken as 1 rather than trapping inside the host.
    public init(maxDays: Int = 60) {
        self.maxDays = max(1, maxDays)
    }

    public static func dayIndex(ofNanoseconds nanoseconds: Int64) -> Int64 {
        nanoseconds / nanosecondsPerDay
    }

    /// Bars arrive in time order per symbol. A bar of an earlier day than the last recorded one
    /// is ignored: rewriting a finished day would change answers already given for it.
    @inline(__always)
    public mutating func observe(_ bar: Bar) {
        // The common case inline in the caller: the symbol and day of the previous bar.
        if hotSlot >= 0, hotSymbol == bar.symbol, Self.dayIndex(ofNanoseconds: bar.startNanoseconds) == hot.day {
            hot.close = bar.close
            hot.volume += bar.volume
            return
        }
        observeOther(bar)
    }

    @inline(never)
    private mutating func observeOther(_ bar: Bar) {
        let day = Self.dayIndex(ofNanoseconds: bar.startNanoseconds)
        if hotSlot < 0 || hotSymbol != bar.symbol {
            if hotSlot >= 0 { latest[hotSlot] = hot }
            hotSymbol = bar.symbol
            if let known = slotOf[bar.symbol] {
                hotSlot = known
                hot = latest[known]
            } else {
                hotSlot = latest.count
                slotOf[bar.symbol] = hotSlot
                hot = Day(day: day, close: bar.close, volume: bar.volume)
                latest.append(hot)
                return
            }
        }
        if day == hot.day {
            hot.close = bar.close
            hot.volume += bar.volume
            return
        }
        if day < hot.day { return }
        var days = series[bar.symbol, default: []]
        // Taken out of the dictionary so the append below does not copy the array.
        series[bar.symbol] = nil
        days.append(hot)
        if days.count > maxDays - 1 { days.removeFirst(days.count - (maxDays - 1)) }
        series[bar.symbol] = days
        hot = Day(day: day, close: bar.close, volume: bar.volume)
    }

    /// Every stored day of `symbol`, the latest included, oldest first.
    private func recorded(_ symbol: String) -> [Day]? {
        guard let slot = slotOf[symbol] else { return series[symbol] }
        return (series[symbol] ?? []) + [slot == hotSlot ? hot : latest[slot]]
    }

    /// Mean total volume of up to `days` most recent days strictly before `day`; a day before
    /// the query day is complete, the query day itself may still be trading. Nil when there is none.
    public func averageDailyVolume(_ symbol: String, days: Int = 20, before day: Int64) -> Double? {
        guard days > 0, let recorded = recorded(symbol) else { return nil }
        let window = recorded.filter { $0.day < day }.suffix(days)
        guard !window.isEmpty else { return nil }
        return window.reduce(0.0) { $0 + $1.volume } / Double(window.count)
    }

    /// Close-to-close simple returns between consecutive recorded days strictly before `day`,
    /// each labelled with its later day. Days without bars (weekends, holidays) are simply skipped;
    /// a pair whose earlier close is not a positive finite number gives no return.
    public func dailyReturns(_ symbol: String, before day: Int64) -> [(day: Int64, value: Double)] {
        guard let recorded = recorded(symbol) else { return [] }
        let closes = recorded.filter { $0.day < day }
        guard closes.count >= 2 else { return [] }
        var returns: [(day: Int64, value: Double)] = []
        returns.reserveCapacity(closes.count - 1)
        for index in 1..<closes.count {
            let previous = closes[index - 1].close, current = closes[index].close
            guard previous > 0, previous.isFinite, current.isFinite else { continue }
            returns.append((day: closes[index].day, value: current / previous - 1))
        }
        return returns
    }

    /// Pearson correlation over the days present in both series, using the most recent `lookback`
    /// common days. Nil when there are fewer than `minimumSamples` (and fewer than 2) common days,
    /// when either side has zero variance, or when a value is not finite.
    public static func correlation(_ a: [(day: Int64, value: Double)], _ b: [(day: Int64, value: Double)],
                                   lookback: Int, minimumSamples: Int) -> Double? {
        guard lookback > 0 else { return nil }
        let valuesOfB = Dictionary(b.map { ($0.day, $0.value) }, uniquingKeysWith: { _, last in last })
        var seen = Set<Int64>()
        var common: [(day: Int64, x: Double, y: Double)] = []
        for point in a where seen.insert(point.day).inserted {
            if let y = valuesOfB[point.day] { common.append((point.day, point.value, y)) }
        }
        common.sort { $0.day < $1.day }
        let window = common.suffix(lookback)
        guard window.count >= max(2, minimumSamples) else { return nil }
        guard window.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else { return nil }
        // Tested on the values themselves: a computed mean of equal values can differ from them
        // by rounding, which would leave a tiny non-zero variance and a meaningless result.
        guard let firstX = window.first?.x, let firstY = window.first?.y,
              window.contains(where: { $0.x != firstX }), window.contains(where: { $0.y != firstY }) else { return nil }

        // Two passes: means first, then centered sums, which avoids the cancellation of the
        // one-pass sum-of-squares formula on small returns.
        let n = Double(window.count)
        let meanX = window.reduce(0.0) { $0 + $1.x } / n
        let meanY = window.reduce(0.0) { $0 + $1.y } / n
        var sxx = 0.0, syy = 0.0, sxy = 0.0
        for point in window {
            let dx = point.x - meanX, dy = point.y - meanY
            sxx += dx * dx
            syy += dy * dy
            sxy += dx * dy
        }
        guard sxx > 0, syy > 0 else { return nil }
        let r = sxy / (sxx.squareRoot() * syy.squareRoot())
        guard r.isFinite else { return nil }
        // Rounding can step just outside [-1, 1]; callers may rely on the bound.
        return min(1, max(-1, r))
    }

    /// Correlation of the two symbols' daily returns over days strictly before `day`.
    public func returnCorrelation(_ a: String, _ b: String, lookback: Int, minimumSamples: Int,
                                  before day: Int64) -> Double? {
        Self.correlation(dailyReturns(a, before: day), dailyReturns(b, before: day),
                         lookback: lookback, minimumSamples: minimumSamples)
    }

    /// How many days are stored for `symbol`, for tests of the memory bound.
    func storedDays(_ symbol: String) -> Int {
        recorded(symbol)?.count ?? 0
    }

    /// The stored closes of `symbol`, oldest first.
    func dailyCloses(_ symbol: String) -> [(day: Int64, close: Double)] {
        (recorded(symbol) ?? []).map { (day: $0.day, close: $0.close) }
    }

    /// The stored daily volumes of `symbol`, oldest first.
    func dailyVolumes(_ symbol: String) -> [(day: Int64, volume: Double)] {
        (recorded(symbol) ?? []).map { (day: $0.day, volume: $0.volume) }
    }
}

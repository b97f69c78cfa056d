import Foundation

/// Many generated sessions of one-minute bars, one after another: `barCount` bars over
/// consecutive weekdays, 390 a session from 14:30 to 21:00 UTC (the last session may be cut
/// short). Each session is a `SyntheticMarket` day with its own seed, opening at the previous
/// session's close moved by an overnight gap, so the series has the same intraday shape
/// (volatility and volume high at the open and close, a midday lull, drift regimes).
///
/// Deterministic: the same parameters give the same bars on every run and machine. The first
/// session uses `seed` itself, so it is exactly `SyntheticMarket(symbol:seed:startPrice:)`'s day.
/// It is a Sequence that generates as it goes: a million bars hold one session in memory.
public struct SyntheticSeries: Sequence, Sendable {
    public static let barsPerSession = 390
    /// 14:30 UTC, the session open, in seconds after midnight.
    public static let sessionOpenSeconds: Int64 = 14 * 3600 + 30 * 60

    public var barCount: Int
    public var symbol: String
    public var seed: UInt64
    public var startPrice: Double
    /// UTC midnight (ns) of the first session's date; a Saturday or Sunday moves to the Monday.
    public var firstDayNanoseconds: Int64
    public var dailyVolatility: Double
    public var averageVolumePerMinute: Double
    /// Standard deviation of the log return from one session's close to the next open.
    public var overnightGapVolatility: Double

    public init(barCount: Int, symbol: String = "SYNTH", seed: UInt64 = 20240102, startPrice: Double = 50,
                firstDayNanoseconds: Int64 = UTCTimestamp.nanoseconds(year: 2024, month: 1, day: 2),
                dailyVolatility: Double = 0.02, averageVolumePerMinute: Double = 25_000, overnightGapVolatility: Double = 0.004) {
        self.barCount = barCount
        self.symbol = symbol
        self.seed = seed
        self.startPrice = startPrice
        self.firstDayNanoseconds = firstDayNanoseconds
        self.dailyVolatility = dailyVolatility
        self.averageVolumePerMinute = averageVolumePerMinute
        self.overnightGapVolatility = overnightGapVolatility
    }

    /// Sessions the series spans.
    public var sessionCount: Int { (Swift.max(barCount, 0) + Self.barsPerSession - 1) / Self.barsPerSession }

    public var underestimatedCount: Int { Swift.max(barCount, 0) }

    public func makeIterator() -> Iterator { Iterator(self) }

    /// The seed of session `index` (0-based): `seed` for the first, then a SplitMix64 mix of both.
    public func sessionSeed(_ index: Int) -> UInt64 {
        if index == 0 { return seed }
        var mixer = SeededRandom(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        return mixer.next()
    }

    public struct Iterator: IteratorProtocol {
        private let series: SyntheticSeries
        private var session: [Bar] = []
        private var indexInSession = 0
        private var produced = 0
        private var sessionIndex = 0
        private var day: Int64
        private var lastClose: Double
        private var gaps: SeededRandom

        init(_ series: SyntheticSeries) {
            self.series = series
            day = Self.weekday(atOrAfter: Self.floorDiv(series.firstDayNanoseconds, 86_400_000_000_000))
            lastClose = series.startPrice
            gaps = SeededRandom(seed: series.seed ^ 0x6A09_E667_F3BC_C908)
        }

        public mutating func next() -> Bar? {
            guard produced < series.barCount else { return nil }
            if indexInSession == session.count { startSession() }
            let bar = session[indexInSession]
            indexInSession += 1
            produced += 1
            return bar
        }

        private mutating func startSession() {
            let open = sessionIndex == 0 ? series.startPrice
                : lastClose * exp(series.overnightGapVolatility * gaps.normal())
            let market = SyntheticMarket(symbol: series.symbol, seed: series.sessionSeed(sessionIndex), startPrice: open,
                                         openNanoseconds: (day * 86_400 + SyntheticSeries.sessionOpenSeconds) * 1_000_000_000,
                                         minutes: SyntheticSeries.barsPerSession, dailyVolatility: series.dailyVolatility,
                                         averageVolumePerMinute: series.averageVolumePerMinute)
            session = market.bars()
            lastClose = session[session.count - 1].close
            indexInSession = 0
            sessionIndex += 1
            day = Self.weekday(atOrAfter: day + 1)
        }

        /// The first Monday-to-Friday day number at or after `day` (days since 1970-01-01, a Thursday).
        static func weekday(atOrAfter day: Int64) -> Int64 {
            var day = day
            while true {
                let weekday = ((day % 7) + 7 + 4) % 7   // 0 Sunday ... 6 Saturday
                if weekday != 0, weekday != 6 { return day }
                day += 1
            }
        }

        static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }
    }
}

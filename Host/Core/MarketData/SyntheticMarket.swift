import Foundation

/// A deterministic generated trading day of one-minute bars with the shape of a real US
/// equity session: volatility and volume high at the open, a midday lull and a rise into the
/// close, and drift regimes that persist for tens of minutes (so trend signals appear).
public struct SyntheticMarket {
    public var symbol: String
    public var seed: UInt64
    public var startPrice: Double
    /// Session open, UTC nanoseconds (default 2024-01-02 14:30 UTC = 09:30 New York).
    public var openNanoseconds: Int64
    public var minutes: Int
    /// Daily volatility of returns (0.02 = 2%).
    public var dailyVolatility: Double
    public var averageVolumePerMinute: Double

    public init(symbol: String = "SYNTH", seed: UInt64 = 20240102, startPrice: Double = 50,
                openNanoseconds: Int64 = UTCTimestamp.nanoseconds(year: 2024, month: 1, day: 2, hour: 14, minute: 30),
                minutes: Int = 390, dailyVolatility: Double = 0.02, averageVolumePerMinute: Double = 25_000) {
        self.symbol = symbol
        self.seed = seed
        self.startPrice = startPrice
        self.openNanoseconds = openNanoseconds
        self.minutes = minutes
        self.dailyVolatility = dailyVolatility
        self.averageVolumePerMinute = averageVolumePerMinute
    }

    public func bars() -> [Bar] {
        var random = SeededRandom(seed: seed)
        var price = startPrice
        var drift = 0.0
        var bars: [Bar] = []
        bars.reserveCapacity(minutes)
        let minuteVolatility = dailyVolatility / sqrt(Double(minutes))
        for minute in 0..<minutes {
            // A new drift regime about every 30 minutes, in units of the minute volatility.
            if minute % 30 == 0 { drift = random.normal() * 0.25 * minuteVolatility }
            let shape = Self.intradayShape(minute: minute, of: minutes)
            let sigma = minuteVolatility * (0.6 + 0.8 * shape)
            let open = price
            var high = open
            var low = open
            // Four sub-steps per minute give the bar a high and low of its own.
            for _ in 0..<4 {
                price *= exp(drift / 4 + sigma / 2 * random.normal())
                high = max(high, price)
                low = min(low, price)
            }
            let volume = (averageVolumePerMinute * (0.5 + 1.5 * shape) * exp(0.3 * random.normal())).rounded()
            bars.append(Bar(symbol: symbol, startNanoseconds: openNanoseconds + Int64(minute) * 60_000_000_000,
                            intervalSeconds: 60, open: Self.cents(open), high: Self.cents(high),
                            low: Self.cents(low), close: Self.cents(price), volume: volume))
        }
        return bars
    }

    /// U-shaped activity in 0...1: 1 at the open and close, lowest at midday.
    static func intradayShape(minute: Int, of total: Int) -> Double {
        let position = Double(minute) / Double(max(total - 1, 1))
        let distance = abs(position - 0.5) * 2
        return distance * distance
    }

    /// Exchanges quote in cents; prices are rounded to them like real prints.
    static func cents(_ price: Double) -> Double { (price * 100).rounded() / 100 }
}

import Foundation

/// The VIX closes of VIX_DATA_FILE, read once. The value at a moment is the close of the
/// latest bar that had ENDED by then: a daily bar dated D is known from D+1 00:00 UTC, so a
/// backtest never sees a close before it existed.
public struct VIXSeries: Sendable {
    /// (bar end, close), in time order.
    private let closes: [(end: Int64, close: Double)]

    public init(bars: [Bar]) {
        closes = bars.map { (end: $0.endNanoseconds, close: $0.close) }
    }

    /// The series VIX_DATA_FILE names (relative to `workingDirectory`), or nil when it is empty.
    /// A file that cannot be read or has a bad row throws with its file and line.
    public static func configured(config: RuntimeConfig, workingDirectory: String) throws -> VIXSeries? {
        guard let path = config.string("VIX_DATA_FILE"), !path.isEmpty else { return nil }
        let absolute = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: workingDirectory, isDirectory: true)).standardizedFileURL.path
        return VIXSeries(bars: try OHLCVReader.readAll(path: absolute, options: OHLCVReadOptions(symbol: "VIX")))
    }

    /// The last close known at `nanoseconds`, nil before the first bar ended.
    public func value(at nanoseconds: Int64) -> Double? {
        var low = 0, high = closes.count
        while low < high {
            let middle = (low + high) / 2
            if closes[middle].end <= nanoseconds { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : closes[low - 1].close
    }
}

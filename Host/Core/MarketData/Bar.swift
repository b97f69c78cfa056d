import TBotPluginAPI

/// One OHLCV bar. Prices are market data, so Double; money is derived through Money.value(of:at:).
public struct Bar: Equatable, Sendable {
    public var symbol: String
    /// Bar start, UTC nanoseconds.
    public var startNanoseconds: Int64
    public var intervalSeconds: UInt32
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    public var volume: Double

    public init(symbol: String, startNanoseconds: Int64, intervalSeconds: UInt32,
                open: Double, high: Double, low: Double, close: Double, volume: Double) {
        self.symbol = symbol
        self.startNanoseconds = startNanoseconds
        self.intervalSeconds = intervalSeconds
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
    }

    /// When the bar is complete: the moment the host clock stands at while it is delivered.
    public var endNanoseconds: Int64 { startNanoseconds + Int64(intervalSeconds) * 1_000_000_000 }

    /// Calls `body` with the ABI form; the symbol pointer is valid only inside `body`.
    func withABI<T>(_ body: (UnsafePointer<tbot_bar_t>) throws -> T) rethrows -> T {
        try symbol.withCString { name in
            var raw = tbot_bar_t(size: ABIStruct.size(tbot_bar_t.self), interval_seconds: intervalSeconds,
                                 symbol: name, start_ns: startNanoseconds, open: open, high: high, low: low,
                                 close: close, volume: volume, symbol_id: SymbolNumbers.shared.number(of: symbol))
            return try withUnsafePointer(to: &raw) { try body($0) }
        }
    }
}

/// How `OHLCVReader` reads one file. Every field has a default, so `.init()` reads a file
/// whose timestamps without a zone are UTC, stops at the first bad row and infers the interval.
public struct OHLCVReadOptions: Sendable {
    /// The bars' symbol (files carry none). Empty (the default): the file name uppercased up to
    /// its first '-' or '.', so `spy-2013-10-04_2013-10-11-min-001.csv` gives `SPY`.
    public var symbol: String
    /// IANA zone (`America/New_York`, `Europe/Berlin`, `UTC`) used for timestamps written
    /// WITHOUT a zone. Timestamps with `Z`, `+hh:mm` or in epoch form ignore it.
    public var timeZone: String
    /// false: the first bad row throws. true: each bad row is skipped and counted.
    public var skipInvalid: Bool
    /// Seconds each bar covers. nil: inferred (see docs/market-data.md).
    public var intervalSeconds: UInt32?
    /// Keep bars with startNanoseconds >= start (UTC ns).
    public var start: Int64?
    /// Keep bars with startNanoseconds < end (UTC ns). Reading stops at the first row at or after it.
    public var end: Int64?

    public init(symbol: String = "", timeZone: String = "UTC", skipInvalid: Bool = false,
                intervalSeconds: UInt32? = nil, start: Int64? = nil, end: Int64? = nil) {
        self.symbol = symbol
        self.timeZone = timeZone
        self.skipInvalid = skipInvalid
        self.intervalSeconds = intervalSeconds
        self.start = start
        self.end = end
    }
}

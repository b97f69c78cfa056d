import Foundation

/// Streams bars from an OHLCV CSV file in file order, checking every row.
///
/// Formats, time zones, interval inference and the exact error messages are in
/// docs/market-data.md. In short: columns are found by header name (case-insensitive, any
/// order); the time is a `date` column with an optional `time` column, or one `datetime` /
/// `timestamp` column; `open`, `high`, `low`, `close` are required and `volume` is optional
/// (0 when absent). Yahoo files are read from Open/High/Low/Close; `Adj Close` is ignored.
/// Timestamps without a zone are local times in `options.timeZone` (default UTC).
///
/// The file is read in 1 MiB chunks and parsed in place: memory does not grow with the number
/// of rows. One reader is used from one thread at a time.
public final class OHLCVReader {
    public let path: String
    public let options: OHLCVReadOptions
    /// The symbol every bar carries (the option, or the one derived from the file name).
    public let symbol: String
    /// The column names as the reader uses them (with `Time` inserted when the header lacks it).
    public var columns: [String] { parser.pointee.layout.names }
    /// Rows skipped because they were bad (with `skipInvalid`).
    public private(set) var skipped = 0
    /// The first 10 skipped rows with the reason.
    public private(set) var skippedExamples: [OHLCVError] = []
    /// The interval the bars carry; known once `next()` has been called.
    public private(set) var intervalSeconds: UInt32?

    public static let maxSkippedExamples = 10

    private let parser: UnsafeMutablePointer<OHLCVParser>
    private let fd: Int32
    /// Bars read ahead to infer the interval, delivered before anything else.
    private var queue: [OHLCVParser.Row] = []
    private var queueIndex = 0
    private var pendingError: OHLCVError?
    private var finished = false
    private let startBound: Int64
    private let endBound: Int64

    public init(path: String, options: OHLCVReadOptions = .init()) throws {
        self.path = path
        self.options = options
        startBound = options.start ?? .min
        endBound = options.end ?? .max
        symbol = options.symbol.isEmpty ? Self.symbol(fromPath: path) : options.symbol
        guard let zone = OHLCVZone(identifier: options.timeZone) else {
            throw OHLCVError(file: path, line: 0, message: "unknown time zone '\(options.timeZone)' (expected an IANA name such as America/New_York)")
        }
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw OHLCVError(file: path, line: 0, message: "cannot read: \(String(cString: strerror(errno)))")
        }
        let buffer = OHLCVParser.allocateBuffer()
        do {
            let head = OHLCVParser.fill(fd: fd, buffer: buffer, filled: 0)
            if let failure = head.failure {
                throw OHLCVError(file: path, line: 0, message: "cannot read: \(String(cString: strerror(failure)))")
            }
            let text = UnsafeBufferPointer(start: buffer, count: head.filled)
            guard let headerEnd = text.firstIndex(of: OHLCVScan.lf) ?? (head.atEOF && head.filled > 0 ? head.filled : nil) else {
                throw OHLCVError(file: path, line: 1, message: head.filled == 0 ? "empty file: expected a header line"
                    : "header line longer than \(OHLCVParser.chunkSize) bytes")
            }
            let header = Self.line(text, 0..<headerEnd)
            guard !header.isEmpty else { throw OHLCVError(file: path, line: 1, message: "empty header line") }
            // The first non-blank data line, for the one decision the header cannot make alone.
            var firstRow: String?
            var start = min(headerEnd + 1, head.filled)
            while start < head.filled {
                let stop = text[start...].firstIndex(of: OHLCVScan.lf) ?? head.filled
                let row = Self.line(text, start..<stop)
                if !row.isEmpty { firstRow = row; break }
                start = stop + 1
            }
            let layout: OHLCVLayout
            do {
                layout = try OHLCVLayout.make(header: header, firstRow: firstRow)
            } catch let problem as OHLCVLayout.Problem {
                throw OHLCVError(file: path, line: 1, message: problem.message)
            }
            parser = .allocate(capacity: 1)
            parser.initialize(to: OHLCVParser(file: path, fd: fd, layout: layout, zone: zone, buffer: buffer,
                                              consumed: min(headerEnd + 1, head.filled), filled: head.filled, atEOF: head.atEOF))
        } catch {
            buffer.deallocate()
            close(fd)
            throw error
        }
    }

    deinit {
        parser.pointee.deallocate()
        parser.deinitialize(count: 1)
        parser.deallocate()
        close(fd)
    }

    /// Reads a whole file into memory (for small files and tests; a backtest streams with `next()`).
    public static func readAll(path: String, options: OHLCVReadOptions = .init()) throws -> [Bar] {
        let reader = try OHLCVReader(path: path, options: options)
        var bars: [Bar] = []
        while let bar = try reader.next() { bars.append(bar) }
        return bars
    }

    /// The next valid bar in file order, nil at the end (or past `options.end`). A bad row
    /// throws its `OHLCVError` (reading may go on after it), or with `skipInvalid` is counted
    /// in `skipped` and passed over.
    public func next() throws -> Bar? {
        try nextRow().map(bar)
    }

    /// `next()` written into `bar`, which holds an earlier bar of this reader (its symbol is
    /// left as it is): false at the end, with `bar` unchanged. The bar loop of a backtest
    /// reads this way, so a bar costs no string copy and no optional.
    @inline(__always)
    public func next(into bar: inout Bar) throws -> Bool {
        guard let row = try nextRow() else { return false }
        bar.startNanoseconds = row.time
        bar.intervalSeconds = parser.pointee.interval
        bar.open = row.open
        bar.high = row.high
        bar.low = row.low
        bar.close = row.close
        bar.volume = row.volume
        return true
    }

    @inline(__always)
    private func nextRow() throws -> OHLCVParser.Row? {
        let state = parser
        if state.pointee.slow { return try slowNext() }
        var row = OHLCVParser.Row()
        while true {
            switch state.pointee.next(&row) {
            case .row:
                if row.time < startBound { continue }
                if row.time >= endBound {
                    finish()
                    return nil
                }
                return row
            case .end:
                finish()
                return nil
            case .invalid:
                try problem(state.pointee.error!)
            case .fatal:
                finish()
                throw state.pointee.error!
            }
        }
    }

    private func bar(_ row: OHLCVParser.Row) -> Bar {
        Bar(symbol: symbol, startNanoseconds: row.time, intervalSeconds: parser.pointee.interval, open: row.open, high: row.high,
            low: row.low, close: row.close, volume: row.volume)
    }

    private func finish() {
        finished = true
        parser.pointee.slow = true
    }

    /// Throws the problem, or counts it when bad rows are skipped. Never inlined: the fast
    /// loop then touches no mutable property of the class.
    @inline(never)
    private func problem(_ error: OHLCVError) throws {
        guard options.skipInvalid else { throw error }
        skipped += 1
        if skippedExamples.count < Self.maxSkippedExamples { skippedExamples.append(error) }
    }

    private func slowNext() throws -> OHLCVParser.Row? {
        if intervalSeconds == nil { try readAhead() }
        while queueIndex < queue.count {
            let row = queue[queueIndex]
            queueIndex += 1
            if row.time < startBound { continue }
            if row.time >= endBound {
                queue.removeAll()
                queueIndex = 0
                pendingError = nil
                finish()
                return nil
            }
            return row
        }
        if !queue.isEmpty { queue = [] }
        queueIndex = 0
        if let error = pendingError {
            pendingError = nil
            throw error
        }
        if finished { return nil }
        parser.pointee.slow = false
        return try nextRow()
    }

    /// Reads up to `OHLCVInterval.lookahead` rows to settle the interval. A bad row stops the
    /// read-ahead (strict mode) and is thrown after the good rows before it are delivered.
    private func readAhead() throws {
        var row = OHLCVParser.Row()
        var dateOnly: Bool?
        var previous: Int64?
        var smallestGap: Int64?
        lookahead: while queue.count < OHLCVInterval.lookahead, options.intervalSeconds == nil {
            switch parser.pointee.next(&row) {
            case .row:
                queue.append(row)
                if dateOnly == nil { dateOnly = !row.hasTime }
                // Wrapping: a gap too large for Int64 comes out negative and is ignored.
                if let previous, row.time &- previous > 0 { smallestGap = min(smallestGap ?? .max, row.time &- previous) }
                previous = row.time
            case .end:
                finished = true
                break lookahead
            case .invalid:
                if options.skipInvalid {
                    try problem(parser.pointee.error!)
                } else {
                    pendingError = parser.pointee.error!
                    break lookahead
                }
            case .fatal:
                finished = true
                pendingError = parser.pointee.error!
                break lookahead
            }
        }
        let interval = options.intervalSeconds ?? OHLCVInterval.infer(
            fileName: URL(fileURLWithPath: path).lastPathComponent, dateOnly: dateOnly ?? false, smallestGapNanoseconds: smallestGap)
        parser.pointee.interval = interval
        intervalSeconds = interval
    }

    /// The file name uppercased up to its first '-' or '.': `orcl-1995-2014.txt` gives `ORCL`.
    public static func symbol(fromPath path: String) -> String {
        let name = URL(fileURLWithPath: path).lastPathComponent
        let stem = name.prefix { $0 != "-" && $0 != "." }
        return stem.isEmpty ? name.uppercased() : stem.uppercased()
    }

    private static func line(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        var line = String(decoding: UnsafeBufferPointer(rebasing: text[range]), as: UTF8.self)
        if line.hasSuffix("\r") { line.removeLast() }
        return line
    }
}

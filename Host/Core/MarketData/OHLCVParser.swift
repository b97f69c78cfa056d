import Foundation

/// The state of one `OHLCVReader` that the per-row loop touches: the chunk buffer, the
/// column roles, the one-entry date cache, the price columns' last layouts and the last good
/// timestamp. It lives at a fixed address owned by the reader, so the loop runs on plain
/// memory (no per-row allocation, reference counting or exclusivity checks).
struct OHLCVParser {
    enum Status { case row, end, invalid, fatal }

    /// One parsed row; its fields count only when `next` returns `.row`.
    struct Row {
        var time: Int64 = 0
        var open = 0.0, high = 0.0, low = 0.0, close = 0.0, volume = 0.0
        /// The row's timestamp had a time of day (false for daily files).
        var hasTime = false
    }

    static let chunkSize = 1 << 20
    /// A row may be at most this long; the buffer is refilled while less than this is left.
    static let maxLine = 1 << 16
    static let padding = 64

    let file: String
    let fd: Int32
    let base: UnsafeMutablePointer<UInt8>
    /// Next unread byte and the end of the data (which holds a '\n' sentinel).
    var cursor: UnsafeMutablePointer<UInt8>
    private(set) var end: UnsafeMutablePointer<UInt8>
    private(set) var atEOF = false
    /// From here on `next` must look at the chunk before reading a line: a refill is due, or
    /// the data ends. One comparison per row instead of two.
    private(set) var limit: UnsafeMutablePointer<UInt8>
    /// The 1-based number of the line read last (the header is line 1).
    var line = 0

    let layout: OHLCVLayout
    let roles: UnsafeMutablePointer<OHLCVLayout.Role>
    let fieldCount: Int
    let separateTime: Bool
    /// The layout is `OHLCVLayout.common`, read by `commonRow`.
    let common: Bool
    /// The last layout of each price column of the common layout. Not for volumes, whose
    /// number of digits changes too often for a layout to pay.
    var openShape = OHLCVNumberShape(), highShape = OHLCVNumberShape(), lowShape = OHLCVNumberShape()
    var closeShape = OHLCVNumberShape()

    // The one-entry date cache: the date's bytes, and its start in UTC for the file zone.
    var keyLow: UInt64 = 0
    var keyHigh: UInt16 = 0
    var keyLength = 0
    /// Local midnight of the cached date, seconds since 1970 as if local were UTC.
    var dayLocal: Int64 = 0
    /// UTC nanoseconds of the cached date's local midnight when the date has no offset change.
    var dayBase: Int64 = 0
    var dayShifts = false
    var dayZone = OHLCVDayZone(offset: 0, transitions: [])
    /// Why the last date failed beyond its syntax, for the message.
    var dateProblem = DateProblem.none
    enum DateProblem { case none, noSuchDate, outOfRange }
    /// Years whose times fit Int64 nanoseconds (1677-09-21 to 2262-04-11) with any zone offset.
    static let years: ClosedRange<Int64> = 1678...2261
    let zone: OHLCVZone

    var lastTime = Int64.min
    var lastLine = 0
    var error: OHLCVError?

    // The reader's per-bar state, kept here so its fast loop reads plain memory.
    /// The reader must leave its fast loop (read-ahead pending, queued rows, an error, the end).
    var slow = true
    /// The interval the bars carry, once known.
    var interval: UInt32 = 0

    /// Takes over `buffer` (from `allocateBuffer`), holding `filled` bytes of which the first
    /// `consumed` (the header) are read.
    init(file: String, fd: Int32, layout: OHLCVLayout, zone: OHLCVZone,
         buffer: UnsafeMutablePointer<UInt8>, consumed: Int, filled: Int, atEOF: Bool) {
        self.file = file
        self.fd = fd
        self.layout = layout
        self.zone = zone
        base = buffer
        cursor = buffer + consumed
        end = buffer + filled
        limit = end
        line = 1
        roles = .allocate(capacity: layout.fieldCount)
        roles.initialize(from: layout.roles, count: layout.fieldCount)
        fieldCount = layout.fieldCount
        separateTime = layout.roles.contains(.date)
        common = layout.isCommon
        setData(end: end, atEOF: atEOF)
    }

    /// A chunk buffer with room for the sentinel and the padding loads may touch.
    static func allocateBuffer() -> UnsafeMutablePointer<UInt8> {
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize + padding)
        buffer.initialize(repeating: 0, count: chunkSize + padding)
        return buffer
    }

    /// Reads into `buffer` after its first `filled` bytes until the chunk is full or the file
    /// ends; returns the new fill, whether the file ended, and errno on failure.
    static func fill(fd: Int32, buffer: UnsafeMutablePointer<UInt8>, filled: Int) -> (filled: Int, atEOF: Bool, failure: Int32?) {
        var filled = filled
        while filled < chunkSize {
            let count = read(fd, buffer + filled, chunkSize - filled)
            if count < 0 {
                if errno == EINTR { continue }
                return (filled, true, errno)
            }
            if count == 0 { return (filled, true, nil) }
            filled += count
        }
        return (filled, false, nil)
    }

    func deallocate() {
        base.deallocate()
        roles.deallocate()
    }

    /// Moves what is left to the front and reads until the chunk is full or the file ends.
    mutating func refill() -> OHLCVError? {
        let remaining = max(end - cursor, 0)
        if remaining > 0, cursor != base { memmove(base, cursor, remaining) }
        let result = Self.fill(fd: fd, buffer: base, filled: remaining)
        cursor = base
        if let failure = result.failure {
            setData(end: base, atEOF: true)
            return OHLCVError(file: file, line: line + 1, message: "read failed: \(String(cString: strerror(failure)))")
        }
        setData(end: base + result.filled, atEOF: result.atEOF)
        return nil
    }

    /// Sets where the data ends (writing the sentinel there) and the `limit` that goes with it.
    private mutating func setData(end newEnd: UnsafeMutablePointer<UInt8>, atEOF ended: Bool) {
        end = newEnd
        end.pointee = OHLCVScan.lf
        atEOF = ended
        // Before EOF a full chunk is loaded, so the data is longer than the margin.
        limit = ended ? end : end - (Self.maxLine + 1)
    }

    /// Reads the next data row into `row`. `.invalid` and `.fatal` leave the problem in
    /// `error`; after `.invalid` the bad line has been consumed and reading can go on.
    mutating func next(_ row: inout Row) -> Status {
        while true {
            if cursor >= limit {
                // Less than maxLine + 2 bytes left: refill (unless the file has ended), or stop.
                if !atEOF, let failure = refill() {
                    error = failure
                    return .fatal
                }
                if cursor >= end { return .end }
            }
            line &+= 1
            let lineStart = UnsafePointer(cursor)
            // Blank lines are skipped; one test for both kinds ('\n' and '\r' are below '\r' + 1).
            if lineStart.pointee <= OHLCVScan.cr {
                if lineStart.pointee == OHLCVScan.lf { cursor += 1; continue }
                if lineStart.pointee == OHLCVScan.cr, lineStart[1] == OHLCVScan.lf { cursor += 2; continue }
            }
            return common ? commonRow(lineStart, &row) : anyRow(lineStart, &row)
        }
    }

    /// A line of the common layout (`OHLCVLayout.common`) read straight through. Whatever it
    /// does not read cleanly (a bad field, another field count, a missing line end) goes to
    /// `anyRow` from the line's start, which reads it again and gives the exact outcome.
    @inline(__always)
    private mutating func commonRow(_ lineStart: UnsafePointer<UInt8>, _ row: inout Row) -> Status {
        var p = lineStart
        guard date(&p), p.pointee == OHLCVScan.comma else { return anyRow(lineStart, &row) }
        p += 1
        // Only `HH:MM:SS`: with every field bounded, the line cannot exceed maxLine.
        guard let timeOfDay = OHLCVWord.clock(p), p[8] == OHLCVScan.comma else { return anyRow(lineStart, &row) }
        p += 9
        row.time = combine(timeOfDay)
        row.hasTime = true
        // Straight into the row (which counts only with `.row`): fewer values to keep in registers.
        guard Self.price(&p, &row.open, &openShape), Self.price(&p, &row.high, &highShape),
              Self.price(&p, &row.low, &lowShape), Self.price(&p, &row.close, &closeShape),
              OHLCVScan.number(&p, &row.volume) else {
            return anyRow(lineStart, &row)
        }
        if p.pointee == OHLCVScan.cr { p += 1 }
        // At the sentinel the line has no line end: `anyRow` knows whether that is the file's end.
        guard p.pointee == OHLCVScan.lf, p != UnsafePointer(end) else { return anyRow(lineStart, &row) }
        cursor = UnsafeMutablePointer(mutating: p + 1)
        return accept(&row, lineStart)
    }

    /// A number followed by a comma, both read, checked against the column's last layout first.
    @_transparent
    private static func price(_ p: inout UnsafePointer<UInt8>, _ value: inout Double, _ shape: inout OHLCVNumberShape) -> Bool {
        if let known = shape.read(p), p[shape.length] == OHLCVScan.comma {
            value = known
            p += shape.length &+ 1
            return true
        }
        guard learn(&p, &value, &shape), p.pointee == OHLCVScan.comma else { return false }
        p += 1
        return true
    }

    /// A number read without a layout, whose layout becomes the column's.
    @_transparent
    private static func learn(_ p: inout UnsafePointer<UInt8>, _ value: inout Double, _ shape: inout OHLCVNumberShape) -> Bool {
        let start = p
        guard OHLCVScan.number(&p, &value) else { return false }
        shape = OHLCVNumberShape(of: start, length: p - start)
        return true
    }

    /// A line of any layout, field by field in header order.
    private mutating func anyRow(_ lineStart: UnsafePointer<UInt8>, _ row: inout Row) -> Status {
        var p = lineStart
        var open = 0.0, high = 0.0, low = 0.0, close = 0.0, volume = 0.0
        var timeOfDay: Int64 = 0
        var stampTime: Int64 = 0
        var hasTime = separateTime
        var column = 0
        while true {
            switch roles[column] {
            case .open:
                guard OHLCVScan.decimal(&p, &open) else { return fieldError(column, lineStart) }
            case .high:
                guard OHLCVScan.decimal(&p, &high) else { return fieldError(column, lineStart) }
            case .low:
                guard OHLCVScan.decimal(&p, &low) else { return fieldError(column, lineStart) }
            case .close:
                guard OHLCVScan.decimal(&p, &close) else { return fieldError(column, lineStart) }
            case .volume:
                guard OHLCVScan.decimal(&p, &volume) else { return fieldError(column, lineStart) }
            case .date:
                guard date(&p), OHLCVScan.isDelimiter(p.pointee) else { return fieldError(column, lineStart) }
            case .time:
                guard let value = OHLCVScan.timeOfDay(&p), OHLCVScan.isDelimiter(p.pointee) else {
                    return fieldError(column, lineStart)
                }
                timeOfDay = value
            case .stamp:
                guard stamp(&p, time: &stampTime, hasTime: &hasTime) else { return fieldError(column, lineStart) }
            case .ignored:
                p = OHLCVScan.fieldEnd(p)
            }
            column += 1
            if p.pointee != OHLCVScan.comma { break }
            if column == fieldCount { return fieldError(column, lineStart) }
            p += 1
        }
        if column != fieldCount { return fieldError(column, lineStart) }
        if p.pointee == OHLCVScan.cr {
            p += 1
            if p.pointee != OHLCVScan.lf { return invalid("carriage return inside the line", lineStart) }
        }
        if p - lineStart > Self.maxLine { return lineTooLong() }
        if p == UnsafePointer(end) {
            if !atEOF { return lineTooLong() }
            cursor = end
        } else {
            cursor = UnsafeMutablePointer(mutating: p + 1)
        }
        row = Row(time: separateTime ? combine(timeOfDay) : stampTime, open: open, high: high, low: low, close: close,
                  volume: volume, hasTime: hasTime)
        return accept(&row, lineStart)
    }

    /// Checks the values and order of the line read into `row`, which is consumed.
    @inline(__always)
    private mutating func accept(_ row: inout Row, _ lineStart: UnsafePointer<UInt8>) -> Status {
        guard Self.valid(open: row.open, high: row.high, low: row.low, close: row.close, volume: row.volume) else {
            return valueError(open: row.open, high: row.high, low: row.low, close: row.close, volume: row.volume, lineStart)
        }
        guard row.time > lastTime else { return orderError(row.time, lineStart) }
        lastTime = row.time
        lastLine = line
        return .row
    }

    /// The value rules in one test: prices above zero and finite with low <= open, close <=
    /// high; volume at least zero and finite (NaN fails every rule). `valueError` says which.
    @inline(__always)
    static func valid(open: Double, high: Double, low: Double, close: Double, volume: Double) -> Bool {
        // Positive finite doubles order like their bit patterns read as integers, and zero,
        // negative values, infinity and NaN all fall outside 0 < low ... high < infinity: the
        // price rules become integer comparisons, which the compiler keeps as plain branches.
        let o = Int64(bitPattern: open.bitPattern), h = Int64(bitPattern: high.bitPattern)
        let l = Int64(bitPattern: low.bitPattern), c = Int64(bitPattern: close.bitPattern)
        let infinity = Int64(bitPattern: Double.infinity.bitPattern)
        let prices = 0 < l && l <= o && o <= h && l <= c && c <= h && h < infinity
        // Zero and finite positive volumes are below infinity's pattern; zero may be written -0.
        return prices && (volume.bitPattern < Double.infinity.bitPattern || volume.bitPattern == (-0.0).bitPattern)
    }

    // MARK: - Dates and times

    /// UTC nanoseconds of the cached date at `timeOfDay` nanoseconds past local midnight.
    @inline(__always)
    func combine(_ timeOfDay: Int64) -> Int64 {
        if !dayShifts { return dayBase + timeOfDay }
        let seconds = timeOfDay / 1_000_000_000
        return dayZone.utc(local: dayLocal + seconds) * 1_000_000_000 + (timeOfDay - seconds * 1_000_000_000)
    }

    /// A date, `YYYY-MM-DD` or `YYYYMMDD`, through the one-entry cache; leaves `p` after it.
    @inline(__always)
    mutating func date(_ p: inout UnsafePointer<UInt8>) -> Bool {
        let raw = UnsafeRawPointer(p)
        // Safe to load past a short line: the buffer has padding after the sentinel, and a
        // match means none of the bytes is the line's end.
        if raw.loadUnaligned(as: UInt64.self) == keyLow {
            if keyLength == 10 {
                if raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self) == keyHigh { p += 10; return true }
            } else if keyLength == 8 {
                p += 8
                return true
            }
        }
        // The pointer is passed by value so that the caller's stays in a register.
        guard let length = dateMiss(p) else { return false }
        p += length
        return true
    }

    /// Reads a date the cache does not hold and caches it; its length, or nil.
    @inline(never)
    mutating func dateMiss(_ p: UnsafePointer<UInt8>) -> Int? {
        dateProblem = .none
        guard let year = OHLCVScan.number(p, count: 4) else { return nil }
        let month: Int64, day: Int64, length: Int
        if p[4] == UInt8(ascii: "-") {
            guard let m = OHLCVScan.number(p + 5, count: 2), p[7] == UInt8(ascii: "-"),
                  let d = OHLCVScan.number(p + 8, count: 2) else { return nil }
            month = m; day = d; length = 10
        } else {
            guard let m = OHLCVScan.number(p + 4, count: 2), let d = OHLCVScan.number(p + 6, count: 2) else { return nil }
            month = m; day = d; length = 8
        }
        guard let days = OHLCVScan.days(year: year, month: month, day: day) else {
            dateProblem = .noSuchDate
            return nil
        }
        guard Self.years.contains(year) else {
            dateProblem = .outOfRange
            return nil
        }
        let raw = UnsafeRawPointer(p)
        keyLow = raw.loadUnaligned(as: UInt64.self)
        keyHigh = length == 10 ? raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self) : 0
        keyLength = length
        dayLocal = days * 86_400
        dayZone = zone.day(localMidnight: dayLocal)
        dayShifts = !dayZone.transitions.isEmpty
        dayBase = (dayLocal - dayZone.offset) * 1_000_000_000
        return length
    }

    /// One column holding the whole timestamp: `YYYY-MM-DD` or `YYYYMMDD`, optionally followed
    /// by `T` or a space, `HH:MM[:SS[.fff]]` and a zone (`Z`, `+hh:mm`, `-hhmm`, `+hh`); or
    /// epoch time as digits only: up to 11 digits (optionally with a fraction) are seconds,
    /// 12 to 14 digits are milliseconds. Exactly 8 digits are a YYYYMMDD date, never epoch.
    mutating func stamp(_ p: inout UnsafePointer<UInt8>, time: inout Int64, hasTime: inout Bool) -> Bool {
        var digits = 0
        while OHLCVScan.digit(p[digits]) <= 9 { digits += 1 }
        let after = p[digits]
        let isDate = (digits == 4 && after == UInt8(ascii: "-"))
            || (digits == 8 && (OHLCVScan.isDelimiter(after) || after == UInt8(ascii: "T") || after == UInt8(ascii: " ")))
        if !isDate {
            dateProblem = .none
            return epoch(&p, digits: digits, time: &time, hasTime: &hasTime)
        }
        guard date(&p) else { return false }
        let separator = p.pointee
        guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: " ") else {
            hasTime = false
            time = combine(0)
            // A date alone must end the field: "2024-01-02X" is not a timestamp.
            return OHLCVScan.isDelimiter(separator)
        }
        p += 1
        guard let timeOfDay = OHLCVScan.timeOfDay(&p) else { return false }
        hasTime = true
        let marker = p.pointee
        if marker == UInt8(ascii: "Z") {
            p += 1
            time = (dayLocal * 1_000_000_000) + timeOfDay
        } else if marker == UInt8(ascii: "+") || marker == UInt8(ascii: "-") {
            guard let hours = OHLCVScan.number(p + 1, count: 2) else { return false }
            var minutes: Int64 = 0
            var q = p + 3
            if q.pointee == UInt8(ascii: ":") {
                guard let m = OHLCVScan.number(q + 1, count: 2) else { return false }
                minutes = m; q += 3
            } else if OHLCVScan.digit(q.pointee) <= 9 {
                guard let m = OHLCVScan.number(q, count: 2) else { return false }
                minutes = m; q += 2
            }
            guard hours <= 18, minutes < 60 else { return false }
            let offset = (hours * 3600 + minutes * 60) * (marker == UInt8(ascii: "-") ? -1 : 1)
            p = q
            time = (dayLocal - offset) * 1_000_000_000 + timeOfDay
        } else {
            time = combine(timeOfDay)
        }
        return OHLCVScan.isDelimiter(p.pointee)
    }

    private mutating func epoch(_ p: inout UnsafePointer<UInt8>, digits: Int, time: inout Int64, hasTime: inout Bool) -> Bool {
        guard digits >= 1, digits <= 14, let value = OHLCVScan.number(p, count: digits) else { return false }
        var q = p + digits
        if digits <= 11 {
            var nanos: Int64 = 0
            if q.pointee == UInt8(ascii: ".") {
                q += 1
                var scale: Int64 = 100_000_000
                let start = q
                while OHLCVScan.digit(q.pointee) <= 9 {
                    nanos += Int64(OHLCVScan.digit(q.pointee)) * scale
                    scale /= 10
                    q += 1
                }
                guard q > start else { return false }
            }
            let (whole, overflow) = value.multipliedReportingOverflow(by: 1_000_000_000)
            guard !overflow, whole <= Int64.max - nanos else { return false }
            time = whole + nanos
        } else {
            let (whole, overflow) = value.multipliedReportingOverflow(by: 1_000_000)
            guard !overflow else { return false }
            time = whole
        }
        guard OHLCVScan.isDelimiter(q.pointee) else { return false }
        hasTime = true
        p = q
        return true
    }

    // MARK: - Problems (slow path)

    /// Consumes the bad line and records the problem.
    mutating func invalid(_ message: String, _ lineStart: UnsafePointer<UInt8>) -> Status {
        let dataEnd = UnsafePointer(end)
        let found = memchr(UnsafeRawPointer(lineStart), Int32(OHLCVScan.lf), dataEnd - lineStart + 1)!
        let lineEnd = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self))
        if (lineEnd == dataEnd && !atEOF) || lineEnd - lineStart > Self.maxLine { return lineTooLong() }
        cursor = lineEnd == dataEnd ? end : UnsafeMutablePointer(mutating: lineEnd + 1)
        error = OHLCVError(file: file, line: line, message: message)
        return .invalid
    }

    mutating func lineTooLong() -> Status {
        error = OHLCVError(file: file, line: line, message: "line longer than \(Self.maxLine) bytes")
        cursor = end
        setData(end: end, atEOF: true)
        return .fatal
    }

    /// The fields of the line at `lineStart`, without the line end, each cut to 40 characters
    /// for messages.
    func fields(_ lineStart: UnsafePointer<UInt8>) -> [String] {
        var q = lineStart
        while q.pointee != OHLCVScan.lf { q += 1 }
        var text = String(decoding: UnsafeBufferPointer(start: lineStart, count: q - lineStart), as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        return text.split(separator: ",", omittingEmptySubsequences: false).map { field in
            field.count <= 40 ? String(field) : String(field.prefix(40)) + "..."
        }
    }

    /// A field that did not parse, or a row with the wrong number of fields.
    mutating func fieldError(_ column: Int, _ lineStart: UnsafePointer<UInt8>) -> Status {
        let values = fields(lineStart)
        guard values.count == fieldCount else {
            return invalid("expected \(fieldCount) fields, found \(values.count)", lineStart)
        }
        let name = layout.names[column], text = values[column]
        switch layout.roles[column] {
        case .date:
            if let problem = dateMessage(name, text) { return invalid(problem, lineStart) }
            return invalid("column '\(name)': not a date: '\(text)' (expected YYYY-MM-DD or YYYYMMDD)", lineStart)
        case .time:
            return invalid("column '\(name)': not a time: '\(text)' (expected HH:MM[:SS[.fff]])", lineStart)
        case .stamp:
            if let problem = dateMessage(name, text) { return invalid(problem, lineStart) }
            return invalid("column '\(name)': not a timestamp: '\(text)' (expected YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|+hh:mm], "
                + "YYYYMMDD, or epoch seconds or milliseconds)", lineStart)
        default:
            return invalid("column '\(name)': not a number: '\(text)'", lineStart)
        }
    }

    func dateMessage(_ name: String, _ text: String) -> String? {
        switch dateProblem {
        case .none: return nil
        case .noSuchDate: return "column '\(name)': no such date: '\(text)'"
        case .outOfRange: return "column '\(name)': year outside \(Self.years.lowerBound)-\(Self.years.upperBound): '\(text)'"
        }
    }

    /// Says which value rule the row broke, in the order the rules are documented.
    mutating func valueError(open: Double, high: Double, low: Double, close: Double, volume: Double,
                             _ lineStart: UnsafePointer<UInt8>) -> Status {
        let values = fields(lineStart)
        func text(_ role: OHLCVLayout.Role) -> String {
            layout.roles.firstIndex(of: role).map { values[$0] } ?? "0"
        }
        func name(_ role: OHLCVLayout.Role) -> String {
            layout.roles.firstIndex(of: role).map { layout.names[$0] } ?? "volume"
        }
        let checked: [(OHLCVLayout.Role, Double)] = [(.open, open), (.high, high), (.low, low), (.close, close), (.volume, volume)]
        for (role, value) in checked where !value.isFinite {
            return invalid("column '\(name(role))': not a finite number: '\(text(role))'", lineStart)
        }
        for (role, value) in checked.dropLast() where value <= 0 {
            return invalid("column '\(name(role))': price must be above zero: '\(text(role))'", lineStart)
        }
        if high < low {
            return invalid("high '\(text(.high))' is below low '\(text(.low))'", lineStart)
        }
        if open < low || open > high {
            return invalid("open '\(text(.open))' is outside low '\(text(.low))' .. high '\(text(.high))'", lineStart)
        }
        if close < low || close > high {
            return invalid("close '\(text(.close))' is outside low '\(text(.low))' .. high '\(text(.high))'", lineStart)
        }
        return invalid("column '\(name(.volume))': negative volume: '\(text(.volume))'", lineStart)
    }

    mutating func orderError(_ time: Int64, _ lineStart: UnsafePointer<UInt8>) -> Status {
        let fractional = time % 1_000_000_000 != 0 || lastTime % 1_000_000_000 != 0
        let this = UTCTimestamp.iso8601(nanoseconds: time, fractional: fractional)
        let previous = UTCTimestamp.iso8601(nanoseconds: lastTime, fractional: fractional)
        // The line is already consumed: record without skipping again.
        error = OHLCVError(file: file, line: line, message: time == lastTime
            ? "duplicate timestamp \(this): line \(lastLine) has the same time"
            : "out-of-order timestamp \(this): earlier than \(previous) on line \(lastLine)")
        _ = lineStart
        return .invalid
    }
}

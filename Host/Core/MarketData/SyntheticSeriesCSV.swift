import Foundation

extension SyntheticSeries {
    /// What `writeCSV` wrote.
    public struct Written: Sendable, Equatable {
        public var rows: Int
        public var sessions: Int
        /// Start of the first and last bar, UTC ns (0 when no rows).
        public var firstNanoseconds: Int64
        public var lastNanoseconds: Int64
    }

    public struct WriteError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): cannot write: \(reason)" }
    }

    /// Writes the series as `Date,Time,Open,High,Low,Close,Volume`: date and time are the bar
    /// start in UTC (`2024-01-02,14:30:00`), prices have 2 decimals, volume is an integer.
    /// Buffered (1 MiB writes); the file is replaced.
    @discardableResult
    public func writeCSV(to path: String) throws -> Written {
        guard let file = fopen(path, "wb") else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        var closed = false
        defer { if !closed { fclose(file) } }
        var writer = CSVRowWriter(file: file)
        writer.append("Date,Time,Open,High,Low,Close,Volume\n")
        var written = Written(rows: 0, sessions: 0, firstNanoseconds: 0, lastNanoseconds: 0)
        var lastDay = Int64.min
        for bar in self {
            let seconds = bar.startNanoseconds / 1_000_000_000
            let day = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
            if day != lastDay {
                lastDay = day
                written.sessions += 1
                writer.setDate(day: day)
            }
            writer.row(secondOfDay: Int(seconds - day * 86_400), bar: bar)
            if written.rows == 0 { written.firstNanoseconds = bar.startNanoseconds }
            written.lastNanoseconds = bar.startNanoseconds
            written.rows += 1
            if writer.count >= CSVRowWriter.flushSize, !writer.flush() {
                throw WriteError(path: path, reason: String(cString: strerror(errno)))
            }
        }
        let flushed = writer.flush()
        closed = true
        let closedCleanly = fclose(file) == 0
        guard flushed, closedCleanly else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        return written
    }
}

/// Formats rows into a byte buffer without String work per row.
struct CSVRowWriter {
    static let flushSize = 1 << 20
    let file: UnsafeMutablePointer<FILE>
    var buffer: [UInt8] = []
    /// `YYYY-MM-DD,` of the current day.
    var date: [UInt8] = []
    var count: Int { buffer.count }

    init(file: UnsafeMutablePointer<FILE>) {
        self.file = file
        buffer.reserveCapacity(Self.flushSize + 256)
    }

    mutating func append(_ text: String) { buffer.append(contentsOf: text.utf8) }

    mutating func setDate(day: Int64) {
        // Civil date from days since 1970-01-01 (H. Hinnant's civil_from_days).
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let d = dayOfYear - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yearOfEra + era * 400 + (m <= 2 ? 1 : 0)
        date = []
        Self.digits(Int(y), width: 4, into: &date); date.append(UInt8(ascii: "-"))
        Self.digits(Int(m), width: 2, into: &date); date.append(UInt8(ascii: "-"))
        Self.digits(Int(d), width: 2, into: &date); date.append(UInt8(ascii: ","))
    }

    mutating func row(secondOfDay: Int, bar: Bar) {
        buffer.append(contentsOf: date)
        Self.digits(secondOfDay / 3600, width: 2, into: &buffer); buffer.append(UInt8(ascii: ":"))
        Self.digits(secondOfDay / 60 % 60, width: 2, into: &buffer); buffer.append(UInt8(ascii: ":"))
        Self.digits(secondOfDay % 60, width: 2, into: &buffer); buffer.append(UInt8(ascii: ","))
        Self.cents(bar.open, into: &buffer); buffer.append(UInt8(ascii: ","))
        Self.cents(bar.high, into: &buffer); buffer.append(UInt8(ascii: ","))
        Self.cents(bar.low, into: &buffer); buffer.append(UInt8(ascii: ","))
        Self.cents(bar.close, into: &buffer); buffer.append(UInt8(ascii: ","))
        Self.integer(Int64(bar.volume.rounded()), into: &buffer)
        buffer.append(UInt8(ascii: "\n"))
    }

    /// Writes the buffer out; false on a write error.
    mutating func flush() -> Bool {
        guard !buffer.isEmpty else { return true }
        let written = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        let ok = written == buffer.count
        buffer.removeAll(keepingCapacity: true)
        return ok
    }

    static func digits(_ value: Int, width: Int, into out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(48 + rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    static func integer(_ value: Int64, into out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var reversed: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                       UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &reversed) { bytes in
            repeat {
                bytes[count] = UInt8(48 + magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for index in stride(from: count - 1, through: 0, by: -1) { out.append(bytes[index]) }
        }
    }

    /// A price with exactly 2 decimals, rounded to the cent.
    static func cents(_ price: Double, into out: inout [UInt8]) {
        let cents = Int64((price * 100).rounded())
        if cents < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = Int64(cents.magnitude)
        integer(magnitude / 100, into: &out)
        out.append(UInt8(ascii: "."))
        out.append(UInt8(48 + magnitude / 10 % 10))
        out.append(UInt8(48 + magnitude % 10))
    }
}

import Foundation

/// Which field of a row is which, found from the header by name (case-insensitive, any order).
struct OHLCVLayout: Equatable {
    enum Role: UInt8 {
        case ignored = 0, open, high, low, close, volume
        /// `YYYY-MM-DD` or `YYYYMMDD` alone; a separate `time` column carries the time of day.
        case date
        /// `HH:MM[:SS[.fff]]`, combined with the `date` column.
        case time
        /// A whole timestamp in one column: a date, a date and time (optionally with a zone), or epoch time.
        case stamp
    }

    /// One role per field of a data row.
    var roles: [Role]
    /// The column names as written in the header, one per field of a data row.
    var names: [String]
    /// The header lacks a time column that every row has right after the date (the backtrader
    /// 1-minute file); it was inserted as "Time".
    var insertedTime: Bool

    var fieldCount: Int { roles.count }
    var hasVolume: Bool { roles.contains(.volume) }

    /// `Date,Time,Open,High,Low,Close,Volume`, the layout of most intraday files, which the
    /// parser reads without looking up each field's role.
    static let common: [Role] = [.date, .time, .open, .high, .low, .close, .volume]
    var isCommon: Bool { roles == Self.common }

    /// Reads the header; `firstRow`, the first data line, decides whether a missing time column
    /// must be inserted. Throws a message for the caller to place at line 1.
    static func make(header: String, firstRow: String?) throws -> OHLCVLayout {
        var names = header.split(separator: ",", omittingEmptySubsequences: false).map { field -> String in
            var name = Substring(field)
            if name.hasPrefix("\u{FEFF}") { name = name.dropFirst() }
            return name.trimmingCharacters(in: CharacterSet(charactersIn: " \t\"'"))
        }
        let lower = names.map { $0.lowercased() }
        var roles = [Role](repeating: .ignored, count: names.count)
        func assign(_ role: Role, _ name: String) -> Bool {
            guard let index = lower.firstIndex(of: name) else { return false }
            roles[index] = role
            return true
        }
        var missing: [String] = []
        for (role, name) in [(Role.open, "open"), (.high, "high"), (.low, "low"), (.close, "close")] where !assign(role, name) {
            missing.append(name)
        }
        _ = assign(.volume, "volume")
        var insertedTime = false
        if assign(.stamp, "datetime") || assign(.stamp, "timestamp") {
            // One column holds the whole timestamp; a `date` or `time` column beside it is ignored.
        } else if let dateIndex = lower.firstIndex(of: "date") {
            if assign(.time, "time") {
                roles[dateIndex] = .date
            } else if let firstRow, Self.rowHasTimeAfterDate(firstRow, fields: names.count, dateIndex: dateIndex) {
                roles[dateIndex] = .date
                roles.insert(.time, at: dateIndex + 1)
                names.insert("Time", at: dateIndex + 1)
                insertedTime = true
            } else {
                roles[dateIndex] = .stamp
            }
        } else if !assign(.stamp, "time") {
            throw Problem("unknown header '\(header)': no date, time, datetime or timestamp column")
        }
        if !missing.isEmpty {
            throw Problem("missing column\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")) in header '\(header)'")
        }
        return OHLCVLayout(roles: roles, names: names, insertedTime: insertedTime)
    }

    /// A row with one field more than the header whose field after the date reads as HH:MM.
    private static func rowHasTimeAfterDate(_ row: String, fields: Int, dateIndex: Int) -> Bool {
        let values = row.split(separator: ",", omittingEmptySubsequences: false)
        guard values.count == fields + 1 else { return false }
        let candidate = Array(values[dateIndex + 1].utf8) + [UInt8(ascii: "\n")]
        return candidate.withUnsafeBufferPointer { buffer in
            var pointer = buffer.baseAddress!
            return OHLCVScan.timeOfDay(&pointer) != nil && pointer.pointee == UInt8(ascii: "\n")
        }
    }

    struct Problem: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }
}

import Foundation

/// Turns local wall-clock seconds of a file zone into UTC seconds, one calendar date at a
/// time: the reader asks once per new date (dates repeat across the minute rows of a day) and
/// converts every row of that date with the answer, so no Foundation call happens per row.
///
/// Zone rules come from Foundation's TimeZone. On Linux, swift-foundation answers from the tz
/// data compiled into its ICU library (lib_FoundationICU.so, `TimeZone.timeZoneDataVersion`),
/// not from /usr/share/zoneinfo: named zones work even where /usr/share/zoneinfo is missing,
/// and an unknown name is an error naming the zone.
final class OHLCVZone {
    /// nil: UTC, converted without Foundation.
    let timeZone: TimeZone?
    let identifier: String

    /// The last span asked of Foundation: UTC seconds [knownFrom, knownUntil) all have knownOffset.
    private var knownFrom: Int64 = .max
    private var knownUntil: Int64 = .min
    private var knownOffset: Int64 = 0

    /// Returns nil when Foundation does not know the zone.
    init?(identifier: String) {
        self.identifier = identifier
        switch identifier.uppercased() {
        case "", "UTC", "GMT", "Z", "ETC/UTC", "ETC/GMT", "ETC/UCT", "UCT", "ZULU", "ETC/ZULU", "UNIVERSAL", "ETC/UNIVERSAL":
            timeZone = nil
        default:
            guard let zone = TimeZone(identifier: identifier) else { return nil }
            timeZone = zone
        }
    }

    /// The offsets in force during the local calendar date starting at `localMidnight`
    /// (seconds since 1970-01-01 read as if local time were UTC).
    func day(localMidnight: Int64) -> OHLCVDayZone {
        guard let timeZone else { return OHLCVDayZone(offset: 0, transitions: []) }
        // Local times of this date fall within these UTC instants for any offset up to 18 h.
        let windowStart = localMidnight - 18 * 3600
        let windowEnd = localMidnight + 42 * 3600
        if windowStart >= knownFrom, windowEnd < knownUntil {
            return OHLCVDayZone(offset: knownOffset, transitions: [])
        }
        let offset = Int64(timeZone.secondsFromGMT(for: Self.date(windowStart)))
        var transitions: [OHLCVDayZone.Transition] = []
        var cursor = windowStart
        var firstTransition = Int64.max
        while let next = timeZone.nextDaylightSavingTimeTransition(after: Self.date(cursor)) {
            let at = Int64(next.timeIntervalSince1970.rounded())
            if firstTransition == .max { firstTransition = at }
            guard at < windowEnd, at > cursor else { break }
            transitions.append(.init(at: at, offsetAfter: Int64(timeZone.secondsFromGMT(for: next))))
            cursor = at
        }
        knownFrom = windowStart
        knownUntil = firstTransition
        knownOffset = offset
        return OHLCVDayZone(offset: offset, transitions: transitions)
    }

    private static func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
}

/// The offsets of one local date: `offset` at its start, then each transition inside it.
struct OHLCVDayZone {
    struct Transition {
        /// UTC seconds of the change.
        var at: Int64
        var offsetAfter: Int64
    }

    /// Seconds east of UTC at the start of the date.
    var offset: Int64
    var transitions: [Transition]

    /// UTC seconds of local wall-clock seconds `local` on this date. A time that occurs twice
    /// (clocks set back) is the first occurrence; a time that does not exist (clocks set
    /// forward) is read with the offset before the change, so 02:30 becomes 03:30 daylight time.
    func utc(local: Int64) -> Int64 {
        var candidate = local - offset
        for transition in transitions {
            if candidate < transition.at { return candidate }
            let after = local - transition.offsetAfter
            if after < transition.at { return candidate }
            candidate = after
        }
        return candidate
    }
}

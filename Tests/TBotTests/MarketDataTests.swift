import Foundation
import XCTest
@testable import TBotCore

/// The OHLCV reader on the shared real data files and on small bad files, the synthetic
/// series generator, and `tbot data` end to end.
final class MarketDataTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tbot-md-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    private func shared(_ file: String) throws -> String {
        try TestPaths.sourceRoot + "/../shared/data/" + file
    }

    @discardableResult
    private func write(_ name: String, _ text: String) throws -> String {
        let path = scratch.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func iso(_ nanoseconds: Int64) -> String {
        UTCTimestamp.iso8601(nanoseconds: nanoseconds, fractional: nanoseconds % 1_000_000_000 != 0)
    }

    private func utc(_ text: String) -> Int64 {
        let formatter = ISO8601DateFormatter()
        return Int64(formatter.date(from: text)!.timeIntervalSince1970) * 1_000_000_000
    }

    // MARK: - The shared data files

    /// Every file of shared/data, with the README's row counts and ranges (read as UTC).
    func testReadsEveryDataFileWithItsRowCountAndRange() throws {
        let expected: [(file: String, rows: Int, first: String, last: String, interval: UInt32, symbol: String)] = [
            ("orcl-1995-2014.txt", 5036, "1995-01-03T00:00:00Z", "2014-12-31T00:00:00Z", 86_400, "ORCL"),
            ("nvda-1999-2014.txt", 4012, "1999-01-22T00:00:00Z", "2014-12-31T00:00:00Z", 86_400, "NVDA"),
            ("yhoo-1996-2015.txt", 4965, "1996-04-12T00:00:00Z", "2015-12-31T00:00:00Z", 86_400, "YHOO"),
            ("2005-2006-day-001.txt", 512, "2005-01-03T00:00:00Z", "2006-12-29T00:00:00Z", 86_400, "2005"),
            ("2006-day-001.txt", 255, "2006-01-02T00:00:00Z", "2006-12-29T00:00:00Z", 86_400, "2006"),
            ("2006-week-001.txt", 52, "2006-01-06T00:00:00Z", "2006-12-29T00:00:00Z", 604_800, "2006"),
            ("2006-month-001.txt", 12, "2006-01-31T00:00:00Z", "2006-12-29T00:00:00Z", 86_400, "2006"),
            ("2006-min-005.txt", 2142, "2006-01-02T09:05:00Z", "2006-01-30T17:30:00Z", 300, "2006"),
            ("2006-01-02-volume-min-001.txt", 30889, "2006-01-02T09:01:00Z", "2006-02-27T22:00:00Z", 60, "2006"),
            ("2006-volume-day-001.txt", 255, "2006-01-02T00:00:00Z", "2006-12-29T00:00:00Z", 86_400, "2006"),
            ("spy-2013-10-04_2013-10-11-min-001.csv", 4839, "2013-10-04T04:06:00Z", "2013-10-11T19:59:00Z", 60, "SPY"),
        ]
        // The table covers the folder: a file added to shared/data must be added here.
        let folder = try TestPaths.sourceRoot + "/../shared/data"
        let present = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".txt") || $0.hasSuffix(".csv") }
        XCTAssertEqual(Set(present), Set(expected.map(\.file) + ["ticksample.csv"]))

        for item in expected {
            let bars = try OHLCVReader.readAll(path: try shared(item.file))
            XCTAssertEqual(bars.count, item.rows, item.file)
            XCTAssertEqual(bars.first.map { iso($0.startNanoseconds) }, item.first, item.file)
            XCTAssertEqual(bars.last.map { iso($0.startNanoseconds) }, item.last, item.file)
            XCTAssertEqual(Set(bars.map(\.intervalSeconds)), [item.interval], item.file)
            XCTAssertEqual(bars.first?.symbol, item.symbol, item.file)
        }
    }

    /// SPY's times are bar starts in US/Eastern: read as America/New_York they land on UTC
    /// with EDT (UTC-4), and the regular session 09:30-15:59 is 13:30-19:59 UTC.
    func testSpyMinutesReadAsNewYorkTime() throws {
        let reader = try OHLCVReader(path: try shared("spy-2013-10-04_2013-10-11-min-001.csv"),
                                     options: OHLCVReadOptions(timeZone: "America/New_York"))
        var bars: [Bar] = []
        while let bar = try reader.next() { bars.append(bar) }
        XCTAssertEqual(bars.count, 4839)
        XCTAssertEqual(iso(bars.first!.startNanoseconds), "2013-10-04T08:06:00Z")
        XCTAssertEqual(iso(bars.last!.startNanoseconds), "2013-10-11T23:59:00Z")
        XCTAssertEqual(bars.first!.open, 167.65)
        XCTAssertEqual(bars.first!.volume, 20000)
        XCTAssertEqual(reader.intervalSeconds, 60)
        XCTAssertEqual(reader.skipped, 0)
        let regular = bars.filter {
            let minute = ($0.startNanoseconds / 60_000_000_000) % 1440
            return minute >= 13 * 60 + 30 && minute < 20 * 60
        }
        XCTAssertEqual(regular.count, 2340)
        XCTAssertEqual(Set(regular.map { $0.startNanoseconds / 86_400_000_000_000 }).count, 6)
        let opens = regular.filter { ($0.startNanoseconds / 60_000_000_000) % 1440 == 13 * 60 + 30 }
        XCTAssertEqual(opens.map { String(iso($0.startNanoseconds).prefix(10)) },
                       ["2013-10-04", "2013-10-07", "2013-10-08", "2013-10-09", "2013-10-10", "2013-10-11"])
    }

    /// The backtrader 1-minute file: 7 header names, 8 fields a row, CRLF line ends.
    func testMinuteFileWithoutTimeInHeaderAndCRLF() throws {
        let reader = try OHLCVReader(path: try shared("2006-01-02-volume-min-001.txt"))
        XCTAssertEqual(reader.columns, ["Date", "Time", "Open", "High", "Low", "Close", "Volume", "OpenInterest"])
        let first = try XCTUnwrap(try reader.next())
        XCTAssertEqual(first, Bar(symbol: "2006", startNanoseconds: utc("2006-01-02T09:01:00Z"), intervalSeconds: 60,
                                  open: 3602, high: 3603, low: 3597, close: 3599, volume: 5699))
        var count = 1
        while try reader.next() != nil { count += 1 }
        XCTAssertEqual(count, 30889)
    }

    /// Yahoo files: Open/High/Low/Close are used, never Adj Close.
    func testYahooLayoutUsesCloseNotAdjustedClose() throws {
        let first = try XCTUnwrap(try OHLCVReader(path: try shared("orcl-1995-2014.txt")).next())
        XCTAssertEqual(first, Bar(symbol: "ORCL", startNanoseconds: utc("1995-01-03T00:00:00Z"), intervalSeconds: 86_400,
                                  open: 2.179012, high: 2.191358, low: 2.117284, close: 2.117284, volume: 36_301_200))
    }

    /// A date with junk after it in a last timestamp column is an error on its own line, and
    /// the lines after it keep their numbers.
    func testDateFollowedByJunkInTheLastColumnIsRefused() throws {
        let path = try write("junk.csv", "Open,High,Low,Close,Volume,Timestamp\n10,11,9,10,100,2024-01-02X\n10,11,9,10,100,2024-01-03\n10,11,9,10,100,2024-01-03\n")
        let reader = try OHLCVReader(path: path, options: OHLCVReadOptions(skipInvalid: true))
        var bars: [Bar] = []
        while let bar = try reader.next() { bars.append(bar) }
        XCTAssertEqual(bars.count, 1)
        XCTAssertEqual(reader.skippedExamples.map(\.line), [2, 4])
        XCTAssertEqual(reader.skippedExamples.first?.message, "column 'Timestamp': not a timestamp: '2024-01-02X' (expected "
            + "YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|+hh:mm], YYYYMMDD, or epoch seconds or milliseconds)")
    }

    /// `next(into:)` (the backtest's bar loop) gives the bars `next()` gives, past skipped rows,
    /// the read-ahead and the requested end, and leaves the last bar as it was at the end.
    func testReadingIntoABarMatchesNext() throws {
        var text = "Date,Time,Open,High,Low,Close,Volume\n"
        for minute in 0..<40 {
            let low = minute == 7 ? "12" : "9.5"  // low above high: skipped
            let two = String(format: "%02d", minute)
            text += "2024-01-02,14:\(two):00,10.25,11,\(low),10.\(two),\(100 + minute)\n"
        }
        let path = try write("minutes.csv", text)
        let options = OHLCVReadOptions(skipInvalid: true, end: utc("2024-01-02T14:35:00Z"))
        let expected = try OHLCVReader.readAll(path: path, options: options)
        let reader = try OHLCVReader(path: path, options: options)
        var bar = try XCTUnwrap(try reader.next())
        var bars = [bar]
        while try reader.next(into: &bar) { bars.append(bar) }
        XCTAssertEqual(bars, expected)
        XCTAssertEqual(bars.count, 34)
        XCTAssertEqual(bar, expected.last)
        XCTAssertEqual(reader.skipped, 1)
        XCTAssertFalse(try reader.next(into: &bar))
        XCTAssertEqual(bar, expected.last)
    }

    /// Two trades in the same millisecond: strict reading stops there, skipping counts it.
    func testTickFileWithMillisecondsAndItsDuplicateTimestamp() throws {
        let path = try shared("ticksample.csv")
        XCTAssertThrowsError(try OHLCVReader.readAll(path: path)) { error in
            XCTAssertEqual(error as? OHLCVError, OHLCVError(file: path, line: 24,
                message: "duplicate timestamp 2015-09-23T20:58:22.316Z: line 23 has the same time"))
        }
        let reader = try OHLCVReader(path: path, options: OHLCVReadOptions(skipInvalid: true))
        var bars: [Bar] = []
        while let bar = try reader.next() { bars.append(bar) }
        XCTAssertEqual(bars.count, 134)
        XCTAssertEqual(reader.skipped, 1)
        XCTAssertEqual(reader.skippedExamples.map(\.line), [24])
        XCTAssertEqual(iso(bars.first!.startNanoseconds), "2015-09-23T20:57:42.146Z")
        XCTAssertEqual(iso(bars.last!.startNanoseconds), "2015-09-23T21:00:00.238Z")
        XCTAssertEqual(reader.intervalSeconds, 0, "rows under a second apart are ticks")
        XCTAssertEqual(bars.first!.symbol, "TICKSAMPLE")
    }

    func testStartAndEndKeepOneSession() throws {
        let options = OHLCVReadOptions(timeZone: "America/New_York", start: utc("2013-10-07T13:30:00Z"), end: utc("2013-10-07T20:00:00Z"))
        let bars = try OHLCVReader.readAll(path: try shared("spy-2013-10-04_2013-10-11-min-001.csv"), options: options)
        XCTAssertEqual(bars.count, 390)
        XCTAssertEqual(iso(bars.first!.startNanoseconds), "2013-10-07T13:30:00Z")
        XCTAssertEqual(iso(bars.last!.startNanoseconds), "2013-10-07T19:59:00Z")
    }

    // MARK: - Time zones

    func testNewYorkAcrossBothDaylightSavingChanges() throws {
        let path = try write("dst-min-001.csv", """
            Date,Time,Open,High,Low,Close,Volume
            2013-11-01,09:30,10,10,10,10,1
            2013-11-03,00:30,10,10,10,10,1
            2013-11-03,01:30,10,10,10,10,1
            2013-11-03,03:00,10,10,10,10,1
            2013-11-04,09:30,10,10,10,10,1
            2014-03-09,01:59,10,10,10,10,1
            2014-03-09,02:30,10,10,10,10,1
            2014-03-09,03:45,10,10,10,10,1
            2014-03-10,09:30,10,10,10,10,1

            """)
        let bars = try OHLCVReader.readAll(path: path, options: OHLCVReadOptions(timeZone: "America/New_York"))
        XCTAssertEqual(bars.map { iso($0.startNanoseconds) }, [
            "2013-11-01T13:30:00Z",  // EDT
            "2013-11-03T04:30:00Z",  // EDT
            "2013-11-03T05:30:00Z",  // 01:30 happens twice: the first (EDT)
            "2013-11-03T08:00:00Z",  // EST
            "2013-11-04T14:30:00Z",  // EST
            "2014-03-09T06:59:00Z",  // EST
            "2014-03-09T07:30:00Z",  // 02:30 does not exist: read with EST, i.e. 03:30 EDT
            "2014-03-09T07:45:00Z",  // EDT
            "2014-03-10T13:30:00Z",  // EDT
        ])
    }

    func testDailyFileInAZoneStartsAtLocalMidnight() throws {
        let path = try write("daily.csv", "Date,Open,High,Low,Close\n2013-10-31,1,1,1,1\n2013-11-04,1,1,1,1\n20131105,1,1,1,1\n")
        let bars = try OHLCVReader.readAll(path: path, options: OHLCVReadOptions(timeZone: "America/New_York"))
        XCTAssertEqual(bars.map { iso($0.startNanoseconds) }, ["2013-10-31T04:00:00Z", "2013-11-04T05:00:00Z", "2013-11-05T05:00:00Z"])
        XCTAssertEqual(bars.map(\.intervalSeconds), [86_400, 86_400, 86_400])
        XCTAssertEqual(bars.map(\.volume), [0, 0, 0], "volume is optional and 0 when absent")

        let berlin = try OHLCVReader.readAll(path: try shared("2006-min-005.txt"), options: OHLCVReadOptions(timeZone: "Europe/Berlin"))
        XCTAssertEqual(iso(berlin.first!.startNanoseconds), "2006-01-02T08:05:00Z")
        let kolkata = try OHLCVReader.readAll(path: path, options: OHLCVReadOptions(timeZone: "Asia/Kolkata"))
        XCTAssertEqual(iso(kolkata.first!.startNanoseconds), "2013-10-30T18:30:00Z")
    }

    func testUnknownZoneAndUnreadableFile() throws {
        let path = try write("a.csv", "Date,Open,High,Low,Close\n")
        XCTAssertThrowsError(try OHLCVReader(path: path, options: OHLCVReadOptions(timeZone: "Mars/Olympus"))) { error in
            XCTAssertEqual("\(error)", "\(path): unknown time zone 'Mars/Olympus' (expected an IANA name such as America/New_York)")
        }
        let missing = scratch.appendingPathComponent("missing.csv").path
        XCTAssertThrowsError(try OHLCVReader(path: missing)) { error in
            XCTAssertEqual(error as? OHLCVError, OHLCVError(file: missing, line: 0, message: "cannot read: No such file or directory"))
        }
        XCTAssertEqual(try OHLCVReader.readAll(path: path), [], "a header without rows reads as no bars")
    }

    // MARK: - Generic CSV

    func testGenericCSVColumnsInAnyOrderWithZones() throws {
        let path = try write("generic.csv", """
            close,LOW,High,open,TimeStamp,note
            10.5,10,11,10.25,2024-01-02T14:30:00Z,a
            10.5,10,11,10.25,2024-01-02T20:31:00+05:30,b
            10.5,10,11,10.25,2024-01-02T10:02:00.250-0500,c
            10.5,10,11,10.25,2024-01-02 15:03:00,d
            10.5,10,11,10.25,2024-01-02T15:04,e
            """)
        let reader = try OHLCVReader(path: path, options: OHLCVReadOptions(symbol: "abc", intervalSeconds: 60))
        var bars: [Bar] = []
        while let bar = try reader.next() { bars.append(bar) }
        XCTAssertEqual(bars.map { iso($0.startNanoseconds) }, [
            "2024-01-02T14:30:00Z", "2024-01-02T15:01:00Z", "2024-01-02T15:02:00.250Z", "2024-01-02T15:03:00Z", "2024-01-02T15:04:00Z",
        ])
        XCTAssertEqual(bars[0], Bar(symbol: "abc", startNanoseconds: utc("2024-01-02T14:30:00Z"), intervalSeconds: 60,
                                    open: 10.25, high: 11, low: 10, close: 10.5, volume: 0))
    }

    /// Digits only: 8 digits are YYYYMMDD, up to 11 are epoch seconds, 12 to 14 milliseconds.
    func testEpochSecondsAndMilliseconds() throws {
        let path = try write("epoch.csv", """
            Datetime,Open,High,Low,Close,Volume
            1704205800,1,1,1,1,5
            1704205860000,1,1,1,1,5
            1704205920.5,1,1,1,1,5
            1704205981250,1,1,1,1,5
            """)
        let bars = try OHLCVReader.readAll(path: path)
        XCTAssertEqual(bars.map { iso($0.startNanoseconds) }, [
            "2024-01-02T14:30:00Z", "2024-01-02T14:31:00Z", "2024-01-02T14:32:00.500Z", "2024-01-02T14:33:01.250Z",
        ])
        let dates = try write("compact.csv", "datetime,open,high,low,close\n20240102,1,1,1,1\n20240103,1,1,1,1\n")
        XCTAssertEqual(try OHLCVReader.readAll(path: dates).map { iso($0.startNanoseconds) }, ["2024-01-02T00:00:00Z", "2024-01-03T00:00:00Z"])
        let mixed = try write("mixed.csv", "Datetime,Open,High,Low,Close\n20240102T14:30:00.250,1,1,1,1\n2024-01-02 14:31,1,1,1,1\n")
        XCTAssertEqual(try OHLCVReader.readAll(path: mixed).map { iso($0.startNanoseconds) }, ["2024-01-02T14:30:00.250Z", "2024-01-02T14:31:00Z"])
        let bad = try write("stamp.csv", "Datetime,Open,High,Low,Close\n2024-01-02T14:30:00Q,1,1,1,1\n")
        XCTAssertThrowsError(try OHLCVReader.readAll(path: bad)) { error in
            XCTAssertEqual(error as? OHLCVError, OHLCVError(file: bad, line: 2, message: "column 'Datetime': not a timestamp: "
                + "'2024-01-02T14:30:00Q' (expected YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|+hh:mm], YYYYMMDD, or epoch seconds or milliseconds)"))
        }
    }

    func testHeaderProblems() throws {
        let missing = try write("m.csv", "Date,Open,Close,Volume\n2024-01-02,1,1,1\n")
        XCTAssertThrowsError(try OHLCVReader(path: missing)) { error in
            XCTAssertEqual(error as? OHLCVError, OHLCVError(file: missing, line: 1, message: "missing columns high, low in header 'Date,Open,Close,Volume'"))
        }
        let unknown = try write("u.csv", "when,open,high,low,close\nx,1,1,1,1\n")
        XCTAssertThrowsError(try OHLCVReader(path: unknown)) { error in
            XCTAssertEqual("\(error)", "\(unknown):1: unknown header 'when,open,high,low,close': no date, time, datetime or timestamp column")
        }
        let headerless = try write("lean.csv", "34200000,1676500,1676500,1676500,1676500,20000\n")
        XCTAssertThrowsError(try OHLCVReader(path: headerless)) { error in
            XCTAssertEqual((error as? OHLCVError)?.line, 1)
        }
        let empty = try write("e.csv", "")
        XCTAssertThrowsError(try OHLCVReader(path: empty)) { error in
            XCTAssertEqual(error as? OHLCVError, OHLCVError(file: empty, line: 1, message: "empty file: expected a header line"))
        }
    }

    func testIntervalInference() throws {
        let rows = "2024-01-02,14:30,1,1,1,1,1\n2024-01-02,14:35,1,1,1,1,1\n2024-01-02,14:37,1,1,1,1,1\n"
        let header = "Date,Time,Open,High,Low,Close,Volume\n"
        XCTAssertEqual(try OHLCVReader.readAll(path: try write("gaps.csv", header + rows)).first?.intervalSeconds, 120)
        XCTAssertEqual(try OHLCVReader.readAll(path: try write("x-min-005.csv", header + rows)).first?.intervalSeconds, 300)
        XCTAssertEqual(try OHLCVReader.readAll(path: try write("x-15min.csv", header + rows)).first?.intervalSeconds, 900)
        XCTAssertEqual(try OHLCVReader.readAll(path: try write("one.csv", header + "2024-01-02,14:30,1,1,1,1,1\n")).first?.intervalSeconds, 60)
        let fixed = OHLCVReadOptions(intervalSeconds: 30)
        XCTAssertEqual(try OHLCVReader.readAll(path: try write("fixed.csv", header + rows), options: fixed).map(\.intervalSeconds), [30, 30, 30])
    }

    // MARK: - Validation

    private let header = "Date,Time,Open,High,Low,Close,Volume\n"
    private let good = "2024-01-02,14:30,10.00,11.00,9.50,10.50,100\n"
    /// With seconds, so that the rows take the parser's path for the common layout.
    private let goodWithSeconds = "2024-01-02,14:30:00,10.00,11.00,9.50,10.50,100\n"

    /// The row after one good row (line 3) fails with exactly `message`.
    private func assertRejects(_ row: String, _ message: String, seconds: Bool = false,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let after = seconds ? "2024-01-02,14:40:00,10.00,11.00,9.00,10.00,1\n" : "2024-01-02,14:40,10,11,9,10,1\n"
        let path = try write("bad.csv", header + (seconds ? goodWithSeconds : good) + row + "\n" + after)
        let reader = try OHLCVReader(path: path)
        XCTAssertNotNil(try reader.next(), file: file, line: line)
        XCTAssertThrowsError(try reader.next(), file: file, line: line) { error in
            XCTAssertEqual(error as? OHLCVError, OHLCVError(file: path, line: 3, message: message), file: file, line: line)
            XCTAssertEqual("\(error)", "\(path):3: \(message)", file: file, line: line)
        }
        // Reading goes on after a thrown row.
        XCTAssertEqual(try reader.next().map { iso($0.startNanoseconds) }, "2024-01-02T14:40:00Z", file: file, line: line)
        // With skipInvalid the same row is counted, with the same problem.
        let skipping = try OHLCVReader(path: path, options: OHLCVReadOptions(skipInvalid: true))
        var count = 0
        while try skipping.next() != nil { count += 1 }
        XCTAssertEqual(count, 2, file: file, line: line)
        XCTAssertEqual(skipping.skipped, 1, file: file, line: line)
        XCTAssertEqual(skipping.skippedExamples, [OHLCVError(file: path, line: 3, message: message)], file: file, line: line)
    }

    func testEveryValidationRuleWithItsMessage() throws {
        try assertRejects("2024-01-02,14:29,10,11,9,10,1",
                          "out-of-order timestamp 2024-01-02T14:29:00Z: earlier than 2024-01-02T14:30:00Z on line 2")
        try assertRejects("2024-01-02,14:30,10,11,9,10,1", "duplicate timestamp 2024-01-02T14:30:00Z: line 2 has the same time")
        try assertRejects("2024-01-02,14:31,10,11,9,nan,1", "column 'Close': not a finite number: 'nan'")
        try assertRejects("2024-01-02,14:31,10,inf,9,10,1", "column 'High': not a finite number: 'inf'")
        try assertRejects("2024-01-02,14:31,10,11,9,10,1e999", "column 'Volume': not a finite number: '1e999'")
        try assertRejects("2024-01-02,14:31,10,11,-9.00,10,1", "column 'Low': price must be above zero: '-9.00'")
        try assertRejects("2024-01-02,14:31,0,11,9,10,1", "column 'Open': price must be above zero: '0'")
        try assertRejects("2024-01-02,14:31,10,9.00,10.00,10,1", "high '9.00' is below low '10.00'")
        try assertRejects("2024-01-02,14:31,12.00,11.00,9,10,1", "open '12.00' is outside low '9' .. high '11.00'")
        try assertRejects("2024-01-02,14:31,10,11,9.5,9.25,1", "close '9.25' is outside low '9.5' .. high '11'")
        try assertRejects("2024-01-02,14:31,10,11,9,10,-5", "column 'Volume': negative volume: '-5'")
        try assertRejects("2024-01-02,14:31,10,11,9,10", "expected 7 fields, found 6")
        try assertRejects("2024-01-02,14:31,10,11,9,10,1,", "expected 7 fields, found 8")
        try assertRejects("2024-01-02,14:31,1O.5,11,9,10,1", "column 'Open': not a number: '1O.5'")
        try assertRejects("2024-01-02,14:31,10,11,9,,1", "column 'Close': not a number: ''")
        try assertRejects("2024/01/02,14:31,10,11,9,10,1", "column 'Date': not a date: '2024/01/02' (expected YYYY-MM-DD or YYYYMMDD)")
        try assertRejects("2023-02-29,14:31,10,11,9,10,1", "column 'Date': no such date: '2023-02-29'")
        try assertRejects("4024-01-02,14:31,10,11,9,10,1", "column 'Date': year outside 1678-2261: '4024-01-02'")
        try assertRejects("2024-01-02,24:00,10,11,9,10,1", "column 'Time': not a time: '24:00' (expected HH:MM[:SS[.fff]])")
    }

    /// The same rules and messages on rows of the common layout with `HH:MM:SS`, which the
    /// parser reads on its word-at-a-time path (prices written like the first row's).
    func testEveryValidationRuleOnTheCommonLayoutPath() throws {
        let rules: [(row: String, message: String)] = [
            ("2024-01-02,14:29:00,10.00,11.00,9.00,10.00,1",
             "out-of-order timestamp 2024-01-02T14:29:00Z: earlier than 2024-01-02T14:30:00Z on line 2"),
            ("2024-01-02,14:30:00,10.00,11.00,9.00,10.00,1", "duplicate timestamp 2024-01-02T14:30:00Z: line 2 has the same time"),
            ("2024-01-02,14:31:00,10.00,11.00,9.00,nan,1", "column 'Close': not a finite number: 'nan'"),
            ("2024-01-02,14:31:00,10.00,11.00,9.00,10.00,1e999", "column 'Volume': not a finite number: '1e999'"),
            ("2024-01-02,14:31:00,10.00,11.00,-9.00,10.00,1", "column 'Low': price must be above zero: '-9.00'"),
            ("2024-01-02,14:31:00,00.00,11.00,9.00,10.00,1", "column 'Open': price must be above zero: '00.00'"),
            ("2024-01-02,14:31:00,10.00,09.00,10.00,10.00,1", "high '09.00' is below low '10.00'"),
            ("2024-01-02,14:31:00,12.00,11.00,09.00,10.00,1", "open '12.00' is outside low '09.00' .. high '11.00'"),
            ("2024-01-02,14:31:00,10.00,11.00,09.50,09.25,1", "close '09.25' is outside low '09.50' .. high '11.00'"),
            ("2024-01-02,14:31:00,10.00,11.00,9.00,10.00,-5", "column 'Volume': negative volume: '-5'"),
            ("2024-01-02,14:31:00,10.00,11.00,9.00,10.00", "expected 7 fields, found 6"),
            ("2024-01-02,14:31:00,10.00,11.00,9.00,10.00,1,", "expected 7 fields, found 8"),
            ("2024-01-02,14:31:00,10.00,11.00,9.00,10.00,1,x", "expected 7 fields, found 8"),
            ("2024-01-02,14:31:00,10.00,11.00,9.O0,10.00,1", "column 'Low': not a number: '9.O0'"),
            ("2024-01-02,14:31:00,10.00,11.00,9.00.,10.00,1", "column 'Low': not a number: '9.00.'"),
            ("2024-01-02,14:31:00,10.00,11.00,9.00,10.00,1x", "column 'Volume': not a number: '1x'"),
            ("2024-01-02,14:31:00,10.00,11.00,9.00,10.00,1\rx", "carriage return inside the line"),
            ("2024-01-02,24:00:00,10.00,11.00,9.00,10.00,1", "column 'Time': not a time: '24:00:00' (expected HH:MM[:SS[.fff]])"),
            ("2024-01-02,14:60:00,10.00,11.00,9.00,10.00,1", "column 'Time': not a time: '14:60:00' (expected HH:MM[:SS[.fff]])"),
            ("2024-01-02,14:31:60,10.00,11.00,9.00,10.00,1", "column 'Time': not a time: '14:31:60' (expected HH:MM[:SS[.fff]])"),
            ("2024-01-02,14:3a:00,10.00,11.00,9.00,10.00,1", "column 'Time': not a time: '14:3a:00' (expected HH:MM[:SS[.fff]])"),
            ("2024-01-02,14:31:00x,10.00,11.00,9.00,10.00,1", "column 'Time': not a time: '14:31:00x' (expected HH:MM[:SS[.fff]])"),
            ("2023-02-29,14:31:00,10.00,11.00,9.00,10.00,1", "column 'Date': no such date: '2023-02-29'"),
        ]
        for rule in rules { try assertRejects(rule.row, rule.message, seconds: true) }
    }

    /// Rows of the common layout whose numbers change how they are written, so that the
    /// parser's remembered layout of each price column fits, misses, and is learned again:
    /// every value is the correctly rounded double of its text.
    func testCommonLayoutFollowsNumbersWrittenDifferently() throws {
        let prices = ["50.00", "49.96", "50.001", "50.0", "5", "5.", ".5", "0.5", "167.6500", "167.65001", "1234567.5",
                      "12345678", "123456789", "1e1", "+50.00", "050.00", "50.00", "9.99", "10.01", "99.99", "100.00"]
        let volumes = ["58363", "583631", "0", "-0", "5836.5", "12345678", "123456789012", "1e3", "58363"]
        var text = header
        var expected: [(open: Double, volume: Double)] = []
        for (index, price) in prices.enumerated() {
            let volume = volumes[index % volumes.count]
            text += "2024-01-02,14:\(10 + index):00,\(price),\(price),\(price),\(price),\(volume)\n"
            expected.append((Double(price.hasSuffix(".") ? price + "0" : price)!, Double(volume)!))
        }
        let bars = try OHLCVReader.readAll(path: try write("shapes.csv", text))
        XCTAssertEqual(bars.count, prices.count)
        for (bar, value) in zip(bars, expected) {
            XCTAssertEqual(bar.open.bitPattern, value.open.bitPattern, "\(value.open)")
            XCTAssertEqual([bar.high, bar.low, bar.close].map(\.bitPattern), Array(repeating: value.open.bitPattern, count: 3))
            XCTAssertEqual(bar.volume.bitPattern, value.volume.bitPattern, "\(value.volume)")
        }
    }

    /// The same rows read through the common layout's path and through the field-by-field
    /// path (a column order that is not the common one) give the same bars and the same bad
    /// lines, over blank lines, CRLF and a file larger than one read chunk.
    func testCommonLayoutPathMatchesTheFieldByFieldPath() throws {
        var random = SeededRandom(seed: 3)
        let shapes = ["50.00", "9.99", "100.1", "167.6500", "0.0001", "12345678", "1.23456789", "7", "3.5e1", "x", ""]
        var common = header, swapped = "Time,Date,Open,High,Low,Close,Volume\n"
        for row in 0..<40_000 {
            let seconds = row + Int(random.next() % 3) - 1
            let time = String(format: "%02d:%02d:%02d", seconds / 3600 % 24, seconds / 60 % 60, seconds % 60)
            let date = "2024-01-\(String(format: "%02d", 2 + seconds / 86_400))"
            let price = shapes[Int(random.next() % UInt64(shapes.count))]
            let volume = String(random.next() % 1_000_000)
            let end = random.next() % 50 == 0 ? "\r\n" : (random.next() % 80 == 0 ? "\n\n" : "\n")
            common += "\(date),\(time),\(price),\(price),\(price),\(price),\(volume)\(end)"
            swapped += "\(time),\(date),\(price),\(price),\(price),\(price),\(volume)\(end)"
        }
        func read(_ name: String, _ text: String) throws -> (bars: [Bar], bad: [Int]) {
            let reader = try OHLCVReader(path: try write(name, text), options: OHLCVReadOptions(symbol: "S"))
            var bars: [Bar] = [], bad: [Int] = []
            while true {
                do {
                    guard let bar = try reader.next() else { break }
                    bars.append(bar)
                } catch let error as OHLCVError {
                    bad.append(error.line)
                }
            }
            return (bars, bad)
        }
        let fast = try read("common.csv", common), general = try read("swapped.csv", swapped)
        XCTAssertGreaterThan(common.utf8.count, OHLCVParser.chunkSize)
        XCTAssertGreaterThan(fast.bars.count, 20_000)
        XCTAssertEqual(fast.bars, general.bars)
        XCTAssertEqual(fast.bad, general.bad)
    }

    func testSkippingCountsAndKeepsTheLastGoodTime() throws {
        var text = header
        text += "2024-01-02,14:30,10,11,9,10,1\n"
        text += "2024-01-02,14:32,10,11,9,10,1\n"
        text += "2024-01-02,14:31,10,11,9,10,1\n"      // line 4: before 14:32
        text += "2024-01-02,14:31:30,10,11,9,10,1\n"   // line 5: still before the last good 14:32
        for minute in 33..<45 { text += "2024-01-02,14:\(minute),10,9,11,10,1\n" }  // lines 6-17: high < low
        text += "2024-01-02,14:45,10,11,9,10,1\n"
        let path = try write("many.csv", text)
        let reader = try OHLCVReader(path: path, options: OHLCVReadOptions(skipInvalid: true))
        var bars: [Bar] = []
        while let bar = try reader.next() { bars.append(bar) }
        XCTAssertEqual(bars.map { iso($0.startNanoseconds) }, ["2024-01-02T14:30:00Z", "2024-01-02T14:32:00Z", "2024-01-02T14:45:00Z"])
        XCTAssertEqual(reader.skipped, 14)
        XCTAssertEqual(reader.skippedExamples.count, OHLCVReader.maxSkippedExamples)
        XCTAssertEqual(reader.skippedExamples.map(\.line), Array(4...13))
        XCTAssertEqual(reader.skippedExamples[1].message, "out-of-order timestamp 2024-01-02T14:31:30Z: earlier than 2024-01-02T14:32:00Z on line 3")
    }

    /// A line over 64 KiB stops reading, also when bad rows are skipped; a field in a message
    /// is cut to 40 characters.
    func testOverlongLineStopsReading() throws {
        let long = String(repeating: "7", count: 70_000)
        let path = try write("long.csv", header + good + "2024-01-02,14:31,1,1,1,1,\(long)\n2024-01-02,14:32,1,1,1,1,1\n")
        let reader = try OHLCVReader(path: path, options: OHLCVReadOptions(skipInvalid: true))
        XCTAssertNotNil(try reader.next())
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual(error as? OHLCVError, OHLCVError(file: path, line: 3, message: "line longer than 65536 bytes"))
        }
        XCTAssertNil(try reader.next())
        let wide = try write("wide.csv", header + good + "2024-01-02,14:31,1,1,1,1,\(String(repeating: "8", count: 300))\n")
        XCTAssertThrowsError(try OHLCVReader.readAll(path: wide)) { error in
            XCTAssertEqual((error as? OHLCVError)?.message, "column 'Volume': not a number: '\(String(repeating: "8", count: 40))...'")
        }
    }

    /// A bad row among the first rows (read ahead to infer the interval) is thrown only
    /// after the good rows before it.
    func testBadRowInTheReadAheadComesInFileOrder() throws {
        let path = try write("early.csv", header + good + "2024-01-02,14:31,10,11,9,10,x\n2024-01-02,14:32,10,11,9,10,1\n")
        let reader = try OHLCVReader(path: path)
        XCTAssertEqual(try reader.next().map { iso($0.startNanoseconds) }, "2024-01-02T14:30:00Z")
        XCTAssertThrowsError(try reader.next()) { XCTAssertEqual(($0 as? OHLCVError)?.line, 3) }
    }

    /// The fast path (mantissa and a power of ten) gives the same double as a correctly
    /// rounded parse; longer numbers go through strtod.
    func testDecimalParsingIsExact() throws {
        var random = SeededRandom(seed: 7)
        var samples = ["0.1", "0.3", "123.45", "4119.94", "9007199254740993", "0.000000000000000000001", "1.7976931348623157",
                       "20.370001", "33.259998", "5.", ".5", "+7.25", "-0.0", "12345678901234567890.5", "3.14159265358979323846",
                       "1e5", "2.5E-3", "0.30000000000000004"]
        for _ in 0..<20_000 {
            let digits = Int(random.next() % 19) + 1
            var text = String(random.next() % UInt64(pow(10.0, Double(min(digits, 18)))))
            let point = Int(random.next() % UInt64(text.count + 1))
            text.insert(".", at: text.index(text.startIndex, offsetBy: point))
            samples.append(text)
        }
        for text in samples {
            let bytes = Array(text.utf8) + [UInt8(ascii: ","), 0, 0, 0, 0, 0, 0, 0, 0]
            let parsed: Double? = bytes.withUnsafeBufferPointer { buffer in
                var pointer = buffer.baseAddress!
                var value = 0.0
                return OHLCVScan.decimal(&pointer, &value) && pointer.pointee == UInt8(ascii: ",") ? value : nil
            }
            let expected = Double(text.hasSuffix(".") ? text + "0" : (text.hasPrefix(".") ? "0" + text : text))
            XCTAssertEqual(parsed?.bitPattern, expected?.bitPattern, text)
        }
    }

    /// The word-at-a-time number readers agree with the byte-at-a-time one on every form:
    /// `OHLCVScan.decimal` (value and length), and a column layout learned from one number
    /// and checked against another (`OHLCVNumberShape`), which reads only numbers written the
    /// same way, each to its correctly rounded double.
    func testWordNumberReadersAgreeWithTheByteReader() throws {
        var random = SeededRandom(seed: 5)
        let alphabet = Array("0123456789012345678901234567890123456789.....,\n\r-+ex")
        var samples: [String] = ["5.", ".5", ".", "1.2.3", "12345678", "123456789", "1234567.8", "1.2345678", "0.00000001",
                                 "99999999999999999999", "1e5", "-1.5", "+2", ""]
        for _ in 0..<50_000 {
            let count = Int(random.next() % 18)
            samples.append(String((0..<count).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }))
        }
        func withBytes<T>(_ text: String, _ body: (UnsafePointer<UInt8>) -> T) -> T {
            // The padding the chunk buffer has after its data.
            (Array(text.utf8) + [UInt8](repeating: 0, count: OHLCVParser.padding)).withUnsafeBufferPointer { body($0.baseAddress!) }
        }
        for text in samples {
            withBytes(text) { start in
                var pointer = start
                var value = 0.0
                let word = OHLCVScan.decimal(&pointer, &value) ? (value.bitPattern, pointer - start) : nil
                let byte = OHLCVScan.byteDecimal(at: start).map { ($0.value.bitPattern, $0.length) }
                XCTAssertEqual(word?.0, byte?.0, text)
                XCTAssertEqual(word?.1, byte?.1, text)
            }
        }
        // Layouts: plain numbers of up to 8 bytes, many written alike.
        let plain = samples.compactMap { text -> String? in
            let field = String(text.prefix { $0 != "," && $0 != "\n" && $0 != "\r" })
            return withBytes(field + ",") { OHLCVScan.byteDecimal(at: $0)?.length == field.utf8.count } ? field : nil
        }.filter { $0.utf8.count <= 8 && $0.allSatisfy { $0.isNumber || $0 == "." } }
        var matched = 0
        for _ in 0..<50_000 {
            let model = plain[Int(random.next() % UInt64(plain.count))], other = plain[Int(random.next() % UInt64(plain.count))]
            let shape = withBytes(model) { OHLCVNumberShape(of: $0, length: model.utf8.count) }
            // As the parser does: the layout's bytes, then the delimiter after them.
            let read = withBytes(other + ",") { start in
                shape.read(start).flatMap { value in start[shape.length] == UInt8(ascii: ",") ? value : nil }
            }
            let sameLayout = model.utf8.count == other.utf8.count && model.firstIndex(of: ".").map { model.distance(from: model.startIndex, to: $0) }
                == other.firstIndex(of: ".").map { other.distance(from: other.startIndex, to: $0) }
            XCTAssertEqual(read != nil, sameLayout, "\(model) \(other)")
            if let read {
                matched += 1
                let exact = withBytes(other + ",") { OHLCVScan.byteDecimal(at: $0)!.value }
                XCTAssertEqual(read.bitPattern, exact.bitPattern, other)
            }
        }
        XCTAssertGreaterThan(matched, 1_000)
    }

    // MARK: - The generator

    func testSeriesIsDeterministicAndStreamsToCSV() throws {
        let a = scratch.appendingPathComponent("a.csv").path
        let b = scratch.appendingPathComponent("b.csv").path
        let c = scratch.appendingPathComponent("c.csv").path
        let written = try SyntheticSeries(barCount: 1000, seed: 11).writeCSV(to: a)
        try SyntheticSeries(barCount: 1000, seed: 11).writeCSV(to: b)
        try SyntheticSeries(barCount: 1000, seed: 12).writeCSV(to: c)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: a)), try Data(contentsOf: URL(fileURLWithPath: b)))
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: a)), try Data(contentsOf: URL(fileURLWithPath: c)))
        XCTAssertEqual(written, SyntheticSeries.Written(rows: 1000, sessions: 3, firstNanoseconds: utc("2024-01-02T14:30:00Z"),
                                                        lastNanoseconds: utc("2024-01-04T18:09:00Z")))
        let text = try String(contentsOfFile: a, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("Date,Time,Open,High,Low,Close,Volume\n2024-01-02,14:30:00,50.00,"), String(text.prefix(80)))

        // The file reads back as the same bars (prices are whole cents, volumes whole shares).
        let read = try OHLCVReader.readAll(path: a, options: OHLCVReadOptions(symbol: "SYNTH"))
        XCTAssertEqual(read, Array(SyntheticSeries(barCount: 1000, seed: 11)))
    }

    func testSeriesShape() throws {
        // Starts on a Friday: the next session is the Monday.
        let series = SyntheticSeries(barCount: 390 * 20 + 100, seed: 3,
                                     firstDayNanoseconds: UTCTimestamp.nanoseconds(year: 2024, month: 1, day: 5))
        let bars = Array(series)
        XCTAssertEqual(bars.count, 7900)
        XCTAssertEqual(series.sessionCount, 21)
        let byDay = Dictionary(grouping: bars) { $0.startNanoseconds / 86_400_000_000_000 }
        XCTAssertEqual(byDay.count, 21)
        XCTAssertEqual(byDay.values.map(\.count).sorted(), [100] + Array(repeating: 390, count: 20))
        for (day, session) in byDay {
            let weekday = ((day % 7) + 4) % 7
            XCTAssertTrue((1...5).contains(weekday), "day \(day) is a weekend day")
            XCTAssertEqual(iso(session[0].startNanoseconds).suffix(9), "14:30:00Z")
            if session.count == 390 { XCTAssertEqual(iso(session[389].startNanoseconds).suffix(9), "20:59:00Z") }
        }
        XCTAssertEqual(iso(bars[390].startNanoseconds), "2024-01-08T14:30:00Z")
        // Strictly increasing, valid bars that the reader would accept.
        for (previous, bar) in zip(bars, bars.dropFirst()) { XCTAssertLessThan(previous.startNanoseconds, bar.startNanoseconds) }
        XCTAssertTrue(bars.allSatisfy { $0.low > 0 && $0.low <= min($0.open, $0.close) && $0.high >= max($0.open, $0.close) && $0.volume >= 0 })
        // Volume is U-shaped: the first and last half hours trade more than midday.
        let full = byDay.values.filter { $0.count == 390 }
        func volume(_ minutes: Range<Int>) -> Double { full.map { $0[minutes].map(\.volume).reduce(0, +) }.reduce(0, +) }
        XCTAssertGreaterThan(volume(0..<30), 2 * volume(180..<210))
        XCTAssertGreaterThan(volume(360..<390), 2 * volume(180..<210))
        // Each session opens near the previous close (an overnight gap, not a jump).
        let sessions = byDay.keys.sorted().map { byDay[$0]! }
        for (before, after) in zip(sessions, sessions.dropFirst()) {
            XCTAssertLessThan(abs(after[0].open / before.last!.close - 1), 0.05)
        }
    }

    /// The first session is SyntheticMarket's day with the same seed, so the demo's day is
    /// the first day of the default series.
    func testFirstSessionIsTheSyntheticMarketDay() {
        let day = SyntheticMarket(symbol: "SYNTH", seed: 42, startPrice: 80).bars()
        XCTAssertEqual(Array(SyntheticSeries(barCount: 390, symbol: "SYNTH", seed: 42, startPrice: 80)), day)
    }

    // MARK: - tbot data

    func testDataCheckCommand() throws {
        let folder = try OperatorFolder()
        let cli = CLIRunner(folder: folder)
        let bad = try write("bad.csv", header + good + "2024-01-02,14:31,10,11,9,10,-5\n")
        let failed = try cli.run("data", "check", bad)
        XCTAssertEqual(failed.status, 2)
        XCTAssertEqual(failed.stderr, "\(bad):3: column 'Volume': negative volume: '-5'\n")
        XCTAssertEqual(failed.stdout, "")

        let skipped = try cli.run("data", "check", bad, "--skip-invalid")
        XCTAssertEqual(skipped.status, 0, skipped.stderr)
        XCTAssertTrue(skipped.stdout.contains("rows      1\n"), skipped.stdout)
        XCTAssertTrue(skipped.stdout.contains("skipped   1\n  \(bad):3: column 'Volume': negative volume: '-5'\n"), skipped.stdout)

        let spy = try cli.run("data", "check", try shared("spy-2013-10-04_2013-10-11-min-001.csv"), "--tz", "America/New_York")
        XCTAssertEqual(spy.status, 0, spy.stderr)
        for line in ["symbol    SPY", "rows      4839", "first     2013-10-04T08:06:00Z", "last      2013-10-11T23:59:00Z",
                     "interval  60 s (inferred)", "skipped   0"] {
            XCTAssertTrue(spy.stdout.contains(line + "\n"), "\(line) missing from:\n\(spy.stdout)")
        }

        let out = scratch.appendingPathComponent("synth.csv").path
        let generated = try cli.run("data", "generate", "--bars", "800", "--seed", "5", "--out", out)
        XCTAssertEqual(generated.status, 0, generated.stderr)
        XCTAssertEqual(generated.stdout, "wrote 800 bars of SYNTH (seed 5, 3 sessions) to \(out): 2024-01-02T14:30:00Z .. 2024-01-04T14:49:00Z\n")
        let checked = try cli.run("data", "check", out)
        XCTAssertTrue(checked.stdout.contains("symbol    SYNTH\n") && checked.stdout.contains("rows      800\n"), checked.stdout)
    }
}

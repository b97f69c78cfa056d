import Foundation
import XCTest
@testable import TBotCore

final class RiskDataTests: XCTestCase {
    // MARK: - SectorMap

    func testSectorMapParsesCommentsBlankLinesAndSpaces() throws {
        let text = "\u{FEFF}# sectors for the risk engine\r\n"
            + "\n"
            + "  Symbol , SECTOR  \r\n"
            + "aapl, Information Technology\n"
            + "   # indented comment\n"
            + "BRK.B ,Financials\n"
            + "\t\n"
            + " bf/b,Consumer Staples \n"
            + "SPY-X,ETF\n"
        let map = try SectorMap.parse(text: text, file: "sectors.csv")
        XCTAssertEqual(map.count, 4)
        XCTAssertEqual(map.sector(of: "AAPL"), "Information Technology")
        XCTAssertEqual(map.sector(of: "aapl"), "Information Technology")
        XCTAssertEqual(map.sector(of: "BRK.B"), "Financials")
        XCTAssertEqual(map.sector(of: "BF/B"), "Consumer Staples")
        XCTAssertEqual(map.sector(of: "SPY-X"), "ETF")
        XCTAssertNil(map.sector(of: "MSFT"))
        XCTAssertEqual(map, SectorMap(["AAPL": "Information Technology", "BRK.B": "Financials",
                                       "BF/B": "Consumer Staples", "SPY-X": "ETF"]))
    }

    func testSectorMapHeaderOnlyIsAnEmptyMap() throws {
        let map = try SectorMap.parse(text: "# none yet\nsymbol,sector\n", file: "s.csv")
        XCTAssertEqual(map, SectorMap.empty)
        XCTAssertEqual(map.count, 0)
    }

    func testSectorMapLimitsAreInclusive() throws {
        let symbol = String(repeating: "A", count: 31)
        let sector = String(repeating: "s", count: 64)
        let map = try SectorMap.parse(text: "symbol,sector\n\(symbol),\(sector)\n", file: "s.csv")
        XCTAssertEqual(map.sector(of: symbol), sector)
    }

    private func parseError(_ text: String, file: String = "sectors.csv") -> SectorMapError? {
        do {
            _ = try SectorMap.parse(text: text, file: file)
            XCTFail("parsed without an error: \(text)")
            return nil
        } catch let error as SectorMapError {
            return error
        } catch {
            XCTFail("unexpected error type: \(error)")
            return nil
        }
    }

    func testSectorMapEmptyFile() {
        for text in ["", "\n\n  \n", "# only\n# comments\n"] {
            let error = parseError(text)
            XCTAssertEqual(error, SectorMapError(file: "sectors.csv", line: nil,
                                                 message: "the file is empty; expected the header symbol,sector"))
            XCTAssertEqual(error?.description, "sectors.csv: the file is empty; expected the header symbol,sector")
        }
    }

    func testSectorMapWrongHeader() {
        let missing = parseError("# map\n\nAAPL,Information Technology\n")
        XCTAssertEqual(missing?.line, 3)
        XCTAssertEqual(missing?.message, "expected the header symbol,sector, found \"AAPL,Information Technology\"")
        XCTAssertEqual(missing?.description,
                       "sectors.csv:3: expected the header symbol,sector, found \"AAPL,Information Technology\"")

        let reversed = parseError("sector,symbol\n")
        XCTAssertEqual(reversed, SectorMapError(file: "sectors.csv", line: 1,
                                                message: "expected the header symbol,sector, found \"sector,symbol\""))

        let extra = parseError("symbol,sector,weight\n")
        XCTAssertEqual(extra?.message, "expected the header symbol,sector, found \"symbol,sector,weight\"")
    }

    func testSectorMapWrongFieldCount() {
        let one = parseError("symbol,sector\nAAPL\n")
        XCTAssertEqual(one, SectorMapError(file: "sectors.csv", line: 2, message: "expected 2 fields (symbol,sector), found 1"))
        XCTAssertEqual(one?.description, "sectors.csv:2: expected 2 fields (symbol,sector), found 1")

        let three = parseError("symbol,sector\nAAPL,Tech\nMSFT,Tech,Software\n")
        XCTAssertEqual(three, SectorMapError(file: "sectors.csv", line: 3, message: "expected 2 fields (symbol,sector), found 3"))

        // An empty middle field still counts.
        let blankMiddle = parseError("symbol,sector\nA,,B\n")
        XCTAssertEqual(blankMiddle?.message, "expected 2 fields (symbol,sector), found 3")
    }

    func testSectorMapBadSymbol() {
        let suffix = " is not valid (1 to 31 of A-Z, 0-9, '.', '/', '-')"
        let cases: [(line: String, raw: String)] = [
            ("aa pl,Tech", "aa pl"),
            ("AAPL$,Tech", "AAPL$"),
            (",Tech", ""),
            (String(repeating: "B", count: 32) + ",Tech", String(repeating: "B", count: 32)),
            ("stra\u{DF}e,Tech", "stra\u{DF}e"),  // upper-cases to ASCII "STRASSE" but is not ASCII
        ]
        for item in cases {
            let error = parseError("symbol,sector\n# c\n\(item.line)\n")
            XCTAssertEqual(error, SectorMapError(file: "sectors.csv", line: 3, message: "symbol \"\(item.raw)\"" + suffix),
                           item.line)
        }
        XCTAssertEqual(parseError("symbol,sector\nx_y,Tech\n")?.description,
                       "sectors.csv:2: symbol \"x_y\" is not valid (1 to 31 of A-Z, 0-9, '.', '/', '-')")
    }

    func testSectorMapEmptySector() {
        let error = parseError("symbol,sector\naapl,   \n")
        XCTAssertEqual(error, SectorMapError(file: "sectors.csv", line: 2, message: "symbol AAPL has an empty sector"))
        XCTAssertEqual(error?.description, "sectors.csv:2: symbol AAPL has an empty sector")
    }

    func testSectorMapSectorTooLong() {
        let error = parseError("symbol,sector\n\nmsft," + String(repeating: "x", count: 65) + "\n")
        XCTAssertEqual(error, SectorMapError(file: "sectors.csv", line: 3,
                                             message: "sector of MSFT is longer than 64 characters"))
    }

    func testSectorMapDuplicateSymbol() {
        // Same sector and a different case still count as the same symbol listed twice.
        let error = parseError("symbol,sector\nAAPL,Tech\nMSFT,Tech\n\naapl,Tech\n")
        XCTAssertEqual(error, SectorMapError(file: "sectors.csv", line: 5, message: "symbol AAPL is listed twice (first on line 2)"))
        XCTAssertEqual(error?.description, "sectors.csv:5: symbol AAPL is listed twice (first on line 2)")
    }

    func testSectorMapLoadsARealFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tbot-sectors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sectors.csv").path
        try "symbol,sector\nXOM,Energy\nJPM,Financials\n".write(toFile: path, atomically: true, encoding: .utf8)

        let map = try SectorMap.load(path: path)
        XCTAssertEqual(map, SectorMap(["XOM": "Energy", "JPM": "Financials"]))

        // Errors name the real path.
        let bad = folder.appendingPathComponent("bad.csv").path
        try "symbol,sector\nXOM,Energy\nXOM,Energy\n".write(toFile: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try SectorMap.load(path: bad)) { error in
            XCTAssertEqual(error as? SectorMapError,
                           SectorMapError(file: bad, line: 3, message: "symbol XOM is listed twice (first on line 2)"))
        }
    }

    func testSectorMapLoadOfAMissingPath() {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tbot-missing-\(UUID().uuidString).csv").path
        XCTAssertThrowsError(try SectorMap.load(path: path)) { error in
            guard let error = error as? SectorMapError else { return XCTFail("unexpected error type: \(error)") }
            XCTAssertEqual(error, SectorMapError(file: path, line: nil, message: "cannot read the sector map: no such file"))
            XCTAssertEqual(error.description, "\(path): cannot read the sector map: no such file")
        }
    }

    // MARK: - PriceHistory

    private static let day = PriceHistory.nanosecondsPerDay
    private static let hour: Int64 = 3_600_000_000_000

    /// A one-minute bar of `symbol` on UTC day `day` at `hour` hours past midnight.
    private func bar(_ symbol: String, day: Int64, hour: Int64, close: Double, volume: Double) -> Bar {
        Bar(symbol: symbol, startNanoseconds: day * Self.day + hour * Self.hour, intervalSeconds: 60,
            open: close, high: close, low: close, close: close, volume: volume)
    }

    /// One bar per day with the given closes, on days start, start+1, ...
    private func feed(_ history: inout PriceHistory, _ symbol: String, closes: [Double], start: Int64 = 20_000) {
        for (offset, close) in closes.enumerated() {
            history.observe(bar(symbol, day: start + Int64(offset), hour: 15, close: close, volume: 1_000))
        }
    }

    func testDailyCloseAndVolumeFromIntradayBars() {
        var history = PriceHistory()
        // Day 20000: three bars; day 20001: two bars; day 20003 (after a gap): one bar.
        history.observe(bar("SPY", day: 20_000, hour: 14, close: 100.0, volume: 1_000))
        history.observe(bar("SPY", day: 20_000, hour: 15, close: 101.5, volume: 2_500))
        history.observe(bar("SPY", day: 20_000, hour: 20, close: 102.0, volume: 500))
        history.observe(bar("QQQ", day: 20_000, hour: 15, close: 50.0, volume: 7))
        history.observe(bar("SPY", day: 20_001, hour: 0, close: 99.0, volume: 300))
        history.observe(bar("SPY", day: 20_001, hour: 23, close: 104.04, volume: 700))
        history.observe(bar("SPY", day: 20_003, hour: 14, close: 103.0, volume: 9_000))
        // An earlier day after a later one is stale and ignored.
        history.observe(bar("SPY", day: 20_002, hour: 14, close: 1.0, volume: 1_000_000))

        XCTAssertEqual(history.dailyCloses("SPY").map(\.day), [20_000, 20_001, 20_003])
        XCTAssertEqual(history.dailyCloses("SPY").map(\.close), [102.0, 104.04, 103.0])
        XCTAssertEqual(history.dailyVolumes("SPY").map(\.volume), [4_000, 1_000, 9_000])
        XCTAssertEqual(history.dailyVolumes("QQQ").map(\.volume), [7])
        XCTAssertEqual(history.storedDays("SPY"), 3)
        XCTAssertEqual(history.storedDays("NONE"), 0)

        let returns = history.dailyReturns("SPY", before: 20_004)
        XCTAssertEqual(returns.map(\.day), [20_001, 20_003])
        XCTAssertEqual(returns[0].value, 104.04 / 102.0 - 1, accuracy: 1e-15)
        XCTAssertEqual(returns[0].value, 0.02, accuracy: 1e-12)
        XCTAssertEqual(returns[1].value, 103.0 / 104.04 - 1, accuracy: 1e-15)
        // Strictly before: the current day's close is not used.
        XCTAssertEqual(history.dailyReturns("SPY", before: 20_003).map(\.day), [20_001])
        XCTAssertTrue(history.dailyReturns("SPY", before: 20_001).isEmpty)
        XCTAssertTrue(history.dailyReturns("NONE", before: 30_000).isEmpty)
    }

    func testAverageDailyVolumeExcludesTheCurrentDayAndRespectsDays() {
        var history = PriceHistory()
        // Daily totals 100, 200, ..., 1000 on days 20000...20009, each from two bars.
        for index in 0..<10 {
            let total = Double(index + 1) * 100
            history.observe(bar("IBM", day: 20_000 + Int64(index), hour: 14, close: 10, volume: total * 0.25))
            history.observe(bar("IBM", day: 20_000 + Int64(index), hour: 19, close: 10, volume: total * 0.75))
        }
        // Before day 20009: the last 3 completed days are 20006...20008 -> (700 + 800 + 900) / 3.
        XCTAssertEqual(history.averageDailyVolume("IBM", days: 3, before: 20_009), 800)
        // Default 20 days: only 9 completed days exist before 20009 -> (100 + ... + 900) / 9.
        XCTAssertEqual(history.averageDailyVolume("IBM", before: 20_009), 500)
        // Querying a later day includes day 20009 as completed.
        XCTAssertEqual(history.averageDailyVolume("IBM", days: 2, before: 20_010), 950)
        XCTAssertEqual(history.averageDailyVolume("IBM", days: 1, before: 20_001), 100)
        XCTAssertNil(history.averageDailyVolume("IBM", days: 5, before: 20_000))
        XCTAssertNil(history.averageDailyVolume("IBM", days: 0, before: 20_009))
        XCTAssertNil(history.averageDailyVolume("NONE", before: 20_009))
    }

    func testMemoryStaysBoundedToMaxDays() {
        var history = PriceHistory(maxDays: 30)
        XCTAssertEqual(history.maxDays, 30)
        // 200 days, daily volume equal to the day's offset (0...199), several bars per day.
        for offset in 0..<200 {
            for hour in [14, 16, 18] as [Int64] {
                history.observe(bar("AMD", day: 20_000 + Int64(offset), hour: hour, close: 10, volume: Double(offset) / 3))
            }
        }
        XCTAssertEqual(history.storedDays("AMD"), 30)
        XCTAssertEqual(history.dailyCloses("AMD").first?.day, 20_170)
        XCTAssertEqual(history.dailyCloses("AMD").last?.day, 20_199)
        // Asking for 1000 days averages only the 29 kept completed days before 20199: 170...198 -> 184.
        XCTAssertEqual(history.averageDailyVolume("AMD", days: 1_000, before: 20_199)!, 184, accuracy: 1e-9)
        XCTAssertEqual(history.dailyReturns("AMD", before: 30_000).count, 29)

        // The default keeps 60.
        var defaults = PriceHistory()
        feed(&defaults, "AMD", closes: Array(repeating: 10, count: 200))
        XCTAssertEqual(defaults.storedDays("AMD"), 60)
        XCTAssertEqual(PriceHistory(maxDays: 0).maxDays, 1)
    }

    func testCorrelationOfASeriesWithItselfAndItsNegation() {
        let values: [Double] = [0.012, -0.004, 0.0071, -0.0193, 0.0005, 0.0222, -0.0101, 0.003]
        let series = values.enumerated().map { (day: Int64(100 + $0.offset), value: $0.element) }
        let negated = series.map { (day: $0.day, value: -$0.value) }
        XCTAssertEqual(PriceHistory.correlation(series, series, lookback: 30, minimumSamples: 5)!, 1, accuracy: 1e-12)
        XCTAssertEqual(PriceHistory.correlation(series, negated, lookback: 30, minimumSamples: 5)!, -1, accuracy: 1e-12)
        // Scaling and shifting do not change it.
        let affine = series.map { (day: $0.day, value: 3 * $0.value + 0.5) }
        XCTAssertEqual(PriceHistory.correlation(series, affine, lookback: 30, minimumSamples: 5)!, 1, accuracy: 1e-12)
    }

    func testCorrelationHandComputedExample() {
        // x = [1,2,3,4,5], y = [2,1,4,3,5]: means 3 and 3; centered x = [-2,-1,0,1,2], y = [-1,-2,1,0,2];
        // sxy = 2 + 2 + 0 + 0 + 4 = 8, sxx = syy = 10, so r = 8 / 10 = 0.8.
        let x = zip(Int64(1)..., [1.0, 2, 3, 4, 5]).map { (day: $0.0, value: $0.1) }
        let y = zip(Int64(1)..., [2.0, 1, 4, 3, 5]).map { (day: $0.0, value: $0.1) }
        XCTAssertEqual(PriceHistory.correlation(x, y, lookback: 5, minimumSamples: 5)!, 0.8, accuracy: 1e-12)
        XCTAssertEqual(PriceHistory.correlation(y, x, lookback: 5, minimumSamples: 5)!, 0.8, accuracy: 1e-12)

        // Only common days count, in any input order: extra days on either side change nothing.
        let xWithExtra = [(day: Int64(0), value: 100.0)] + x.reversed() + [(day: Int64(9), value: -7.0)]
        let yWithExtra = y + [(day: Int64(7), value: 42.0)]
        XCTAssertEqual(PriceHistory.correlation(xWithExtra, yWithExtra, lookback: 50, minimumSamples: 5)!, 0.8, accuracy: 1e-12)
    }

    func testCorrelationNilUnderMinimumSamplesAndForZeroVariance() {
        let x = zip(Int64(1)..., [1.0, 2, 3, 4, 5]).map { (day: $0.0, value: $0.1) }
        let y = zip(Int64(1)..., [2.0, 1, 4, 3, 5]).map { (day: $0.0, value: $0.1) }
        XCTAssertNil(PriceHistory.correlation(x, y, lookback: 5, minimumSamples: 6))
        // The lookback caps the samples below the minimum.
        XCTAssertNil(PriceHistory.correlation(x, y, lookback: 4, minimumSamples: 5))
        // Only 3 days in common.
        let shifted = y.map { (day: $0.day + 2, value: $0.value) }
        XCTAssertNil(PriceHistory.correlation(x, shifted, lookback: 5, minimumSamples: 4))
        XCTAssertNotNil(PriceHistory.correlation(x, shifted, lookback: 5, minimumSamples: 3))
        // A single sample has no correlation whatever the minimum says.
        XCTAssertNil(PriceHistory.correlation(Array(x.prefix(1)), y, lookback: 5, minimumSamples: 0))
        XCTAssertNil(PriceHistory.correlation([], [], lookback: 5, minimumSamples: 0))
        XCTAssertNil(PriceHistory.correlation(x, y, lookback: 0, minimumSamples: 0))

        // 0.1 is not exact in binary, so a computed mean could differ from it by rounding.
        let flat = x.map { (day: $0.day, value: 0.1) }
        XCTAssertNil(PriceHistory.correlation(x, flat, lookback: 5, minimumSamples: 2))
        XCTAssertNil(PriceHistory.correlation(flat, y, lookback: 5, minimumSamples: 2))
        // Flat only in the window the lookback keeps.
        let flatTail = zip(Int64(1)..., [9.0, 0.3, 0.3, 0.3]).map { (day: $0.0, value: $0.1) }
        XCTAssertNil(PriceHistory.correlation(x, flatTail, lookback: 3, minimumSamples: 2))
        XCTAssertNotNil(PriceHistory.correlation(x, flatTail, lookback: 4, minimumSamples: 2))
    }

    func testCorrelationLookbackUsesTheMostRecentCommonDays() {
        // Days 1...4 move together, days 5...9 move exactly opposite.
        let x = zip(Int64(1)..., [1.0, 2, 3, 4, 1, 2, 3, 4, 5]).map { (day: $0.0, value: $0.1) }
        let y = zip(Int64(1)..., [1.0, 2, 3, 4, 5, 4, 3, 2, 1]).map { (day: $0.0, value: $0.1) }
        XCTAssertEqual(PriceHistory.correlation(x, y, lookback: 5, minimumSamples: 5)!, -1, accuracy: 1e-12)
        XCTAssertEqual(PriceHistory.correlation(Array(x.prefix(4)), Array(y.prefix(4)), lookback: 5, minimumSamples: 3)!,
                       1, accuracy: 1e-12)
        // Day 9 missing from y: the 5 most recent common days are 4...8 -> x = [4,1,2,3,4], y = [4,5,4,3,2].
        // Means 2.8 and 3.6; centered x = [1.2,-1.8,-0.8,0.2,1.2], y = [0.4,1.4,0.4,-0.6,-1.6];
        // sxy = 0.48 - 2.52 - 0.32 - 0.12 - 1.92 = -4.4, sxx = 6.8, syy = 5.2.
        let yWithoutLast = Array(y.dropLast())
        XCTAssertEqual(PriceHistory.correlation(x, yWithoutLast, lookback: 5, minimumSamples: 5)!,
                       -4.4 / (6.8 * 5.2).squareRoot(), accuracy: 1e-12)
    }

    func testReturnCorrelationFromBars() {
        var history = PriceHistory()
        // B's closes mirror A's returns: r_B = -r_A on every day, so the correlation is -1.
        let returnsA = [0.01, -0.02, 0.015, 0.003, -0.007, 0.012]
        var closeA = 100.0, closeB = 50.0
        var closesA = [closeA], closesB = [closeB]
        for r in returnsA {
            closeA *= 1 + r; closeB *= 1 - r
            closesA.append(closeA); closesB.append(closeB)
        }
        feed(&history, "AAA", closes: closesA)
        feed(&history, "BBB", closes: closesB)
        // A third symbol whose returns equal A's.
        feed(&history, "CCC", closes: closesA.map { $0 * 2 })
        let end: Int64 = 20_000 + Int64(closesA.count)
        XCTAssertEqual(history.returnCorrelation("AAA", "BBB", lookback: 30, minimumSamples: 5, before: end)!, -1, accuracy: 1e-12)
        XCTAssertEqual(history.returnCorrelation("AAA", "CCC", lookback: 30, minimumSamples: 5, before: end)!, 1, accuracy: 1e-12)
        // Before the last day only 5 returns exist.
        XCTAssertNil(history.returnCorrelation("AAA", "BBB", lookback: 30, minimumSamples: 6, before: end - 1))
        XCTAssertNil(history.returnCorrelation("AAA", "NONE", lookback: 30, minimumSamples: 2, before: end))
    }

    // MARK: - Real data

    /// ../shared/data next to the package root, where the shared real market data lives.
    private static func sharedDataFolder() throws -> URL {
        URL(fileURLWithPath: try TestPaths.sourceRoot).deletingLastPathComponent()
            .appendingPathComponent("shared").appendingPathComponent("data")
    }

    /// Yahoo-layout daily rows (`Date,Open,High,Low,Close,Adj Close,Volume`) as (date, close, volume).
    private static func readYahooDaily(_ url: URL) throws -> [(date: String, close: Double, volume: Double)] {
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline)
        guard lines.first?.hasPrefix("Date,Open,High,Low,Close,Adj Close,Volume") == true else {
            throw TestSupportError("\(url.path): unexpected header \(lines.first ?? "")")
        }
        return try lines.dropFirst().map { line in
            let fields = line.split(separator: ",").map(String.init)
            guard fields.count == 7, let close = Double(fields[4]), let volume = Double(fields[6]) else {
                throw TestSupportError("\(url.path): bad row \(line)")
            }
            return (date: fields[0], close: close, volume: volume)
        }
    }

    /// Days since 1970-01-01 of a yyyy-MM-dd date, through Foundation's calendar.
    private static func dayIndex(_ date: String) throws -> Int64 {
        let parts = date.split(separator: "-").compactMap { Int($0) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard parts.count == 3, let when = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])) else {
            throw TestSupportError("bad date \(date)")
        }
        return Int64((when.timeIntervalSince1970 / 86_400).rounded())
    }

    func testReturnCorrelationOnRealDailyFiles() throws {
        let folder = try Self.sharedDataFolder()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw XCTSkip("\(folder.path) is absent")
        }
        let orcl = try Self.readYahooDaily(folder.appendingPathComponent("orcl-1995-2014.txt"))
        let nvda = try Self.readYahooDaily(folder.appendingPathComponent("nvda-1999-2014.txt"))
        XCTAssertEqual(orcl.count, 5036)
        XCTAssertEqual(nvda.count, 4012)

        // Feed both files as daily bars, interleaved by date as a live feed would deliver them.
        var history = PriceHistory(maxDays: 60)
        var bars: [Bar] = []
        for (symbol, rows) in [("ORCL", orcl), ("NVDA", nvda)] {
            for row in rows {
                let start = try Self.dayIndex(row.date) * PriceHistory.nanosecondsPerDay + 14 * 3_600_000_000_000
                bars.append(Bar(symbol: symbol, startNanoseconds: start, intervalSeconds: 86_400,
                                open: row.close, high: row.close, low: row.close, close: row.close, volume: row.volume))
            }
        }
        for bar in bars.sorted(by: { $0.startNanoseconds < $1.startNanoseconds }) { history.observe(bar) }
        XCTAssertEqual(history.storedDays("ORCL"), 60)
        XCTAssertEqual(history.storedDays("NVDA"), 60)

        let lastDay = try Self.dayIndex("2014-12-31")
        let actual = try XCTUnwrap(history.returnCorrelation("ORCL", "NVDA", lookback: 30, minimumSamples: 20,
                                                             before: lastDay + 1))
        XCTAssertGreaterThanOrEqual(actual, -1)
        XCTAssertLessThanOrEqual(actual, 1)

        // Independent reference: returns keyed by date text from the full files, the last 30 common
        // dates, and the textbook one-pass formula n*Sxy - Sx*Sy over the root of the variance terms.
        func returns(_ rows: [(date: String, close: Double, volume: Double)]) -> [String: Double] {
            var out: [String: Double] = [:]
            for index in 1..<rows.count { out[rows[index].date] = rows[index].close / rows[index - 1].close - 1 }
            return out
        }
        let returnsO = returns(orcl), returnsN = returns(nvda)
        let common = returnsO.keys.filter { returnsN[$0] != nil }.sorted().suffix(30)
        XCTAssertEqual(common.count, 30)
        XCTAssertEqual(common.last, "2014-12-31")
        let xs = common.map { returnsO[$0]! }, ys = common.map { returnsN[$0]! }
        let n = Double(xs.count)
        let sx = xs.reduce(0, +), sy = ys.reduce(0, +)
        let sxx = zip(xs, xs).map(*).reduce(0, +), syy = zip(ys, ys).map(*).reduce(0, +), sxy = zip(xs, ys).map(*).reduce(0, +)
        let expected = (n * sxy - sx * sy) / ((n * sxx - sx * sx) * (n * syy - sy * sy)).squareRoot()
        XCTAssertEqual(actual, expected, accuracy: 1e-9)

        // ADV over the real volumes: the last 20 ORCL sessions before 2014-12-31.
        let expectedADV = orcl.dropLast().suffix(20).map(\.volume).reduce(0, +) / 20
        XCTAssertEqual(history.averageDailyVolume("ORCL", before: lastDay)!, expectedADV, accuracy: 1e-6)
    }
}

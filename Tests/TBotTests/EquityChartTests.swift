import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import TBotCore

/// The SVG equity chart: well-formed XML, the figures and ticks it shows, and its edge cases.
final class EquityChartTests: XCTestCase {
    // MARK: Helpers

    /// One parsed element: its name, attributes, direct text and the classes of its ancestors.
    struct Element {
        let name: String
        let attributes: [String: String]
        var text: String
        let ancestorClasses: [String]
        var cls: String? { attributes["class"] }
    }

    final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        private var open: [Int] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            let classes = open.compactMap { elements[$0].cls }
            elements.append(Element(name: elementName, attributes: attributeDict, text: "", ancestorClasses: classes))
            open.append(elements.count - 1)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            open.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let last = open.last { elements[last].text += string }
        }
    }

    /// Parses the document (failing the test when it is not well-formed) and returns its elements.
    func parse(_ svg: String, file: StaticString = #filePath, line: UInt = #line) -> [Element] {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        let ok = parser.parse()
        XCTAssertTrue(ok, "not well-formed XML: \(String(describing: parser.parserError))", file: file, line: line)
        XCTAssertEqual(collector.elements.first?.name, "svg", file: file, line: line)
        return collector.elements
    }

    func texts(_ elements: [Element], inGroup group: String) -> [String] {
        elements.filter { $0.name == "text" && $0.ancestorClasses.contains(group) }.map(\.text)
    }

    func title(_ elements: [Element]) -> String? {
        elements.first { $0.name == "text" && $0.cls == "title" }?.text
    }

    /// "YYYY-MM-DD" of `offset` days after 1970-01-01 (UTC).
    static func day(_ offset: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date(timeIntervalSince1970: Double(offset) * 86_400))
    }

    static func dayNumber(_ text: String) -> Int { EquityChart.parseDay(text)!.number }

    /// `count` weekdays from `start` (which is itself used when it is a weekday).
    static func weekdays(from start: String, count: Int) -> [String] {
        var days: [String] = []
        var n = dayNumber(start)
        while days.count < count {
            let weekday = (n + 4) % 7  // 0 = Sunday; 1970-01-01 was a Thursday
            if weekday != 0 && weekday != 6 { days.append(day(n)) }
            n += 1
        }
        return days
    }

    static func points(_ days: [String], _ values: [String]) -> [EquityChart.Point] {
        zip(days, values).map { EquityChart.Point(day: $0, equity: Decimal(string: $1)!) }
    }

    /// A deterministic random walk around 10,000.
    static func walk(_ days: [String]) -> [EquityChart.Point] {
        var state: UInt64 = 42
        var value = 10_000.0
        return days.map { day in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let step = Double(state >> 33) / Double(1 << 31) - 0.5  // -0.5 ..< 0.5
            value *= 1 + step * 0.03
            let cents = (value * 100).rounded()
            return EquityChart.Point(day: day, equity: Decimal(Int(cents)) / 100)
        }
    }

    static let numericAttributes: Set<String> = ["x", "y", "x1", "y1", "x2", "y2", "width", "height"]

    /// Every coordinate is a finite number with at most 2 decimals and never "-0".
    func assertCoordinatesClean(_ svg: String, file: StaticString = #filePath, line: UInt = #line) {
        let lowered = svg.lowercased()
        XCTAssertFalse(lowered.contains("nan"), file: file, line: line)
        XCTAssertFalse(lowered.contains("inf"), file: file, line: line)
        var tokens: [String] = []
        for element in parse(svg, file: file, line: line) {
            for (key, value) in element.attributes where Self.numericAttributes.contains(key) { tokens.append(value) }
            if let d = element.attributes["d"] {
                tokens += d.split(whereSeparator: { $0 == " " || $0.isLetter }).map(String.init)
            }
            if let box = element.attributes["viewBox"] { tokens += box.split(separator: " ").map(String.init) }
        }
        XCTAssertFalse(tokens.isEmpty, file: file, line: line)
        for token in tokens {
            guard let value = Double(token) else { XCTFail("not a number: '\(token)'", file: file, line: line); continue }
            XCTAssertTrue(value.isFinite, token, file: file, line: line)
            XCTAssertFalse(token == "-0" || token.hasPrefix("-0.") && value == 0, token, file: file, line: line)
            if let dot = token.firstIndex(of: ".") {
                let fraction = token[token.index(after: dot)...]
                XCTAssertTrue((1...2).contains(fraction.count), token, file: file, line: line)
                XCTAssertFalse(fraction.hasSuffix("0"), "untrimmed: \(token)", file: file, line: line)
            }
        }
    }

    // MARK: Figures

    func testKnownSeriesDrawdownFinalEquityAndDaysInTitle() {
        let points = Self.points(["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"], ["100", "120", "90", "130"])
        let svg = EquityChart(title: "SMA cross").svg(points)
        XCTAssertTrue(svg.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "))
        XCTAssertTrue(svg.hasSuffix("</svg>\n"))
        let elements = parse(svg)
        XCTAssertEqual(title(elements), "SMA cross | 2024-01-02 to 2024-01-05 | final equity 130.00 | max drawdown 25.00%")
        // Drawdown axis: 0 down to -25% in steps of 5.
        XCTAssertEqual(texts(elements, inGroup: "y-ticks-drawdown"), ["-25%", "-20%", "-15%", "-10%", "-5%", "0%"])
        // Four days: every day is labelled.
        XCTAssertEqual(texts(elements, inGroup: "x-ticks"), ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"])
        // Exactly one line path and one drawdown area, and the dashed start line.
        XCTAssertEqual(elements.filter { $0.name == "path" && $0.cls == "equity" }.count, 1)
        XCTAssertEqual(elements.filter { $0.name == "path" && $0.cls == "drawdown" }.count, 1)
        let baseline = elements.first { $0.cls == "baseline" }
        XCTAssertEqual(baseline?.attributes["stroke-dasharray"], "6 4")
        // Only plain SVG elements, sans-serif, a viewBox, no scripts or references.
        XCTAssertEqual(Set(elements.map(\.name)).subtracting(["svg", "g", "path", "line", "text", "rect"]), [])
        XCTAssertEqual(elements[0].attributes["viewBox"], "0 0 960 540")
        XCTAssertEqual(elements[0].attributes["font-family"], "sans-serif")
        XCTAssertFalse(svg.contains("href"))
        XCTAssertFalse(svg.contains("script"))
        XCTAssertFalse(svg.contains("url("))
        assertCoordinatesClean(svg)
    }

    func testDrawdownIsMeasuredFromTheRunningPeakWithTwoDecimals() {
        // Peak 150, trough 100: 33.333...% rounds to 33.33.
        let points = Self.points(["2024-02-01", "2024-02-02", "2024-02-05", "2024-02-06"], ["120", "150", "100", "149.995"])
        let text = title(parse(EquityChart(title: "").svg(points)))
        XCTAssertEqual(text, "2024-02-01 to 2024-02-06 | final equity 150.00 | max drawdown 33.33%")
    }

    // MARK: Ticks

    func testEquityTicksForARangeFrom9500To12300() {
        let ticks = EquityChart.niceTicks(lo: 9_500, hi: 12_300)
        XCTAssertEqual(ticks.values, [9_500, 10_000, 10_500, 11_000, 11_500, 12_000, 12_500])
        XCTAssertEqual(ticks.decimals, 0)

        let points = Self.points(["2024-03-01", "2024-03-04", "2024-03-05", "2024-03-06"], ["10000", "9500", "12300", "11000"])
        let elements = parse(EquityChart(title: "t").svg(points))
        XCTAssertEqual(texts(elements, inGroup: "y-ticks-equity"), ["9500", "10000", "10500", "11000", "11500", "12000", "12500"])
        // Worst drawdown 12300 -> 11000, -10.57%: steps of 2 down to -12.
        XCTAssertEqual(texts(elements, inGroup: "y-ticks-drawdown"), ["-12%", "-10%", "-8%", "-6%", "-4%", "-2%", "0%"])
    }

    func testNiceTicksAreFiveToSevenRoundSteps() {
        XCTAssertEqual(EquityChart.niceTicks(lo: 0, hi: 1).values, [0, 0.2, 0.4, 0.6, 0.8, 1])
        XCTAssertEqual(EquityChart.niceTicks(lo: 0, hi: 1).decimals, 1)
        XCTAssertEqual(EquityChart.niceTicks(lo: -1, hi: 0).values, [-1, -0.8, -0.6, -0.4, -0.2, 0])
        XCTAssertEqual(EquityChart.niceTicks(lo: 98.7, hi: 100.1).values, [98.5, 99, 99.5, 100, 100.5])
        XCTAssertEqual(EquityChart.niceTicks(lo: 98.7, hi: 100.1).decimals, 1)

        // Many ranges: always 5 to 7 ticks, evenly stepped by 1, 2, 2.5 or 5 x 10^n, covering the range.
        var state: UInt64 = 7
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        for _ in 0..<2_000 {
            let level = pow(10, next() * 12 - 3) * (next() < 0.2 ? -1 : 1)
            let lo = level, hi = level + abs(level) * pow(10, next() * 4 - 4) + 1e-6
            let ticks = EquityChart.niceTicks(lo: lo, hi: hi)
            XCTAssertTrue((5...7).contains(ticks.values.count), "\(lo) .. \(hi): \(ticks.values)")
            let step = ticks.values[1] - ticks.values[0]
            XCTAssertLessThanOrEqual(ticks.lo, lo + step * 1e-6)
            XCTAssertGreaterThanOrEqual(ticks.hi, hi - step * 1e-6)
            let exponent = (log10(step) + 1e-9).rounded(.down)
            let mantissa = (step / pow(10, exponent) * 10).rounded() / 10
            XCTAssertTrue([1, 2, 2.5, 5].contains(mantissa), "step \(step)")
        }
    }

    func testDateTicksByYearsMonthsAndDays() {
        let years = Self.walk(Self.weekdays(from: "2005-01-03", count: 5_000))
        XCTAssertEqual(EquityChart.dateTicks(years).map(\.label), ["2005", "2010", "2015", "2020"])

        let months = Self.walk(Self.weekdays(from: "2024-01-02", count: 130))
        XCTAssertEqual(months.last?.day, "2024-07-01")
        XCTAssertEqual(EquityChart.dateTicks(months).map(\.label),
                       ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2024-07"])

        // A year and a half from mid-month: every 3rd month, the first (partial) month unlabelled.
        let quarters = Self.walk(Self.weekdays(from: "2023-03-15", count: 390))
        XCTAssertEqual(EquityChart.dateTicks(quarters).map(\.label),
                       ["2023-04", "2023-07", "2023-10", "2024-01", "2024-04", "2024-07"])

        // Six weeks: no 3 month starts, so days, at most 8, evenly picked from the points.
        let weeks = Self.walk(Self.weekdays(from: "2024-04-08", count: 30))
        let dayTicks = EquityChart.dateTicks(weeks)
        XCTAssertEqual(dayTicks.map(\.index), [0, 4, 8, 12, 16, 20, 24, 28])
        XCTAssertEqual(dayTicks.map(\.label), [0, 4, 8, 12, 16, 20, 24, 28].map { weeks[$0].day })

        // Days that do not parse: labels are still taken from the points.
        let odd = Self.points(["a", "b", "c"], ["1", "2", "3"])
        XCTAssertEqual(EquityChart.dateTicks(odd).map(\.label), ["a", "b", "c"])
        assertCoordinatesClean(EquityChart(title: "odd").svg(odd))
    }

    // MARK: Determinism and size

    func testFiveThousandPointsRenderDeterministicallyAsOnePath() {
        let points = Self.walk(Self.weekdays(from: "2005-01-03", count: 5_000))
        let chart = EquityChart(title: "Long run")
        let first = chart.svg(points), second = chart.svg(points)
        XCTAssertEqual(first, second)
        XCTAssertEqual(Data(first.utf8), Data(EquityChart(title: "Long run").svg(points).utf8))
        XCTAssertLessThan(first.utf8.count, 150_000, "size \(first.utf8.count)")

        let elements = parse(first)
        XCTAssertLessThan(elements.count, 100)
        let paths = elements.filter { $0.name == "path" }
        XCTAssertEqual(paths.map(\.cls), ["equity", "drawdown"])
        let vertices = (paths[0].attributes["d"] ?? "").split(separator: " ").count / 2
        XCTAssertGreaterThan(vertices, 800)
        XCTAssertLessThanOrEqual(vertices, 2 * 832 + 2)
        XCTAssertEqual(texts(elements, inGroup: "x-ticks"), ["2005", "2010", "2015", "2020"])
        let ticks = texts(elements, inGroup: "y-ticks-equity")
        XCTAssertTrue((5...7).contains(ticks.count), "\(ticks)")
        XCTAssertTrue((5...7).contains(texts(elements, inGroup: "y-ticks-drawdown").count))
        assertCoordinatesClean(first)
    }

    // MARK: Edge cases

    func testEmptyInputSaysNoData() {
        let svg = EquityChart(title: "Nothing").svg([])
        let elements = parse(svg)
        XCTAssertTrue(svg.hasSuffix("</svg>\n"))
        XCTAssertEqual(elements.filter { $0.name == "text" }.map(\.text), ["Nothing", "no data"])
        XCTAssertFalse(elements.contains { $0.name == "path" })
        assertCoordinatesClean(svg)
    }

    func testFlatCurveIsPadded() {
        let days = Self.weekdays(from: "2024-05-01", count: 10)
        let points = Self.points(days, Array(repeating: "10000", count: 10))
        let svg = EquityChart(title: "Flat").svg(points)
        let elements = parse(svg)
        XCTAssertEqual(title(elements), "Flat | 2024-05-01 to 2024-05-14 | final equity 10000.00 | max drawdown 0.00%")
        // 10000 +- 5%, in steps of 200.
        XCTAssertEqual(texts(elements, inGroup: "y-ticks-equity"), ["9400", "9600", "9800", "10000", "10200", "10400", "10600"])
        // No drawdown: the axis still spans 1%.
        XCTAssertEqual(texts(elements, inGroup: "y-ticks-drawdown"), ["-1%", "-0.8%", "-0.6%", "-0.4%", "-0.2%", "0%"])
        assertCoordinatesClean(svg)

        // A flat curve at zero, and one at a fraction of a unit.
        assertCoordinatesClean(EquityChart(title: "zero").svg(Self.points(days, Array(repeating: "0", count: 10))))
        let small = parse(EquityChart(title: "small").svg(Self.points(days, Array(repeating: "0.5", count: 10))))
        // 0.5 +- 1 (the pad is at least one unit); steps below 1 get the decimals they need.
        XCTAssertEqual(texts(small, inGroup: "y-ticks-equity"), ["-0.5", "0", "0.5", "1", "1.5"])
    }

    func testSinglePoint() {
        let svg = EquityChart(title: "One").svg([EquityChart.Point(day: "2024-06-03", equity: Decimal(string: "1234.567")!)])
        let elements = parse(svg)
        XCTAssertEqual(title(elements), "One | 2024-06-03 | final equity 1234.57 | max drawdown 0.00%")
        XCTAssertEqual(texts(elements, inGroup: "x-ticks"), ["2024-06-03"])
        XCTAssertEqual(elements.filter { $0.cls == "equity-marker" }.count, 1)
        XCTAssertFalse(elements.contains { $0.name == "path" })
        assertCoordinatesClean(svg)
    }

    func testLossesBelowZeroAndOddSizesStayFinite() {
        let days = Self.weekdays(from: "2024-01-02", count: 6)
        for values in [["100", "50", "0", "-20", "10", "5"], ["0", "0", "10", "-10", "0", "0"], ["-5", "-3", "-8", "-1", "-2", "-4"]] {
            var chart = EquityChart(title: "edge")
            chart.width = 10
            chart.height = 10
            assertCoordinatesClean(chart.svg(Self.points(days, values)))
            assertCoordinatesClean(EquityChart(title: "edge").svg(Self.points(days, values)))
        }
        let text = title(parse(EquityChart(title: "").svg(Self.points(days, ["100", "50", "0", "-20", "10", "5"]))))
        XCTAssertEqual(text, "2024-01-02 to 2024-01-09 | final equity 5.00 | max drawdown 120.00%")
    }

    func testTitleIsEscaped() {
        let svg = EquityChart(title: "a <&> \"b\" 'c'").svg(Self.points(["2024-01-02"], ["1"]))
        XCTAssertTrue(svg.contains("a &lt;&amp;&gt; &quot;b&quot; &apos;c&apos; | 2024-01-02"))
        XCTAssertEqual(title(parse(svg)), "a <&> \"b\" 'c' | 2024-01-02 | final equity 1.00 | max drawdown 0.00%")
        // Characters XML cannot carry at all are replaced, so the document stays well-formed.
        let control = EquityChart(title: "x\u{1}y").svg([])
        XCTAssertEqual(title(parse(control)), "x\u{FFFD}y")
    }

    func testNumberFormatting() {
        XCTAssertEqual(EquityChart.num(-0.001), "0")
        XCTAssertEqual(EquityChart.num(-0.004), "0")
        XCTAssertEqual(EquityChart.num(12.5), "12.5")
        XCTAssertEqual(EquityChart.num(12.346), "12.35")
        XCTAssertEqual(EquityChart.num(-3.10), "-3.1")
        XCTAssertEqual(EquityChart.num(.nan), "0")
        XCTAssertEqual(EquityChart.num(.infinity), "0")
        XCTAssertEqual(EquityChart.fixed(Decimal(string: "-0.001")!, digits: 2), "0.00")
        XCTAssertEqual(EquityChart.fixed(Decimal(string: "1234.5")!, digits: 2), "1234.50")
        XCTAssertEqual(EquityChart.fixed(Decimal(string: "0.125")!, digits: 2), "0.13")
        XCTAssertEqual(EquityChart.fixed(Decimal(string: "-7")!, digits: 2), "-7.00")
    }
}

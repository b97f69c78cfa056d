import Foundation

/// A dependency-free SVG rendering of a backtest's equity curve (top panel, about 70% of the
/// height) and its drawdown below the running peak in percent (bottom panel, a filled area).
///
/// The output is plain SVG 1.1 (svg, g, path, line, text, rect) with a viewBox, no scripts and no
/// external references. Every number is formatted by hand (no locale, no NumberFormatter), so the
/// same points always give byte-identical text.
///
/// x positions follow the calendar days when every day parses as "YYYY-MM-DD" and the days never
/// go backwards (gaps such as weekends keep their width); otherwise the points are evenly spaced.
/// Long series are thinned per pixel column (the first and last point plus each column's lowest
/// and highest point, in order), so 5000 daily points still give two paths of a few thousand
/// vertices. The title's figures (final equity, maximum drawdown) use every point, in Decimal.
public struct EquityChart {
    public struct Point: Sendable, Equatable {
        /// "YYYY-MM-DD", UTC.
        public let day: String
        public let equity: Decimal

        public init(day: String, equity: Decimal) {
            self.day = day
            self.equity = equity
        }
    }

    public var title: String
    public var width = 960, height = 540

    public init(title: String) {
        self.title = title
    }

    /// The whole SVG document (UTF-8 text, ends with a newline). Deterministic: the same input
    /// gives byte-identical output.
    public func svg(_ points: [Point]) -> String {
        let points = points.filter { !$0.equity.isNaN }
        let layout = Layout(width: width, height: height)
        var out = Self.header(layout)
        guard !points.isEmpty else {
            out += "<text class=\"title\" x=\"\(Self.num(layout.width / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" fill=\"\(Color.text)\">\(Self.escape(title))</text>\n"
            out += "<text class=\"no-data\" x=\"\(Self.num(layout.width / 2))\" y=\"\(Self.num(layout.height / 2))\" text-anchor=\"middle\" font-size=\"14\" fill=\"\(Color.muted)\">no data</text>\n"
            out += "</svg>\n"
            return out
        }
        let stats = Stats(points)
        out += "<text class=\"title\" x=\"\(Self.num(layout.width / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" fill=\"\(Color.text)\">\(Self.escape(titleLine(points, stats)))</text>\n"

        let xs = Self.xPositions(points, layout)
        let xTicks = Self.dateTicks(points)

        // Equity panel.
        let (eqLo, eqHi) = Self.paddedRange(stats.minEquity, stats.maxEquity)
        let eqTicks = Self.niceTicks(lo: eqLo, hi: eqHi)
        let eqScale = Scale(lo: eqTicks.lo, hi: eqTicks.hi, top: layout.equityTop, bottom: layout.equityBottom)
        out += "<g class=\"equity-panel\">\n"
        out += Self.frame(layout, top: layout.equityTop, bottom: layout.equityBottom)
        out += Self.xGrid(xTicks, xs, top: layout.equityTop, bottom: layout.equityBottom)
        out += "<g class=\"y-ticks-equity\" font-size=\"11\" fill=\"\(Color.muted)\" text-anchor=\"end\">\n"
        for value in eqTicks.values {
            out += Self.yTick(layout, y: eqScale.y(value), label: Self.label(value, decimals: eqTicks.decimals))
        }
        out += "</g>\n"
        let baseY = Self.num(eqScale.y(stats.equities[0]))
        out += "<line class=\"baseline\" x1=\"\(Self.num(layout.left))\" y1=\"\(baseY)\" x2=\"\(Self.num(layout.right))\" y2=\"\(baseY)\" stroke=\"\(Color.baseline)\" stroke-width=\"1\" stroke-dasharray=\"6 4\"/>\n"
        if points.count == 1 {
            let x = xs[0], y = eqScale.y(stats.equities[0])
            out += "<rect class=\"equity-marker\" x=\"\(Self.num(x - 2.5))\" y=\"\(Self.num(y - 2.5))\" width=\"5\" height=\"5\" fill=\"\(Color.equity)\"/>\n"
        } else {
            let kept = Self.thinned(xs, stats.equities, layout)
            var d = ""
            d.reserveCapacity(kept.count * 14)
            for (n, i) in kept.enumerated() {
                d += n == 0 ? "M" : n == 1 ? " L" : " "
                d += Self.num(xs[i]) + " " + Self.num(eqScale.y(stats.equities[i]))
            }
            out += "<path class=\"equity\" d=\"\(d)\" fill=\"none\" stroke=\"\(Color.equity)\" stroke-width=\"1.5\" stroke-linejoin=\"round\"/>\n"
        }
        out += "<g class=\"x-ticks\" font-size=\"11\" fill=\"\(Color.muted)\" text-anchor=\"middle\">\n"
        let labelY = Self.num(layout.equityBottom + 16)
        for tick in xTicks {
            out += "<text x=\"\(Self.num(xs[tick.index]))\" y=\"\(labelY)\">\(Self.escape(tick.label))</text>\n"
        }
        out += "</g>\n"
        out += Self.axisTitle("Equity", x: 14, y: (layout.equityTop + layout.equityBottom) / 2)
        out += "</g>\n"

        // Drawdown panel.
        let ddTicks = Self.niceTicks(lo: min(stats.minDrawdown, -1), hi: 0)
        let ddScale = Scale(lo: ddTicks.lo, hi: ddTicks.hi, top: layout.drawdownTop, bottom: layout.drawdownBottom)
        out += "<g class=\"drawdown-panel\">\n"
        out += Self.frame(layout, top: layout.drawdownTop, bottom: layout.drawdownBottom)
        out += Self.xGrid(xTicks, xs, top: layout.drawdownTop, bottom: layout.drawdownBottom)
        out += "<g class=\"y-ticks-drawdown\" font-size=\"11\" fill=\"\(Color.muted)\" text-anchor=\"end\">\n"
        for value in ddTicks.values {
            out += Self.yTick(layout, y: ddScale.y(value), label: Self.label(value, decimals: ddTicks.decimals) + "%")
        }
        out += "</g>\n"
        if points.count > 1 {
            let kept = Self.thinned(xs, stats.drawdowns, layout)
            let zero = Self.num(ddScale.y(0))
            var d = "M\(Self.num(xs[kept[0]])) \(zero) L"
            d.reserveCapacity(kept.count * 14 + 40)
            for (n, i) in kept.enumerated() {
                d += (n == 0 ? "" : " ") + Self.num(xs[i]) + " " + Self.num(ddScale.y(stats.drawdowns[i]))
            }
            d += " \(Self.num(xs[kept[kept.count - 1]])) \(zero) Z"
            out += "<path class=\"drawdown\" d=\"\(d)\" fill=\"\(Color.drawdown)\" fill-opacity=\"0.35\" stroke=\"\(Color.drawdown)\" stroke-width=\"1\" stroke-linejoin=\"round\"/>\n"
        }
        out += Self.axisTitle("Drawdown %", x: 14, y: (layout.drawdownTop + layout.drawdownBottom) / 2)
        out += "</g>\n"
        out += "</svg>\n"
        return out
    }

    private func titleLine(_ points: [Point], _ stats: Stats) -> String {
        var parts: [String] = []
        if !title.isEmpty { parts.append(title) }
        let first = points[0].day, last = points[points.count - 1].day
        parts.append(first == last ? first : "\(first) to \(last)")
        parts.append("final equity \(Self.fixed(points[points.count - 1].equity, digits: 2))")
        parts.append("max drawdown \(Self.fixed(stats.maxDrawdownPercent, digits: 2))%")
        return parts.joined(separator: " | ")
    }

    // MARK: Layout

    private enum Color {
        static let background = "#ffffff"
        static let text = "#222222"
        static let muted = "#555555"
        static let frame = "#cccccc"
        static let grid = "#ececec"
        static let baseline = "#888888"
        static let equity = "#1f77b4"
        static let drawdown = "#d62728"
    }

    private struct Layout {
        let width: Double, height: Double
        let left = 88.0
        let right: Double
        let equityTop = 44.0
        let equityBottom: Double
        let drawdownTop: Double
        let drawdownBottom: Double

        init(width: Int, height: Int) {
            self.width = Double(max(width, 240))
            self.height = Double(max(height, 180))
            right = self.width - 40
            equityBottom = (self.height * 0.70 - 22).rounded()
            drawdownTop = (self.height * 0.70 + 6).rounded()
            drawdownBottom = self.height - 14
        }

        var plotWidth: Double { right - left }
    }

    /// Value to y: `hi` at `top`, `lo` at `bottom`.
    private struct Scale {
        let lo: Double, hi: Double, top: Double, bottom: Double
        func y(_ value: Double) -> Double {
            hi > lo ? top + (hi - value) / (hi - lo) * (bottom - top) : (top + bottom) / 2
        }
    }

    private struct Stats {
        let equities: [Double]
        /// Percent below the running peak, 0 or negative.
        let drawdowns: [Double]
        let minEquity: Double, maxEquity: Double, minDrawdown: Double
        /// Largest drawdown as a positive percent, computed in Decimal.
        let maxDrawdownPercent: Decimal

        init(_ points: [Point]) {
            var equities: [Double] = [], drawdowns: [Double] = []
            equities.reserveCapacity(points.count)
            drawdowns.reserveCapacity(points.count)
            var peak = points[0].equity, peakValue = EquityChart.double(points[0].equity)
            var worst = Decimal(0)
            for point in points {
                let value = EquityChart.double(point.equity)
                equities.append(value)
                if point.equity > peak { peak = point.equity }
                peakValue = max(peakValue, value)
                if peak > 0 {
                    let drawdown = (peak - point.equity) / peak * 100
                    if drawdown > worst { worst = drawdown }
                }
                let percent = peakValue > 0 ? (value - peakValue) / peakValue * 100 : 0
                drawdowns.append(percent.isFinite ? min(percent, 0) : 0)
            }
            self.equities = equities
            self.drawdowns = drawdowns
            minEquity = equities.min() ?? 0
            maxEquity = equities.max() ?? 0
            minDrawdown = drawdowns.min() ?? 0
            maxDrawdownPercent = worst
        }
    }

    private static func header(_ layout: Layout) -> String {
        let w = num(layout.width), h = num(layout.height)
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" font-family=\"sans-serif\">\n"
            + "<rect x=\"0\" y=\"0\" width=\"\(w)\" height=\"\(h)\" fill=\"\(Color.background)\"/>\n"
    }

    private static func frame(_ layout: Layout, top: Double, bottom: Double) -> String {
        "<rect x=\"\(num(layout.left))\" y=\"\(num(top))\" width=\"\(num(layout.plotWidth))\" height=\"\(num(bottom - top))\" fill=\"none\" stroke=\"\(Color.frame)\" stroke-width=\"1\"/>\n"
    }

    private static func yTick(_ layout: Layout, y: Double, label: String) -> String {
        let yText = num(y)
        return "<line x1=\"\(num(layout.left))\" y1=\"\(yText)\" x2=\"\(num(layout.right))\" y2=\"\(yText)\" stroke=\"\(Color.grid)\" stroke-width=\"1\"/>\n"
            + "<text x=\"\(num(layout.left - 6))\" y=\"\(num(y + 4))\">\(escape(label))</text>\n"
    }

    private static func xGrid(_ ticks: [DateTick], _ xs: [Double], top: Double, bottom: Double) -> String {
        var out = "<g class=\"x-grid\" stroke=\"\(Color.grid)\" stroke-width=\"1\">\n"
        for tick in ticks {
            let x = num(xs[tick.index])
            out += "<line x1=\"\(x)\" y1=\"\(num(top))\" x2=\"\(x)\" y2=\"\(num(bottom))\"/>\n"
        }
        return out + "</g>\n"
    }

    private static func axisTitle(_ text: String, x: Double, y: Double) -> String {
        "<text x=\"\(num(x))\" y=\"\(num(y))\" transform=\"rotate(-90 \(num(x)) \(num(y)))\" text-anchor=\"middle\" font-size=\"11\" fill=\"\(Color.muted)\">\(escape(text))</text>\n"
    }

    // MARK: x positions and thinning

    private static func xPositions(_ points: [Point], _ layout: Layout) -> [Double] {
        let n = points.count
        guard n > 1 else { return [layout.left + layout.plotWidth / 2] }
        let days = points.map { parseDay($0.day)?.number }
        if let first = days[0], let last = days[n - 1], last > first,
           !days.contains(where: { $0 == nil }),
           zip(days, days.dropFirst()).allSatisfy({ $0! <= $1! }) {
            let span = Double(last - first)
            return days.map { layout.left + Double($0! - first) / span * layout.plotWidth }
        }
        return (0..<n).map { layout.left + Double($0) / Double(n - 1) * layout.plotWidth }
    }

    /// The indexes drawn: all of them when there are few; otherwise the first and last point and,
    /// per pixel column, the column's lowest and highest value, in order.
    private static func thinned(_ xs: [Double], _ values: [Double], _ layout: Layout) -> [Int] {
        let n = xs.count
        let columns = max(Int(layout.plotWidth), 1)
        guard n > 2 * columns else { return Array(0..<n) }
        var kept: [Int] = [0]
        var column = -1, low = 0, high = 0
        func flush() {
            guard column >= 0 else { return }
            for i in low < high ? [low, high] : [high, low] where i > kept[kept.count - 1] { kept.append(i) }
        }
        for i in 0..<n {
            let c = min(max(Int((xs[i] - layout.left).rounded(.down)), 0), columns)
            if c != column {
                flush()
                column = c
                low = i
                high = i
            } else {
                if values[i] < values[low] { low = i }
                if values[i] > values[high] { high = i }
            }
        }
        flush()
        if kept[kept.count - 1] != n - 1 { kept.append(n - 1) }
        return kept
    }

    // MARK: Date ticks

    struct DateTick: Equatable {
        let index: Int
        let label: String
    }

    struct Day: Equatable {
        let year: Int, month: Int, day: Int
        /// Days since 1970-01-01.
        let number: Int
    }

    /// Strict "YYYY-MM-DD"; nil otherwise.
    static func parseDay(_ text: String) -> Day? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func digits(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(bytes[i] - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = digits(0..<4), let month = digits(5..<7), let day = digits(8..<10),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        // Days from civil (proleptic Gregorian).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Day(year: year, month: month, day: day, number: era * 146_097 + doe - 719_468)
    }

    /// At most 8 labels taken from the points' days: the first point of each year when that
    /// gives at least 3 (every 2nd, 5th, 10th... year when needed); else the first point of each
    /// month (every 2nd, 3rd, 6th or 12th month when needed); else individual days, evenly picked.
    /// The first point counts as the start of its year or month only within its first 7 days.
    static func dateTicks(_ points: [Point]) -> [DateTick] {
        let n = points.count
        guard n > 0 else { return [] }
        let parsed = points.map { parseDay($0.day) }
        let days = parsed.compactMap { $0 }
        guard days.count == n, zip(days, days.dropFirst()).allSatisfy({ $0.number <= $1.number }) else {
            return spread(Array(0..<n)).map { DateTick(index: $0, label: points[$0].day) }
        }

        var yearStarts: [Int] = [], monthStarts: [Int] = [], dayStarts: [Int] = []
        for i in 0..<n {
            let day = days[i]
            if i == 0 {
                if day.month == 1 && day.day <= 7 { yearStarts.append(0) }
                if day.day <= 7 { monthStarts.append(0) }
                dayStarts.append(0)
                continue
            }
            let previous = days[i - 1]
            if day.year != previous.year { yearStarts.append(i) }
            if day.year != previous.year || day.month != previous.month { monthStarts.append(i) }
            if day.number != previous.number { dayStarts.append(i) }
        }

        if yearStarts.count >= 3 {
            var step = 1
            while true {
                let chosen = yearStarts.filter { days[$0].year % step == 0 }
                if chosen.count <= 8 {
                    return chosen.map { DateTick(index: $0, label: String(points[$0].day.prefix(4))) }
                }
                step = nextYearStep(step)
            }
        }
        if monthStarts.count >= 3 {
            for step in [1, 2, 3, 6, 12] {
                let chosen = monthStarts.filter { (days[$0].month - 1) % step == 0 }
                if chosen.count <= 8 {
                    return chosen.map { DateTick(index: $0, label: String(points[$0].day.prefix(7))) }
                }
            }
            return spread(monthStarts).map { DateTick(index: $0, label: String(points[$0].day.prefix(7))) }
        }
        return spread(dayStarts).map { DateTick(index: $0, label: points[$0].day) }
    }

    /// 1, 2, 5, 10, 20, 50, 100, ...
    private static func nextYearStep(_ step: Int) -> Int {
        var magnitude = 1
        while magnitude * 10 <= step { magnitude *= 10 }
        switch step / magnitude {
        case 1: return 2 * magnitude
        case 2: return 5 * magnitude
        default: return 10 * magnitude
        }
    }

    /// Every k-th element from the first, k chosen so that at most 8 remain.
    private static func spread(_ indexes: [Int]) -> [Int] {
        let k = max(1, (indexes.count + 7) / 8)
        return stride(from: 0, to: indexes.count, by: k).map { indexes[$0] }
    }

    // MARK: Nice ticks

    struct Ticks: Equatable {
        /// Tick values, ascending; the first and last are the axis range.
        let values: [Double]
        /// Fraction digits the step needs (0 for steps of 1 or more).
        let decimals: Int
        var lo: Double { values[0] }
        var hi: Double { values[values.count - 1] }
    }

    /// A flat or nearly flat range widened by 5% of its level (at least 1) on each side.
    static func paddedRange(_ lo: Double, _ hi: Double) -> (Double, Double) {
        let magnitude = max(abs(lo), abs(hi))
        if hi - lo > magnitude * 1e-9, hi > lo { return (lo, hi) }
        let mid = (lo + hi) / 2
        let pad = max(abs(mid) * 0.05, 1)
        return (mid - pad, mid + pad)
    }

    /// 5 to 7 ticks at a step of 1, 2, 2.5 or 5 x 10^n covering [lo, hi]: the smallest such step
    /// whose multiples from below `lo` to above `hi` number at most 7. (The step before it gave 8
    /// or more, and the ratios between steps are at most 2, so this gives at least 5.)
    static func niceTicks(lo: Double, hi: Double) -> Ticks {
        let (lo, hi) = paddedRange(lo, hi)
        let span = hi - lo
        var exponent = Int(log10(span).rounded(.down)) - 3
        while true {
            for mantissa in [10, 20, 25, 50] {
                // step = mantissa * 10^exponent, computed so that small steps stay exact-ish.
                let power = pow(10, Double(abs(exponent)))
                let step = exponent >= 0 ? Double(mantissa) * power : Double(mantissa) / power
                let first = (lo / step + 1e-9).rounded(.down)
                let last = (hi / step - 1e-9).rounded(.up)
                guard last - first + 1 <= 7 else { continue }
                let values = stride(from: first, through: last, by: 1).map { i -> Double in
                    let scaled = i * Double(mantissa)
                    return exponent >= 0 ? scaled * power : scaled / power
                }
                var decimals = max(0, -exponent), m = mantissa
                while decimals > 0 && m % 10 == 0 { m /= 10; decimals -= 1 }
                return Ticks(values: values, decimals: decimals)
            }
            exponent += 1
        }
    }

    // MARK: Text

    /// A coordinate: at most 2 decimals, trailing zeros trimmed, never "-0"; non-finite gives "0".
    static func num(_ value: Double) -> String {
        label(value, decimals: 2, trim: true)
    }

    /// A value rounded to `decimals` (half away from zero), without grouping; "-0" never appears.
    static func label(_ value: Double, decimals: Int, trim: Bool = true) -> String {
        guard value.isFinite else { return "0" }
        let factor = pow(10, Double(decimals))
        let scaled = (value * factor).rounded()
        guard abs(scaled) < 9e15 else {
            let text = String(format: "%.\(decimals)f", value)
            return text.hasPrefix("-") && !text.contains(where: { "123456789".contains($0) }) ? String(text.dropFirst()) : text
        }
        let units = Int64(scaled)
        if units == 0 { return "0" }
        let magnitude = units.magnitude
        var text = units < 0 ? "-" : ""
        let divisor = UInt64(factor)
        text += String(magnitude / divisor)
        if decimals > 0 {
            var fraction = String(magnitude % divisor)
            fraction = String(repeating: "0", count: decimals - fraction.count) + fraction
            if trim { while fraction.hasSuffix("0") { fraction.removeLast() } }
            if !fraction.isEmpty { text += "." + fraction }
        }
        return text
    }

    /// A Decimal at exactly `digits` fraction digits, half away from zero; no "-0".
    static func fixed(_ value: Decimal, digits: Int) -> String {
        var input = value, rounded = Decimal()
        NSDecimalRound(&rounded, &input, digits, .plain)
        // Decimal.description is plain digits (no exponent, no locale): "1234.5", "-0.25".
        var text = rounded.isZero ? "0" : rounded.description
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        if fraction.count < digits { fraction += String(repeating: "0", count: digits - fraction.count) }
        text = String(parts[0]) + (digits > 0 ? "." + fraction : "")
        return text
    }

    private static func double(_ value: Decimal) -> Double {
        let result = NSDecimalNumber(decimal: value).doubleValue
        return result.isFinite ? result : 0
    }

    /// XML text: the five special characters escaped; characters XML 1.0 forbids become U+FFFD.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                let v = scalar.value
                let allowed = v == 0x9 || v == 0xA || v == 0xD || (0x20...0xD7FF).contains(v)
                    || (0xE000...0xFFFD).contains(v) || (0x10000...0x10FFFF).contains(v)
                out.unicodeScalars.append(allowed ? scalar : "\u{FFFD}")
            }
        }
        return out
    }
}

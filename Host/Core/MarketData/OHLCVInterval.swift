/// How `OHLCVReader` decides the seconds a bar covers when the options do not say.
enum OHLCVInterval {
    /// Rows read ahead to find the smallest gap.
    static let lookahead = 64

    /// In order: a daily file (rows carry a date only) is 86400, or 604800 when its name says
    /// `week`; an intraday file named `...min-NNN...`, `...NNNmin...` or `...NNN-min...` is NNN
    /// minutes; otherwise the smallest positive gap between the first 64 rows, in whole seconds
    /// (0 for tick files, whose rows are less than a second apart); 60 when no gap was seen.
    static func infer(fileName: String, dateOnly: Bool, smallestGapNanoseconds: Int64?) -> UInt32 {
        let name = fileName.lowercased()
        if dateOnly { return name.contains("week") ? 604_800 : 86_400 }
        if let minutes = minutesHint(name) { return minutes * 60 }
        guard let gap = smallestGapNanoseconds else { return 60 }
        return UInt32(clamping: gap / 1_000_000_000)
    }

    /// NNN from `min-NNN`, `min_NNN`, `NNNmin` or `NNN-min` in a lowercased file name.
    static func minutesHint(_ name: String) -> UInt32? {
        let bytes = Array(name.utf8)
        func isDigit(_ index: Int) -> Bool { index >= 0 && index < bytes.count && bytes[index] >= 48 && bytes[index] <= 57 }
        func value(_ range: Range<Int>) -> UInt32? {
            guard !range.isEmpty, range.count <= 4 else { return nil }
            let number = range.reduce(UInt32(0)) { $0 * 10 + UInt32(bytes[$1] - 48) }
            return number > 0 ? number : nil
        }
        var index = 0
        while index + 3 <= bytes.count {
            if bytes[index] == UInt8(ascii: "m"), bytes[index + 1] == UInt8(ascii: "i"), bytes[index + 2] == UInt8(ascii: "n") {
                // min-NNN / min_NNN
                var start = index + 3
                if start < bytes.count, bytes[start] == UInt8(ascii: "-") || bytes[start] == UInt8(ascii: "_") {
                    start += 1
                    var stop = start
                    while isDigit(stop) { stop += 1 }
                    if let minutes = value(start..<stop) { return minutes }
                }
                // NNNmin / NNN-min
                var stop = index
                if stop > 0, bytes[stop - 1] == UInt8(ascii: "-") || bytes[stop - 1] == UInt8(ascii: "_") { stop -= 1 }
                var begin = stop
                while isDigit(begin - 1) { begin -= 1 }
                if begin < stop, let minutes = value(begin..<stop) { return minutes }
            }
            index += 1
        }
        return nil
    }
}

/// How the last number of one column was written: which of its bytes are digits and where its
/// point is. Numbers in a column of a price file are mostly written alike (`50.00`, then
/// `49.96`), so the parser checks the next one against this layout with one template test
/// (`OHLCVWord.misfits`) instead of scanning it, and learns the layout again when it differs.
struct OHLCVNumberShape {
    /// The template: '0' at the digits, '.' at the point, 0 past the number.
    private var template: UInt64 = 0
    /// 0x76 at the digits, 0x7F at the point, 0 past the number.
    private var slack: UInt64 = 0x80
    /// The high bit of each byte of the number.
    private var marks: UInt64 = 0x80
    // The starting slack and marks make byte 0 misfit whatever it holds: never matches.
    /// The integer digits' bytes, and the fraction digits' bytes once moved down over the point.
    private var integerBytes: UInt64 = 0
    private var fractionBytes: UInt64 = 0
    /// 10^(8 - integer digits), see `read`.
    private var divisor = 1.0
    /// The number's length in bytes: its delimiter is at this index.
    private(set) var length = 0

    init() {}

    /// The layout of the `length` bytes at `p`, which were read as a number; the never-matching
    /// one unless they are 1 to 8 bytes of digits with at most one point among them.
    init(of p: UnsafePointer<UInt8>, length: Int) {
        guard length <= 8 else { return }
        var template: UInt64 = 0, slack: UInt64 = 0
        var pointIndex: Int?
        for index in 0..<length {
            let shift = UInt64(8 * index)
            if OHLCVScan.digit(p[index]) <= 9 {
                template |= UInt64(UInt8(ascii: "0")) << shift
                slack |= 0x76 << shift
            } else if p[index] == UInt8(ascii: "."), pointIndex == nil {
                template |= UInt64(UInt8(ascii: ".")) << shift
                slack |= 0x7F << shift
                pointIndex = index
            } else {
                return
            }
        }
        let integerDigits = pointIndex ?? length
        guard length > (pointIndex == nil ? 0 : 1) else { return }
        self.template = template
        self.slack = slack
        marks = OHLCVWord.lowBytes(length) & 0x8080_8080_8080_8080
        integerBytes = OHLCVWord.lowBytes(integerDigits)
        if pointIndex != nil { fractionBytes = OHLCVWord.lowBytes(length - 1) & ~integerBytes }
        divisor = OHLCVScan.powersOfTen[8 - integerDigits]
        self.length = length
    }

    /// The number at `p` if its first `length` bytes are written in this layout. The caller
    /// checks the byte after them, which ends the number only if it is neither digit nor point.
    @inline(__always)
    func read(_ p: UnsafePointer<UInt8>) -> Double? {
        let values = OHLCVWord.load(p) ^ template
        guard OHLCVWord.misfits(values, slack: slack) & marks == 0 else { return nil }
        // The digits from byte 0 on, zeros after them: eightDigits reads the number times
        // 10^(8 - digits), and dividing by 10^(8 - integer digits) leaves number / 10^(fraction
        // digits). Both operands are exact doubles, so the one division rounds that exact
        // value, the same double as `OHLCVScan.decimal` gives.
        let packed = (values & integerBytes) | ((values &>> 8) & fractionBytes)
        return Double(Int64(bitPattern: OHLCVWord.eightDigits(packed))) / divisor
    }
}

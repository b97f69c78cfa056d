/// JSON string escaping on bytes, the one implementation the reports and the risk journal share.
extension ReportText {
    static func append(_ text: StaticString, to out: inout [UInt8]) {
        text.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    /// `text` as a JSON string literal: quote, backslash, \n, \r, \t and \u00xx for the other
    /// control characters escaped; every other byte (UTF-8 included) as is.
    static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        if text.utf8.withContiguousStorageIfAvailable({ appendEscaped($0, to: &out) }) == nil {
            var copy = text
            copy.withUTF8 { appendEscaped($0, to: &out) }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Runs of plain bytes are copied whole; the few that need it are escaped one by one.
    private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var clean = 0, index = 0
        while index < bytes.count {
            // Eight plain bytes at a time: nearly every sentence has nothing to escape.
            if index + 8 <= bytes.count, !mayNeedEscape(UnsafeRawBufferPointer(bytes).loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                index += 8
                continue
            }
            let byte = bytes[index]
            index += 1
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[clean..<(index - 1)]))
            clean = index
            switch byte {
            case UInt8(ascii: "\""): append(#"\""#, to: &out)
            case UInt8(ascii: "\\"): append(#"\\"#, to: &out)
            case UInt8(ascii: "\n"): append(#"\n"#, to: &out)
            case UInt8(ascii: "\r"): append(#"\r"#, to: &out)
            case UInt8(ascii: "\t"): append(#"\t"#, to: &out)
            default:
                let hex: StaticString = "0123456789abcdef"
                append(#"\u00"#, to: &out)
                hex.withUTF8Buffer { digits in
                    out.append(digits[Int(byte >> 4)])
                    out.append(digits[Int(byte & 0x0f)])
                }
            }
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[clean...]))
    }

    /// Whether any of the eight bytes is below 0x20, a quote or a backslash. The classic bit
    /// tests: (x - 0x01...) & ~x & 0x80... is nonzero exactly when x has a zero byte, and with
    /// 0x20... in place of 0x01... when it has a byte below 0x20.
    private static func mayNeedEscape(_ chunk: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ x: UInt64) -> Bool { (x &- ones) & ~x & highs != 0 }
        let control = (chunk &- ones &* 0x20) & ~chunk & highs != 0
        return control || hasZeroByte(chunk ^ (ones &* UInt64(UInt8(ascii: "\"")))) || hasZeroByte(chunk ^ (ones &* UInt64(UInt8(ascii: "\\"))))
    }
}

import Crypto
import Foundation

/// Tamper evidence: each transaction's hash covers the previous hash and every stored field
/// of the transaction and its entries, so changing any stored byte breaks every later link.
enum LedgerHashChain {
    static let genesis = String(repeating: "0", count: 64)

    /// SHA-256 over: previous hash, newline, then the fields and `account=amount` lines,
    /// separated by the unit separator (0x1F). Gathered into one buffer and hashed once:
    /// each update call has a fixed cost larger than a short field's bytes.
    static func hash(previous: String, id: Int64, fitid: String, trntype: String, dtposted: String, postedNanoseconds: Int64, kind: String,
                     memo: String, mode: String, audit: [String?], entries: [(account: String, amount: Int64)]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512)
        bytes.append(contentsOf: previous.utf8)
        bytes.append(UInt8(ascii: "\n"))
        var first = true
        func field(_ text: String) {
            if !first { bytes.append(separator) }
            first = false
            bytes.append(contentsOf: text.utf8)
        }
        for text in [String(id), fitid, trntype, dtposted, String(postedNanoseconds), kind, memo, mode] { field(text) }
        for text in audit { field(text ?? "") }
        for entry in entries {
            field(entry.account)
            bytes.append(UInt8(ascii: "="))
            bytes.append(contentsOf: String(entry.amount).utf8)
        }
        return bytes.withUnsafeBytes { hex(SHA256.hash(data: $0)) }
    }

    private static let separator: UInt8 = 0x1F
    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

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
                     memo: String, mode: String, audit: [String?], entries: [LedgerEntry]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512)
        bytes.append(contentsOf: previous.utf8)
        bytes.append(UInt8(ascii: "\n"))
        FixedDecimalsText.appendInteger(id, to: &bytes)
        for text in [fitid, trntype, dtposted] {
            bytes.append(separator)
            bytes.append(contentsOf: text.utf8)
        }
        bytes.append(separator)
        FixedDecimalsText.appendInteger(postedNanoseconds, to: &bytes)
        for text in [kind, memo, mode] {
            bytes.append(separator)
            bytes.append(contentsOf: text.utf8)
        }
        for text in audit {
            bytes.append(separator)
            if let text { bytes.append(contentsOf: text.utf8) }
        }
        for entry in entries {
            bytes.append(separator)
            bytes.append(contentsOf: entry.account.utf8)
            bytes.append(UInt8(ascii: "="))
            FixedDecimalsText.appendInteger(entry.amount.units, to: &bytes)
        }
        return bytes.withUnsafeBytes { SHA256.hash(data: $0).withUnsafeBytes { hex($0) } }
    }

    private static let separator: UInt8 = 0x1F
    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        Array(bytes).withUnsafeBytes { hex($0) }
    }

    /// Two lowercase hex digits per byte, written straight into the string's storage.
    static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: 2 * bytes.count) { text in
            for (index, byte) in bytes.enumerated() {
                text[2 * index] = hexDigits[Int(byte >> 4)]
                text[2 * index + 1] = hexDigits[Int(byte & 0x0F)]
            }
            return 2 * bytes.count
        }
    }
}

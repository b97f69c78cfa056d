import Crypto
import Foundation

/// Tamper evidence: each posted transaction's hash covers the previous hash and the
/// transaction's canonical text, so changing any stored byte breaks every later link.
enum LedgerHashChain {
    static let genesis = String(repeating: "0", count: 64)

    static func hash(previous: String, canonical: String) -> String {
        let digest = SHA256.hash(data: Data((previous + "\n" + canonical).utf8))
        return hex(digest)
    }

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

    /// Every stored field that matters, in a fixed order, unit-separated.
    static func canonical(id: Int64, fitid: String, trntype: String, dtposted: String, kind: String, memo: String,
                          mode: String, audit: [String?], entries: [(account: String, amount: Int64)]) -> String {
        let fields = ["\(id)", fitid, trntype, dtposted, kind, memo, mode] + audit.map { $0 ?? "" }
        let lines = entries.map { "\($0.account)=\($0.amount)" }
        return (fields + lines).joined(separator: "\u{1F}")
    }
}

// Where and how to reach Alpaca: run mode and base URLs from the host's configuration,
// keys from the environment (never from the configuration, never into a message).
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TBotPluginAPI

struct AlpacaSettings {
    static let keyIDVariable = "APCA_API_KEY_ID"
    static let secretVariable = "APCA_API_SECRET_KEY"

    /// paper, live or backtest (TBOT_RUN_MODE); paper when the host does not say.
    let mode: String
    /// ALPACA_LIVE_URL only in live mode, ALPACA_PAPER_URL otherwise.
    let tradingURL: String
    let dataURL: String
    let feed: String
    let timeoutSeconds: Int
    let keyID: String
    let secretKey: String

    /// Reads everything once, during create (host services may be called only then).
    init(host: UnsafePointer<tbot_host_t>?) {
        func config(_ key: String) -> String? {
            guard let host, let get = host.pointee.config_get else { return nil }
            var buffer = [CChar](repeating: 0, count: 1024)
            var length: UInt32 = 0
            let status = get(host.pointee.host_ctx, key, &buffer, UInt32(buffer.count), &length)
            guard status == TBOT_OK else { return nil }
            let value = String(cString: buffer).trimmingTrailingSlash
            return value.isEmpty ? nil : value
        }
        mode = config("TBOT_RUN_MODE") ?? "paper"
        tradingURL = mode == "live"
            ? config("ALPACA_LIVE_URL") ?? "https://api.alpaca.markets"
            : config("ALPACA_PAPER_URL") ?? "https://paper-api.alpaca.markets"
        dataURL = config("ALPACA_DATA_URL") ?? "https://data.alpaca.markets"
        feed = config("ALPACA_DATA_FEED") ?? "iex"
        timeoutSeconds = config("API_TIMEOUT").flatMap { Int($0) }.map { max(1, $0) } ?? 30
        keyID = Self.environment(Self.keyIDVariable)
        secretKey = Self.environment(Self.secretVariable)
    }

    /// The names of the key variables that are unset or empty.
    var missingVariables: [String] {
        [(Self.keyIDVariable, keyID), (Self.secretVariable, secretKey)].filter { $0.1.isEmpty }.map(\.0)
    }

    /// `text` with any occurrence of the key id or the secret replaced.
    func redact(_ text: String) -> String {
        var result = text
        for secret in [secretKey, keyID] where secret.count >= 4 {
            result = result.replacingAll(secret, with: "[redacted]")
        }
        return result
    }

    private static func environment(_ name: String) -> String {
        guard let value = getenv(name) else { return "" }
        return String(cString: value)
    }
}

private extension String {
    var trimmingTrailingSlash: String {
        var text = self
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

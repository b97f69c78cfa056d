// One REST call to Alpaca: URL, auth headers, API_TIMEOUT, and the mapping of every
// outcome to a status (docs/brokers/alpaca.md, "Errors"). It never retries: the host does.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TBotPluginAPI

final class AlpacaAPI {
    /// How a call treats HTTP 403: Alpaca answers an order it refuses (insufficient
    /// buying power) with 403; anywhere else 403 means the keys may not do this.
    enum Forbidden {
        case rejected, fatal
    }

    let settings: AlpacaSettings
    private let http: HTTPClient
    /// The fault of the last failed call; reset when a call starts.
    private(set) var fault = Fault.none

    init(settings: AlpacaSettings) {
        self.settings = settings
        http = HTTPClient(timeoutSeconds: settings.timeoutSeconds)
    }

    func clearFault() { fault = .none }

    /// GET/POST/DELETE on the trading API (`data: false`) or the market data API.
    /// Returns the body of a 2xx answer; throws BrokerError otherwise.
    func call(_ method: String, _ path: String, query: [(String, String)] = [], body: Data? = nil,
              data: Bool = false, forbidden: Forbidden = .fatal) throws -> Data {
        let base = data ? settings.dataURL : settings.tradingURL
        let label = "\(method) \(path)"
        var components = URLComponents(string: base + path)
        if !query.isEmpty {
            components?.percentEncodedQueryItems = query.map {
                URLQueryItem(name: $0.0, value: $0.1.addingPercentEncoding(withAllowedCharacters: Self.queryValueAllowed))
            }
        }
        guard let url = components?.url else {
            throw BrokerError(status: TBOT_ERR_INTERNAL, message: "\(label): cannot form a URL from \(base)")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue(settings.keyID, forHTTPHeaderField: "APCA-API-KEY-ID")
        request.setValue(settings.secretKey, forHTTPHeaderField: "APCA-API-SECRET-KEY")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        switch http.send(request) {
        case .failure(.timedOut):
            fault = Fault(timedOut: true)
            throw failure(TBOT_ERR_TRANSIENT, "\(label): no answer within API_TIMEOUT (\(settings.timeoutSeconds) s)")
        case .failure(.network(let detail)):
            fault = Fault()
            throw failure(TBOT_ERR_TRANSIENT, "\(label): network error: \(detail)")
        case .success(let response) where (200..<300).contains(response.status):
            return response.body
        case .success(let response):
            let error = try? JSONDecoder().decode(ErrorBody.self, from: response.body)
            fault = Fault(httpStatus: Int32(clamping: response.status), retryAfterMs: Self.retryAfterMs(response.headers["retry-after"]),
                          code: error?.code?.text ?? "")
            let said = error?.message.map { ": \($0)" } ?? ""
            throw failure(Self.status(of: response.status, forbidden: forbidden), "\(label): HTTP \(response.status)\(said)")
        }
    }

    /// Decodes a 2xx body. Unreadable JSON is TRANSIENT: the request may well have
    /// worked (an order may exist), and a retry is safe (see submit_order).
    func decode<T: Decodable>(_ type: T.Type, _ body: Data, _ label: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(type, from: body)
        } catch {
            throw malformed(label, "\(error)".prefix(120))
        }
    }

    /// A 2xx answer whose content cannot be used (bad JSON, a value that is not a number).
    func malformed(_ label: String, _ detail: Substring) -> BrokerError {
        fault = Fault(httpStatus: 200)
        return failure(TBOT_ERR_TRANSIENT, "\(label): malformed response: \(detail)")
    }

    /// A status and message with the key and secret removed, should the broker echo them.
    func failure(_ status: tbot_status_t, _ message: String) -> BrokerError {
        BrokerError(status: status, message: settings.redact(message))
    }

    static func status(of http: Int, forbidden: Forbidden) -> tbot_status_t {
        switch http {
        case 401: return TBOT_ERR_FATAL
        case 403: return forbidden == .rejected ? TBOT_ERR_REJECTED : TBOT_ERR_FATAL
        case 404: return TBOT_ERR_NOT_FOUND
        case 422: return TBOT_ERR_REJECTED
        case 408, 429, 500...599: return TBOT_ERR_TRANSIENT
        default: return TBOT_ERR_INTERNAL
        }
    }

    /// Retry-After in seconds ("7" or "1.5") as milliseconds; -1 when absent or a date.
    static func retryAfterMs(_ value: String?) -> Int64 {
        guard let value, let seconds = FixedPoint.decimal(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 else { return -1 }
        return Int64("\(seconds * 1000)".split(separator: ".").first ?? "") ?? -1
    }

    /// A path segment with '/', '?', '#' and the like percent-encoded.
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#;")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Query values keep only unreserved characters ('+' in an RFC 3339 offset must not become a space).
    private static let queryValueAllowed = CharacterSet(charactersIn:
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:")
}

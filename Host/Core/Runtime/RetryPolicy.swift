import Foundation

/// Exponential backoff with jitter for transient broker faults: attempt n (from 1) waits
/// base * 2^(n-1), capped, times a jitter factor in [0.5, 1.0), and never less than the
/// broker's Retry-After. The jitter comes from a seeded generator, so a replay waits the
/// same delays every run.
public struct RetryPolicy: Sendable {
    /// Retries after the first attempt (API_RETRY_LIMIT); 0 makes one attempt only.
    public var limit: Int
    public var baseDelay: Double
    public var maxDelay: Double
    /// A Retry-After longer than this is not waited for: the call gives up instead.
    public var maxRetryAfter: Double

    public init(limit: Int, baseDelay: Double = 0.25, maxDelay: Double = 8, maxRetryAfter: Double = 60) {
        self.limit = limit
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    public init(config: RuntimeConfig) {
        self.init(limit: config.apiRetryLimit)
    }

    /// Seconds to wait before retry number `retry` (1 for the first retry), or nil when the
    /// broker asks for a pause longer than maxRetryAfter.
    public func delay(retry: Int, retryAfterMilliseconds: Int64?, random: inout SeededRandom) -> Double? {
        let exponential = min(maxDelay, baseDelay * pow(2, Double(max(0, retry - 1))))
        let jittered = exponential * (0.5 + 0.5 * random.unit())
        guard let asked = retryAfterMilliseconds, asked > 0 else { return jittered }
        let seconds = Double(asked) / 1000
        return seconds > maxRetryAfter ? nil : max(jittered, seconds)
    }
}

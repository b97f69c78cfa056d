import Foundation
import TBotPluginAPI

/// Retries a broker's transient failures under a RetryPolicy, and reports every failed
/// attempt and every call it gave up on. Installed on a BrokerPlugin (`broker.retry`), it
/// covers every call the pipeline, the watchdog and recovery make through that broker.
public final class BrokerRetry {
    public let policy: RetryPolicy

    /// One failed call: what was called, the error, its class and what the broker said.
    public struct Failure {
        public let function: String
        public let error: PluginCallError
        public let fault: FaultClass
        public let detail: BrokerFault?
        /// Attempts made so far, the first included.
        public let attempts: Int
    }

    /// Called after each failed attempt that will be retried, with the delay chosen.
    public var onRetry: ((Failure, Double) -> Void)?
    /// Called once when a transient call runs out of attempts: the broker's kill switch.
    public var onGiveUp: ((Failure) -> Void)?

    public private(set) var retries = 0
    public private(set) var exhausted = 0
    private var random: SeededRandom
    private let sleep: (Double) -> Void

    /// `sleep` waits the given seconds; tests pass one that records instead of waiting.
    public init(policy: RetryPolicy, seed: UInt64 = 0x7B07, sleep: @escaping (Double) -> Void = { seconds in
        if seconds > 0 { Thread.sleep(forTimeInterval: seconds) }
    }) {
        self.policy = policy
        random = SeededRandom(seed: seed)
        self.sleep = sleep
    }

    /// Runs `attempt` until it succeeds, fails for good, or the retries are spent. The error
    /// of the last attempt is rethrown; when the retries ran out it says so.
    func run(_ broker: BrokerPlugin, function: String, _ attempt: () throws -> Void) throws {
        var made = 0
        while true {
            made += 1
            do {
                return try attempt()
            } catch let error as PluginCallError {
                guard FaultClass.isRetryable(error) else { throw error }
                let detail = broker.lastFault()
                let failure = Failure(function: function, error: error, fault: FaultClass.of(error, detail: detail), detail: detail,
                                      attempts: made)
                guard made <= policy.limit,
                      let delay = policy.delay(retry: made, retryAfterMilliseconds: detail?.retryAfterMilliseconds, random: &random) else {
                    exhausted += 1
                    onGiveUp?(failure)
                    throw PluginCallError(pluginID: error.pluginID, function: error.function, status: error.status,
                                          message: "\(error.message) (gave up after \(made) attempt\(made == 1 ? "" : "s"))")
                }
                retries += 1
                onRetry?(failure, delay)
                sleep(delay)
            }
        }
    }
}

extension BrokerPlugin {
    /// One broker call with an error buffer, retried under `retry` when one is installed.
    func call(_ function: String, _ body: (UnsafeMutablePointer<CChar>, UInt32) -> tbot_status_t) throws {
        guard let retry else { return try PluginCallError.check(id, function, body) }
        try retry.run(self, function: function) { try PluginCallError.check(id, function, body) }
    }
}

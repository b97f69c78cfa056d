import Dispatch
import Foundation
import Logging

/// Decides which alerts are mailed and sends them off the event loop.
///
/// - Fills need NOTIFY_ON_FILL=true, exits NOTIFY_ON_EXIT=true; critical events (kill switch,
///   emergency stop, supervisor rejection, watchdog) are always sent.
/// - Nothing is sent without SMTP_HOST and ALERT_EMAIL, nor when TEST_MODE=true unless
///   NOTIFY_IN_TEST_MODE=true.
/// - `post` returns at once: sending happens on a private serial queue, one message at a time,
///   with up to API_RETRY_LIMIT retries. A failure is logged with curl's error and counted,
///   never thrown. Call `flush(timeout:)` at shutdown.
public final class Notifier: @unchecked Sendable {
    /// What happened to posted alerts, for status reporting.
    public struct Counts: Sendable, Equatable {
        public var sent = 0
        /// Gave up after every attempt failed.
        public var failed = 0
        /// Not mailed: e-mail off, test mode, or the event's NOTIFY_ON_* is false.
        public var skipped = 0
        /// Queued or being sent.
        public var pending = 0
        /// curl's text of the last failure, nil when none.
        public var lastError: String?

        public init() {}
    }

    public enum Decision: Equatable, Sendable {
        case send
        case skip(reason: String)
    }

    private let config: RuntimeConfig
    private let transport: MailTransport?
    private let logger: Logger
    private let now: @Sendable () -> Int64
    private let attempts: Int
    private let retryDelay: TimeInterval
    private let label: String
    private let queue = DispatchQueue(label: "tbot.notifier")
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var state = Counts()

    /// - Parameters:
    ///   - transport: nil means SMTPMailer with SMTPSettings.from(config:secrets:); tests pass their own.
    ///   - now: the host's wall clock in nanoseconds, for the Date header.
    ///   - retryDelay: seconds before the first retry; it doubles after each failure.
    public init(config: RuntimeConfig, secrets: Secrets, logger: Logger, transport: MailTransport? = nil,
                now: @escaping @Sendable () -> Int64 = { SystemClock().nowNanoseconds }, retryDelay: TimeInterval = 2) {
        self.config = config
        self.transport = transport ?? SMTPSettings.from(config: config, secrets: secrets).map { SMTPMailer(settings: $0) }
        self.logger = logger
        self.now = now
        self.attempts = 1 + config.apiRetryLimit
        self.retryDelay = retryDelay
        label = config.ledgerIdentity.stem + (config.testMode || config.forcePaperExport ? " paper" : " live")
    }

    /// True when SMTP_HOST and ALERT_EMAIL are set and test mode does not silence e-mail.
    public var isEnabled: Bool {
        transport != nil && (!config.testMode || config.string("NOTIFY_IN_TEST_MODE") == "true")
    }

    public func decision(for event: AlertEvent) -> Decision {
        guard transport != nil else { return .skip(reason: "e-mail is off (SMTP_HOST or ALERT_EMAIL is empty)") }
        if config.testMode && config.string("NOTIFY_IN_TEST_MODE") != "true" {
            return .skip(reason: "TEST_MODE=true and NOTIFY_IN_TEST_MODE=false")
        }
        switch event {
        case .fill where config.string("NOTIFY_ON_FILL") != "true": return .skip(reason: "NOTIFY_ON_FILL=false")
        case .exit where config.string("NOTIFY_ON_EXIT") != "true": return .skip(reason: "NOTIFY_ON_EXIT=false")
        default: return .send
        }
    }

    /// Queues the alert if the config says to send it; returns at once, never throws.
    public func post(_ event: AlertEvent) {
        guard case .send = decision(for: event), let transport else {
            update { $0.skipped += 1 }
            return
        }
        let subject = AlertText.subject(event, label: label)
        let body = AlertText.body(event, label: label)
        update { $0.pending += 1 }
        group.enter()
        queue.async { [self] in
            defer { group.leave() }
            deliver(kind: event.kind, subject: subject, body: body, transport: transport)
        }
    }

    /// Waits until every queued alert was sent or given up on, at most `timeout` seconds.
    /// Returns false when some are still pending.
    @discardableResult
    public func flush(timeout: TimeInterval) -> Bool {
        group.wait(timeout: .now() + timeout) == .success
    }

    public var counts: Counts {
        lock.lock(); defer { lock.unlock() }
        return state
    }

    private func deliver(kind: String, subject: String, body: [String], transport: MailTransport) {
        var delay = retryDelay
        for attempt in 1...attempts {
            switch transport.send(subject: subject, body: body, dateNanoseconds: now()) {
            case .success:
                logger.info("e-mail alert sent", metadata: ["event": .string(kind), "subject": .string(subject)])
                update { $0.sent += 1; $0.pending -= 1 }
                return
            case let .failure(failure):
                logger.warning("e-mail alert failed", metadata: [
                    "event": .string(kind), "attempt": .string("\(attempt) of \(attempts)"), "error": .string(failure.description),
                ])
                if attempt == attempts {
                    logger.error("e-mail alert given up", metadata: ["event": .string(kind), "subject": .string(subject)])
                    update { $0.failed += 1; $0.pending -= 1; $0.lastError = failure.description }
                    return
                }
                if delay > 0 { Thread.sleep(forTimeInterval: delay) }
                delay *= 2
            }
        }
    }

    private func update(_ change: (inout Counts) -> Void) {
        lock.lock(); change(&state); lock.unlock()
    }
}

// What a failed call reports: a status and a message for the host's buffer, plus the
// fault details the host reads through tbot.broker.faults.
import TBotPluginAPI

struct BrokerError: Error {
    let status: tbot_status_t
    let message: String
}

/// What the broker said about the last failed call (tbot_fault_t).
struct Fault {
    var httpStatus: Int32 = 0
    var timedOut = false
    var retryAfterMs: Int64 = -1
    var code = ""

    static let none = Fault()
}

import Foundation

/// The subject and body lines of each alert. `label` says which bot and mode sent it,
/// e.g. "TBOT_US_PAPER_001_BOT paper".
enum AlertText {
    static func subject(_ event: AlertEvent, label: String) -> String {
        let prefix = "[tbot \(label)] "
        switch event {
        case let .fill(e):
            return prefix + "FILL \(e.side) \(e.quantity) \(e.symbol) @ \(e.price)"
        case let .exit(e):
            return prefix + "EXIT \(e.symbol) \(e.reason) P&L \(e.pnl)"
        case let .killSwitch(e):
            return prefix + "CRITICAL kill switch: \(e.scope)"
        case let .emergencyStop(e):
            return prefix + "CRITICAL emergency stop"  + (e.source.isEmpty ? "" : " (\(e.source))")
        case let .supervisorRejection(e):
            return prefix + "CRITICAL supervisor rejected \(e.symbol) for \(e.bot)"
        case let .watchdog(e):
            return prefix + "CRITICAL watchdog: \(e.broker) unreachable \(e.unreachableSeconds)s"
        }
    }

    static func body(_ event: AlertEvent, label: String) -> [String] {
        var lines = ["Event: \(event.kind)", "Time: \(UTCTimestamp.iso8601(nanoseconds: event.timeNanoseconds))", "Bot: \(label)"]
        switch event {
        case let .fill(e):
            lines += ["Symbol: \(e.symbol)", "Side: \(e.side)", "Quantity: \(e.quantity)", "Price: \(e.price)",
                      "Strategy: \(e.strategy)", "Strategy bot: \(e.bot)", "Broker: \(e.broker)", "Order: \(e.orderID)"]
        case let .exit(e):
            lines += ["Symbol: \(e.symbol)", "Side: \(e.side)", "Quantity: \(e.quantity)", "Entry price: \(e.entryPrice)",
                      "Exit price: \(e.exitPrice)", "Realized P&L: \(e.pnl)", "Reason: \(e.reason)",
                      "Strategy: \(e.strategy)", "Strategy bot: \(e.bot)", "Broker: \(e.broker)"]
        case let .killSwitch(e):
            lines += ["Scope: \(e.scope)", "Reason: \(e.reason)", "No new entries are sent; exits still close positions."]
        case let .emergencyStop(e):
            lines += ["Source: \(e.source)", "Reason: \(e.reason)"]
        case let .supervisorRejection(e):
            lines += ["Module: \(e.module)", "Strategy bot: \(e.bot)", "Symbol: \(e.symbol)", "Reason: \(e.reason)"]
        case let .watchdog(e):
            lines += ["Broker: \(e.broker)", "Unreachable for: \(e.unreachableSeconds) s", "Action: \(e.action)"]
        }
        return lines
    }
}

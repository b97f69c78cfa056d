import Foundation

/// What happened in a pipeline run, in order. Rendered as one line each, stamped with the
/// host clock, so the same inputs always print the same transcript.
public enum PipelineEvent: Equatable, Sendable {
    case intent(TradeIntent)
    case intentDropped(strategy: String, reason: String)
    case filter(pluginID: String, verdict: FilterVerdict)
    case filterError(pluginID: String, message: String, fatal: Bool)
    case skipped(symbol: String, reason: String)
    case risk(RiskDecision)
    case riskNotification(RiskEvent)
    case order(BrokerOrder, type: String)
    case orderError(symbol: String, message: String)
    case fill(BrokerFill, realized: Money?)
    case strategyError(String)
    case budgetAllowed(symbol: String, bot: String, reason: String)
    case budgetRejected(symbol: String, bot: String, code: String, reason: String)
    case approvalQueued(id: Int64, symbol: String, reason: String)
    case settlement(SupervisorDecision)
    case notification(BudgetEvent)
    case note(String)

    public func render(at nanoseconds: Int64) -> String {
        let line: ByteText = "\(UTCTimestamp.iso8601(nanoseconds: nanoseconds)) \(text)"
        return line.string
    }

    var text: ByteText {
        switch self {
        case .intent(let i):
            return """
                intent \(i.strategyID) \(i.action.rawValue) \(i.side.rawValue) \(i.symbol) rank=\(i.rank) \
                entry=\(twoDecimals: i.entryPrice) stop=\(twoDecimals: i.stopPrice) target=\(twoDecimals: i.targetPrice) \
                confidence=\(twoDecimals: i.confidence) tag=\(i.tag)
                """
        case .intentDropped(let strategy, let reason):
            return "  dropped a malformed intent from \(strategy): \(reason)"
        case .filter(let id, .allow(let reason)):
            return "  filter \(id) allow: \(reason)"
        case .filter(let id, .block(let reason)):
            return "  filter \(id) block: \(reason)"
        case .filterError(let id, let message, let fatal):
            return "  filter \(id) error (\(fatal ? "fatal, blocked" : "warning, allowed")): \(message)"
        case .skipped(let symbol, let reason):
            return "  skip \(symbol): \(reason)"
        case .risk(let d):
            let place: ByteText = "rank \(d.poolRank) fallback \(d.fallbackLevel)"
            let target = d.symbol == d.intentSymbol ? d.symbol : "\(d.intentSymbol)->\(d.symbol)"
            if d.outcome == .approved {
                return """
                      risk approve \(target) \(d.quantity.map { "\($0)" } ?? "?") shares risk \(d.riskAmount.map { "\($0)" } ?? "?") \
                    (\(place))\(d.defense ? " DEFENSE_MODE_ACTIVE" : "")
                    """
            }
            return "  risk reject \(target) \(d.code?.rawValue ?? "?") (\(place)): \(d.sentence)"
        case .riskNotification(let event):
            return "  notify \(event.level.rawValue) \(event.subject): \(event.message)"
        case .order(let order, let type):
            let reason = order.status == .rejected ? " (\(order.rejectReason))" : ""
            return "  order \(order.orderID) \(order.side?.rawValue ?? "?") \(order.quantity) \(order.symbol) \(type): \(order.status.rawValue)\(reason)"
        case .orderError(let symbol, let message):
            return "  order \(symbol) failed: \(message)"
        case .fill(let fill, let realized):
            let result = realized.map { " realized \($0)" } ?? ""
            return "  fill \(fill.fillID) \(fill.side?.rawValue ?? "?") \(fill.quantity) \(fill.symbol) @ \(twoDecimals: fill.price) fee \(fill.fee)\(result)"
        case .strategyError(let message):
            return "strategy error: \(message)"
        case .budgetAllowed(let symbol, let bot, let reason):
            return "  budget \(bot) allow \(symbol): \(reason)"
        case .budgetRejected(let symbol, let bot, let code, let reason):
            return "  budget \(bot) reject \(symbol) \(code): \(reason)"
        case .approvalQueued(let id, let symbol, let reason):
            return "  approval \(id) queued for \(symbol): \(reason)"
        case .settlement(let d):
            return """
                  budget \(d.bot) \(d.kind.rawValue) pnl \(d.tradePnl.exactDescription) reinvested \(d.reinvested.exactDescription) \
                to reserve \(d.toReserve.exactDescription) budget \(d.budgetBefore.exactDescription) -> \(d.budgetAfter.exactDescription): \(d.reason)
                """
        case .notification(let event):
            return "  notify \(event.level.rawValue) \(event.subject): \(event.title): \(event.message)"
        case .note(let message):
            return "\(message)"
        }
    }
}

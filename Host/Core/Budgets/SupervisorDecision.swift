import Foundation

/// One line of the supervisor's checklist: what was measured, against what, and the verdict.
public struct SupervisorCheck: Equatable, Sendable, Codable {
    public enum Result: String, Sendable, Codable {
        case passed, failed, skipped
    }

    /// Stable name, e.g. "win_rate".
    public let name: String
    public let result: Result
    /// The measured value as text (exact where it is money).
    public let value: String
    /// The rule, e.g. "> 0.60".
    public let rule: String

    public init(name: String, result: Result, value: String, rule: String) {
        self.name = name
        self.result = result
        self.value = value
        self.rule = rule
    }

    public var line: String { "\(name) \(value) (\(rule)): \(result.rawValue)" }
}

/// What happened to one closed trade's result: the decision log's row.
public struct SupervisorDecision: Equatable, Sendable {
    public enum Kind: String, Sendable, Codable {
        /// Compounded bot, all checks passed: the whole profit went into the budget.
        case approved = "APPROVE_COMPOUND"
        /// The increase was above the per-trade limit: what fits went in, the rest to reserve.
        case approvedPartial = "APPROVE_PARTIAL"
        /// Approved, but the bot's max_budget_cap took the excess to reserve.
        case approvedCapped = "APPROVE_CAPPED"
        /// A check failed: the profit went to reserve.
        case rejected = "REJECT_COMPOUND"
        /// Non-compounded bot: profits always go to reserve.
        case withdrawn = "PROFIT_TO_RESERVE"
        /// A losing trade: the loss came out of the bot's budget.
        case loss = "LOSS_CHARGED"
    }

    public var id: Int64?
    public var bot: String
    public var decidedNanoseconds: Int64
    public var tradeUUID: String?
    public var kind: Kind
    public var tradePnl: Money
    public var reinvested: Money
    public var toReserve: Money
    public var budgetBefore: Money
    public var budgetAfter: Money
    public var reason: String
    public var checks: [SupervisorCheck]
}

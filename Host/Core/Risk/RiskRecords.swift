import Foundation

/// The engine's verdict on one candidate, with every rule it evaluated, as stored for
/// `tbot risk explain` and shown in the session transcript.
public struct RiskDecision: Sendable, Equatable {
    public enum Outcome: String, Sendable { case approved = "APPROVED", rejected = "REJECTED" }

    public var id: Int64?
    public var decidedNanoseconds: Int64
    public var session: String
    public var sessionStartNanoseconds: Int64
    public var broker: String
    public var bot: String
    /// The symbol the strategy named; `symbol` differs when a bearish intent was routed to an inverse ETF.
    public var intentSymbol: String
    public var symbol: String
    public var side: TradeSide
    /// Position in the ranked pool, 1 = best.
    public var poolRank: Int
    /// How many candidates of this slot were rejected before this one (0 = the first choice).
    public var fallbackLevel: Int
    public var outcome: Outcome
    public var code: RiskCode?
    public var sentence: String
    public var quantity: Quantity?
    public var riskAmount: Money?
    public var defense: Bool
    public var checks: [RiskCheck]
}

/// A closed trade as the engine counts it for win rates.
public struct RiskTradeResult: Sendable, Equatable {
    public var closedNanoseconds: Int64
    public var broker: String
    public var session: String
    public var sessionStartNanoseconds: Int64
    public var symbol: String
    public var pnl: Money
}

public struct KillSwitchEvent: Sendable, Equatable {
    public var firedNanoseconds: Int64
    /// UTC day index (nanoseconds / one day).
    public var day: Int64
    public var broker: String
    public var realized: Money
    public var limit: Money
    public var reason: String
}

public struct DefenseLogEntry: Sendable, Equatable, Codable {
    public enum Event: String, Sendable, Codable { case activated = "ACTIVATED", deactivated = "DEACTIVATED" }
    public var atNanoseconds: Int64
    public var event: Event
    public var reasons: [String]
    public var limits: RiskLimits
}

/// A notification of the risk engine for the operator.
public struct RiskEvent: Sendable, Equatable, Codable {
    public var id: Int64?
    public var atNanoseconds: Int64
    public var level: NotificationLevel
    public var subject: String
    public var message: String
}

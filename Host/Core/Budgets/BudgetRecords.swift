import Foundation

/// Why something is paused; the text shown beside PAUSED.
public struct PauseState: Equatable, Sendable, Codable {
    public var status: OperatingStatus
    public var reason: String?

    public static let active = PauseState(status: .active, reason: nil)
    public var isPaused: Bool { status == .paused }
}

extension OperatingStatus: Codable {}

public struct AccountState: Equatable, Sendable {
    public var name: String
    public var declaredCapital: Money
    public var declaredReserve: Money
    /// Highest account capital seen: the drawdown rule measures from here.
    public var peakCapital: Money
    public var pause: PauseState
}

public struct ModuleState: Equatable, Sendable {
    public var id: String
    public var declaredBudget: Money
    public var pause: PauseState
    /// Set for a daily-loss pause: the module resumes by itself at this time.
    public var pausedUntil: Int64?
    public var retired: Bool
}

public struct BotState: Equatable, Sendable {
    public var id: String
    public var module: String
    public var initialBudget: Money
    public var pause: PauseState
    /// Highest budget seen; drawdown is measured from here.
    public var peakBudget: Money
    /// Largest fall of the budget from its peak, as a fraction of that peak.
    public var maxDrawdown: Decimal
    public var profitReinvested: Money
    public var profitWithdrawn: Money
    public var supervisorRejections: Int
    public var retired: Bool
}

/// One closing fill of a bot's trade and its net result (after fees and slippage).
public struct BotTrade: Equatable, Sendable {
    public var bot: String
    public var module: String
    public var tradeUUID: String
    public var symbol: String
    public var closedNanoseconds: Int64
    public var pnl: Money
    public var budgetBefore: Money
}

public enum NotificationLevel: String, Sendable, Codable {
    case info = "INFO", warning = "WARNING", critical = "CRITICAL"
}

/// What the operator is told: recorded, logged, and read back by the supervisor's alert check.
public struct BudgetEvent: Equatable, Sendable, Codable {
    public var id: Int64?
    public var atNanoseconds: Int64
    public var level: NotificationLevel
    /// The bot, module or "account" the event is about.
    public var subject: String
    public var title: String
    public var message: String
}

public enum ApprovalState: String, Sendable, Codable {
    case pending, approved, rejected, expired, submitted
}

/// A sized entry waiting for an operator because its bot or module does not autotrade.
public struct Approval: Equatable, Sendable {
    public var id: Int64
    public var createdNanoseconds: Int64
    public var expiresNanoseconds: Int64
    public var bot: String
    public var module: String
    public var symbol: String
    public var side: TradeSide
    public var quantity: Quantity
    public var entryPrice: Decimal
    public var stopPrice: Decimal
    public var buyingPower: Money
    public var risk: Money
    public var state: ApprovalState
    public var decidedNanoseconds: Int64?
    public var note: String
}

import Foundation

/// The trading account the budgets partition (the seed's "mindfolio"), declared in
/// `manifests/account.toml`. Amounts are USD; fractions are shares of capital.
public struct AccountDeclaration: Equatable, Sendable {
    public static let fileName = "account.toml"

    public let file: String
    public let name: String
    public let totalCapital: Money
    public let reserveCash: Money
    /// Realized loss across all modules in one UTC day that triggers the emergency stop.
    public let dailyLossLimit: Money
    /// Drawdown of account capital from its peak that triggers the emergency stop (0.15).
    public let maxDrawdown: Decimal
    /// How many of the riskiest open positions an emergency stop closes (0: none).
    public let closeRiskiestOnEmergency: Int
    /// Minutes a sized order waits for an operator's approval before it expires.
    public let approvalExpiryMinutes: Int
    /// A bot whose budget falls below this share of its initial budget pauses (0.5).
    public let botPauseFraction: Decimal
    public let supervisor: SupervisorPolicy

    public init(file: String, name: String, totalCapital: Money, reserveCash: Money, dailyLossLimit: Money,
                maxDrawdown: Decimal = Decimal(string: "0.15")!, closeRiskiestOnEmergency: Int = 0,
                approvalExpiryMinutes: Int = 60, botPauseFraction: Decimal = Decimal(string: "0.5")!,
                supervisor: SupervisorPolicy = SupervisorPolicy()) {
        self.file = file
        self.name = name
        self.totalCapital = totalCapital
        self.reserveCash = reserveCash
        self.dailyLossLimit = dailyLossLimit
        self.maxDrawdown = maxDrawdown
        self.closeRiskiestOnEmergency = closeRiskiestOnEmergency
        self.approvalExpiryMinutes = approvalExpiryMinutes
        self.botPauseFraction = botPauseFraction
        self.supervisor = supervisor
    }
}

/// The thresholds of the supervisor's compounding checklist, with the seed's values as defaults.
public struct SupervisorPolicy: Equatable, Sendable {
    public var minWinRate = Decimal(string: "0.60")!
    public var minSharpe = Decimal(1)
    public var maxDrawdown = Decimal(string: "0.15")!
    public var minTrades = 10
    public var minProfitFactor = Decimal(string: "1.5")!
    public var recentTrades = 5
    public var recentWins = 3
    /// Largest budget increase one trade may reinvest, as a share of the current budget.
    public var maxBudgetIncrease = Decimal(string: "0.20")!
    public var maxVIX = Decimal(30)
    public var criticalAlertHours = 24

    public init() {}
}

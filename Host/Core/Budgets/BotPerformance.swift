import Foundation

/// A bot's record, computed from its closed trades (net of fees and slippage).
public struct BotPerformance: Equatable, Sendable {
    public let trades: Int
    public let wins: Int
    public let losses: Int
    public let totalPnl: Money
    public let grossProfit: Money
    public let grossLoss: Money
    /// Wins among the last `recentWindow` trades.
    public let recentWins: Int
    public let recentWindow: Int
    /// Annualized Sharpe of daily returns; nil with fewer than two trading days.
    public let sharpe: Decimal?

    public init(trades history: [BotTrade], recentWindow: Int = 5) {
        trades = history.count
        wins = history.filter { $0.pnl > .zero }.count
        losses = trades - wins
        totalPnl = history.reduce(.zero) { $0 + $1.pnl }
        grossProfit = history.filter { $0.pnl > .zero }.reduce(.zero) { $0 + $1.pnl }
        grossLoss = history.filter { $0.pnl < .zero }.reduce(.zero) { $0 - $1.pnl }
        self.recentWindow = recentWindow
        recentWins = history.suffix(recentWindow).filter { $0.pnl > .zero }.count
        sharpe = Self.dailySharpe(history)
    }

    /// wins / trades; nil before the first trade.
    public var winRate: Decimal? { trades == 0 ? nil : Decimal(wins) / Decimal(trades) }

    /// Gross profit / gross loss; nil when there is no loss to divide by.
    public var profitFactor: Decimal? { grossLoss == .zero ? nil : grossProfit.decimal / grossLoss.decimal }

    /// Sharpe ratio of the bot's daily returns, annualized with sqrt(252), risk-free rate 0:
    /// a day's return is the sum of its closed results over the budget before the day's first
    /// close; days without a close are left out. Statistics, not money, so Double is fine here;
    /// the result is rounded to 4 places so reports and comparisons are stable.
    static func dailySharpe(_ history: [BotTrade]) -> Decimal? {
        var days: [(day: Int64, pnl: Decimal, base: Decimal)] = []
        for trade in history {
            let day = trade.closedNanoseconds / 86_400_000_000_000
            if let last = days.last, last.day == day {
                days[days.count - 1].pnl += trade.pnl.decimal
            } else {
                days.append((day, trade.pnl.decimal, trade.budgetBefore.decimal))
            }
        }
        let returns = days.compactMap { $0.base > 0 ? NSDecimalNumber(decimal: $0.pnl / $0.base).doubleValue : nil }
        guard returns.count >= 2 else { return nil }
        let mean = returns.reduce(0, +) / Double(returns.count)
        let variance = returns.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(returns.count - 1)
        let deviation = variance.squareRoot()
        guard deviation > 0 else { return mean > 0 ? Decimal(999) : 0 }
        return rounded(mean / deviation * 252.0.squareRoot(), places: 4)
    }

    static func rounded(_ value: Double, places: Int) -> Decimal {
        var exact = Decimal(string: String(format: "%.\(places)f", value)) ?? 0
        var result = Decimal()
        NSDecimalRound(&result, &exact, places, .bankers)
        return result
    }
}

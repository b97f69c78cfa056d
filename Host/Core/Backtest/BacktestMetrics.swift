import Foundation

/// A backtest's statistics, from its closed trades and its end-of-day equity. Money values are
/// exact (Money); ratios are Double. Formulas (docs/backtesting.md):
/// - daily return r_d = E_d / E_(d-1) - 1 over consecutive recorded days (the first day's
///   previous equity is the starting cash);
/// - Sharpe = mean(r) / stdev(r) * sqrt(252), sample standard deviation (n - 1), risk-free 0;
/// - Sortino = mean(r) / sqrt(sum(min(r, 0)^2) / n) * sqrt(252);
/// - max drawdown = max over days of (peak - E_d) / peak, peak the highest equity so far
///   (starting cash included);
/// - CAGR = (final / start)^(365.25 / days elapsed) - 1, days elapsed from the first bar's
///   start to the last bar's end;
/// - profit factor = gross profit / gross loss of closed trades (nil without a loss);
/// - exposure = bars during which a position was open / bars.
public struct BacktestMetrics: Equatable, Sendable {
    public let trades: Int
    public let wins: Int
    public let losses: Int
    public let winRate: Double?
    public let netPnL: Money
    public let averagePnL: Money?
    public let grossProfit: Money
    public let grossLoss: Money
    public let profitFactor: Double?
    /// Mean holding time of closed trades, in seconds of host time.
    public let averageDurationSeconds: Double?
    public let maxDrawdown: Double
    public let sharpe: Double?
    public let sortino: Double?
    public let exposure: Double
    public let cagr: Double?

    public static let tradingDaysPerYear = 252.0

    public init(trades closed: [ClosedTrade], startingCash: Money, dailyEquity: [Money], finalEquity: Money,
                exposedBars: Int, bars: Int, elapsedNanoseconds: Int64) {
        trades = closed.count
        wins = closed.filter { $0.pnl > .zero }.count
        losses = closed.filter { $0.pnl < .zero }.count
        winRate = closed.isEmpty ? nil : Double(wins) / Double(closed.count)
        netPnL = closed.reduce(Money.zero) { $0 + $1.pnl }
        averagePnL = closed.isEmpty ? nil : Money(units: netPnL.units / Int64(closed.count))
        grossProfit = closed.filter { $0.pnl > .zero }.reduce(Money.zero) { $0 + $1.pnl }
        grossLoss = -closed.filter { $0.pnl < .zero }.reduce(Money.zero) { $0 + $1.pnl }
        profitFactor = grossLoss > .zero ? Self.double(grossProfit) / Self.double(grossLoss) : nil
        averageDurationSeconds = closed.isEmpty ? nil
            : closed.reduce(0.0) { $0 + Double($1.exitNanoseconds - $1.entryNanoseconds) / 1e9 } / Double(closed.count)
        exposure = bars > 0 ? Double(exposedBars) / Double(bars) : 0

        var peak = Self.double(startingCash), drawdown = 0.0
        var previous = peak
        var returns: [Double] = []
        returns.reserveCapacity(dailyEquity.count)
        for money in dailyEquity {
            let value = Self.double(money)
            if previous > 0 { returns.append(value / previous - 1) }
            previous = value
            peak = max(peak, value)
            if peak > 0 { drawdown = max(drawdown, (peak - value) / peak) }
        }
        maxDrawdown = drawdown
        (sharpe, sortino) = Self.ratios(returns)
        let start = Self.double(startingCash), end = Self.double(finalEquity)
        let years = Double(elapsedNanoseconds) / 1e9 / 86_400 / 365.25
        cagr = start > 0 && end > 0 && years > 0 ? pow(end / start, 1 / years) - 1 : nil
    }

    static func ratios(_ returns: [Double]) -> (sharpe: Double?, sortino: Double?) {
        guard returns.count >= 2 else { return (nil, nil) }
        let n = Double(returns.count)
        let mean = returns.reduce(0, +) / n
        let variance = returns.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        let downside = (returns.reduce(0) { $0 + min($1, 0) * min($1, 0) } / n).squareRoot()
        let annual = tradingDaysPerYear.squareRoot()
        return (variance > 0 ? mean / variance.squareRoot() * annual : nil, downside > 0 ? mean / downside * annual : nil)
    }

    static func double(_ money: Money) -> Double { Double(money.units) / Double(Money.scale) }
}

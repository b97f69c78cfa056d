import Foundation
import TBotCore

/// The human-readable report of one backtest.
enum BacktestReportText {
    static func lines(_ result: BacktestResult) -> [String] {
        let m = result.metrics
        func ratio(_ value: Double?, percent: Bool = false) -> String {
            guard let value, value.isFinite else { return "n/a" }
            return percent ? String(format: "%.2f%%", value * 100) : String(format: "%.3f", value)
        }
        let parameters = result.parameters.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        var lines = [
            "backtest \(result.strategy) on \(result.symbol) (\(parameters))",
            "bars \(result.bars) from \(UTCTimestamp.iso8601(nanoseconds: result.firstBarNanoseconds)) to \(UTCTimestamp.iso8601(nanoseconds: result.lastBarEndNanoseconds))"
                + (result.skippedRows > 0 ? ", \(result.skippedRows) bad rows skipped" : ""),
            "starting cash \(result.startingCash), final value \(result.finalValue), net P&L \(result.netPnL)",
            "trades \(m.trades) (\(m.wins) won, \(m.losses) lost), win rate \(ratio(m.winRate, percent: true)), "
                + "average P&L \(m.averagePnL.map { "\($0)" } ?? "n/a"), profit factor \(ratio(m.profitFactor))",
            "max drawdown \(ratio(m.maxDrawdown, percent: true)), Sharpe \(ratio(m.sharpe)), Sortino \(ratio(m.sortino)), "
                + "CAGR \(ratio(m.cagr, percent: true)), exposure \(ratio(m.exposure, percent: true))",
            "orders \(result.counts.orders) (\(result.counts.rejectedOrders) rejected), risk rejections \(result.counts.riskRejections), "
                + "budget rejections \(result.counts.budgetRejections)",
            String(format: "%.3f s, %.0f bars/s", result.seconds, result.barsPerSecond),
        ]
        lines += result.files.map { "wrote \($0.path)" }
        return lines
    }
}

import Foundation

/// The files of one backtest, all inside its output folder: the backtest ledger, the trade
/// history, the daily summary, the summary, the equity chart and the transcript (streamed to
/// `log` during the run; the rest is written at its end). A run first
/// removes the files of the previous run in the folder (only those names), so the folder
/// always shows one run.
struct BacktestOutput {
    let directory: URL
    let layout: OutputLayout

    init(directory: URL, identity: LedgerIdentity) {
        self.directory = directory
        layout = OutputLayout(outputDirectory: directory, backupDirectory: directory.appendingPathComponent("backups"),
                              identity: identity, mode: .backtest)
    }

    var tradeHistoryCSV: URL { directory.appendingPathComponent("trade_history_backtest.csv") }
    var tradeHistoryJSON: URL { directory.appendingPathComponent("trade_history_backtest.json") }
    var dailySummary: URL { directory.appendingPathComponent("daily_summary_backtest.json") }
    var summary: URL { directory.appendingPathComponent("summary_backtest.json") }
    var chart: URL { directory.appendingPathComponent("equity_backtest.svg") }
    var log: URL { directory.appendingPathComponent("backtest.log") }

    var files: [URL] { [layout.ledgerFile, tradeHistoryCSV, tradeHistoryJSON, dailySummary, summary, chart, log] }

    func clear() throws {
        let ledger = layout.ledgerFile.path
        for path in files.map(\.path) + [ledger + "-wal", ledger + "-shm"] where FileManager.default.fileExists(atPath: path) {
            try FileManager.default.removeItem(atPath: path)
        }
    }

    func write(_ result: BacktestResult) throws -> BacktestResult {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try ReportFile.writeAtomically(TradeHistoryWriter.csvText(result.tradeRecords), to: tradeHistoryCSV)
        try ReportFile.writeAtomically(TradeHistoryWriter.jsonText(result.tradeRecords), to: tradeHistoryJSON)
        try ReportFile.writeAtomically(dailyText(result), to: dailySummary)
        try ReportFile.writeAtomically(result.summaryJSON(timing: false), to: summary)
        let points = result.days.map { EquityChart.Point(day: $0.day, equity: $0.equity.decimal) }
        try ReportFile.writeAtomically(EquityChart(title: "\(result.strategy) on \(result.symbol)").svg(points), to: chart)
        return result
    }

    /// One object per UTC day: the account at its end and the trades closed in it.
    private func dailyText(_ result: BacktestResult) -> String {
        var closedByDay: [String: (count: Int, pnl: Money)] = [:]
        for trade in result.trades {
            let day = UTCDate.day(of: trade.exitNanoseconds)
            let sofar = closedByDay[day] ?? (0, .zero)
            closedByDay[day] = (sofar.count + 1, sofar.pnl + trade.pnl)
        }
        var peak = result.startingCash
        let days: [ReportJSON] = result.days.map { day in
            peak = max(peak, day.equity)
            let closed = closedByDay[day.day] ?? (0, .zero)
            let drawdown = peak > .zero ? BacktestMetrics.double(peak - day.equity) / BacktestMetrics.double(peak) : 0
            return .object([
                ("date", .string(day.day)), ("cash", .number(BacktestResult.money(day.cash))),
                ("equity", .number(BacktestResult.money(day.equity))), ("drawdown", BacktestResult.number(drawdown)),
                ("closed_trades", .number("\(closed.count)")), ("realized_pnl", .number(BacktestResult.money(closed.pnl))),
            ])
        }
        return ReportJSON.object([("mode", .string("backtest")), ("strategy", .string(result.strategy)),
                                  ("symbol", .string(result.symbol)), ("days", .array(days))]).rendered(pretty: true) + "\n"
    }
}

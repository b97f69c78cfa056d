import Foundation

/// What one backtest produced: the figures of the `--json` summary and the files it wrote.
public struct BacktestResult {
    public let strategy: String
    public let symbol: String
    public let parameters: [ManifestParameter]
    public let startingCash: Money
    public let bars: Int
    public let firstBarNanoseconds: Int64
    public let lastBarEndNanoseconds: Int64
    public let finalValue: Money
    public let finalCash: Money
    public let metrics: BacktestMetrics
    public let counts: TradingPipeline.Counts
    public let skippedRows: Int
    /// Wall-clock time of the whole run, reading the file included (not part of any output file).
    public let seconds: Double
    public let trades: [ClosedTrade]
    public let tradeRecords: [TradeRecord]
    /// End-of-day account values, one per UTC day with bars.
    public let days: [(day: String, cash: Money, equity: Money)]
    public var files: [URL]

    public var netPnL: Money { finalValue - startingCash }
    public var barsPerSecond: Double { seconds > 0 ? Double(bars) / seconds : 0 }

    init(strategy: String, symbol: String, parameters: [ManifestParameter], startingCash: Money, replay: BacktestReplay,
         pipeline: TradingPipeline, skippedRows: Int, seconds: Double, files: [URL]) {
        self.strategy = strategy
        self.symbol = symbol
        self.parameters = parameters
        self.startingCash = startingCash
        bars = pipeline.counts.bars
        firstBarNanoseconds = replay.firstBar
        lastBarEndNanoseconds = replay.lastBarEnd
        let closing = replay.days.last?.account
        finalValue = closing?.equity ?? startingCash
        finalCash = closing?.cash ?? startingCash
        counts = pipeline.counts
        self.skippedRows = skippedRows
        self.seconds = seconds
        trades = pipeline.closedTrades
        tradeRecords = pipeline.tradeRecords
        days = replay.days.map { (day: UTCDate.day(of: $0.day * 86_400_000_000_000), cash: $0.account.cash, equity: $0.account.equity) }
        metrics = BacktestMetrics(trades: pipeline.closedTrades, startingCash: startingCash, dailyEquity: replay.days.map(\.account.equity),
                                  finalEquity: finalValue, exposedBars: replay.exposedBars, bars: pipeline.counts.bars,
                                  elapsedNanoseconds: replay.lastBarEnd - replay.firstBar)
        self.files = files
    }

    /// The summary object: the run's figures (sorted keys). `timing` adds `seconds` and
    /// `bars_per_second`, which differ from run to run; the summary file leaves them out so the
    /// same inputs give byte-identical files.
    public func summaryJSON(timing: Bool) -> String {
        var members: [(String, ReportJSON)] = [
            ("average_duration_seconds", Self.number(metrics.averageDurationSeconds)),
            ("average_pnl", metrics.averagePnL.map { .number(Self.money($0)) } ?? .null),
            ("bars", .number("\(bars)")),
            ("cagr", Self.number(metrics.cagr)),
            ("exposure", Self.number(metrics.exposure)),
            ("final_cash", .number(Self.money(finalCash))),
            ("final_value", .number(Self.money(finalValue))),
            ("first_bar", .string(UTCTimestamp.iso8601(nanoseconds: firstBarNanoseconds))),
            ("gross_loss", .number(Self.money(metrics.grossLoss))),
            ("gross_profit", .number(Self.money(metrics.grossProfit))),
            ("last_bar_end", .string(UTCTimestamp.iso8601(nanoseconds: lastBarEndNanoseconds))),
            ("losses", .number("\(metrics.losses)")),
            ("max_drawdown", Self.number(metrics.maxDrawdown)),
            ("net_pnl", .number(Self.money(netPnL))),
            ("orders", .number("\(counts.orders)")),
            ("parameters", .object(parameters.map { ($0.key, .string($0.value)) })),
            ("profit_factor", Self.number(metrics.profitFactor)),
            ("realized_pnl", .number(Self.money(metrics.netPnL))),
            ("rejected_orders", .number("\(counts.rejectedOrders)")),
            ("risk_rejections", .number("\(counts.riskRejections)")),
            ("budget_rejections", .number("\(counts.budgetRejections)")),
            ("sharpe", Self.number(metrics.sharpe)),
            ("skipped_rows", .number("\(skippedRows)")),
            ("sortino", Self.number(metrics.sortino)),
            ("starting_cash", .number(Self.money(startingCash))),
            ("strategy", .string(strategy)),
            ("symbol", .string(symbol)),
            ("trades", .number("\(metrics.trades)")),
            ("win_rate", Self.number(metrics.winRate)),
            ("wins", .number("\(metrics.wins)")),
        ]
        if timing {
            members.append(("seconds", Self.number(seconds)))
            members.append(("bars_per_second", Self.number(barsPerSecond.rounded())))
        }
        return ReportJSON.object(members.sorted { $0.0 < $1.0 }).rendered(pretty: true) + "\n"
    }

    /// Money as a JSON number: exact, at least two decimals, no trailing zeros beyond them.
    static func money(_ value: Money) -> String {
        var text = value.exactDescription
        while text.hasSuffix("0"), let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) > 3 { text.removeLast() }
        return text
    }

    /// A ratio as a JSON number with 12 significant digits; null when undefined.
    static func number(_ value: Double?) -> ReportJSON {
        guard let value, value.isFinite else { return .null }
        if value == value.rounded(), abs(value) < 1e15 { return .number(String(Int64(value))) }
        return .number(String(format: "%.12g", value))
    }
}

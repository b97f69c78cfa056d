import Foundation
import Logging

/// A trading session that keeps books: before the first write it backs the ledger up, then
/// it rebuilds open positions from the ledger, reconciles the broker's fills, brings the
/// budgets in line with the declared plan, posts every fill (and the budget settlement of
/// each closed trade) as it happens, and at the end writes the trade history, the daily
/// summary and the session log. Every path comes from one OutputLayout, so a paper session cannot reach a
/// live file.
public struct RecordedSession {
    public let layout: OutputLayout
    public let config: RuntimeConfig

    public init(layout: OutputLayout, config: RuntimeConfig) {
        self.layout = layout
        self.config = config
    }

    public struct Report {
        public let pipeline: TradingPipeline
        public let backup: URL?
        public let reconciliation: LedgerReconciler.Report
        public let tradeHistory: (csv: URL, json: URL)
        public let summary: URL
        public let ledgerPath: String
        /// What synchronizing the declared budgets changed in the books.
        public let budgetChanges: [String]
        /// Reserve plus module and bot budgets, and the account capital they must equal.
        public let budgetInvariant: (parts: Money, capital: Money)
        /// The daily price history after this session, for the next one.
        public let priceHistory: PriceHistory
    }

    /// `history` is the daily price history the previous session left (volume and correlation
    /// rules); the report hands back the updated one.
    public func run(bots: [PipelineBot], plan: BudgetPlan, filters: [FilterPlugin], broker: BrokerPlugin,
                    session: SessionWindow, bars: [Bar], clock: SimulatedClock, history: PriceHistory = PriceHistory()) throws -> Report {
        let books = try SessionBooks(layout: layout, config: config, plan: plan, broker: broker, clock: clock, history: history)
        let pipeline = books.pipeline(bots: bots, filters: filters, broker: broker, clock: clock)
        pipeline.run(session: session, bars: bars)

        let day = UTCDate.day(of: session.startNanoseconds)
        let history = try TradeHistoryWriter.write(pipeline.tradeRecords, layout: layout, session: session.name, date: day)
        let summary = try DailySummary.write(pipeline.tradeRecords, date: day, layout: layout)
        let log = try SessionLog(layout: layout, name: session.name, format: config.logFormat, clock: clock, source: "session")
        defer { log.close() }
        for fill in books.reconciliation.recovered { try log.write(.warning, "reconciled fill \(fill) from the broker") }
        for line in books.reconciliation.positionMismatches { try log.write(.error, "position mismatch: \(line)") }
        for line in books.budgetChanges { try log.write(.info, "budgets: \(line)") }
        for line in pipeline.transcript { try log.write(.info, line) }
        return Report(pipeline: pipeline, backup: books.backup, reconciliation: books.reconciliation, tradeHistory: history,
                      summary: summary, ledgerPath: layout.ledgerFile.path, budgetChanges: books.budgetChanges,
                      budgetInvariant: try books.budgets.invariant(), priceHistory: books.risk.history)
    }
}

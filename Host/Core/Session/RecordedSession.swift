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
        // Read before anything is written: a malformed sector map stops the session untouched.
        let sectors = try SectorMap.configured(config: config, manifestsDirectory: (plan.account.file as NSString).deletingLastPathComponent)
        let path = layout.ledgerFile.path
        let existed = FileManager.default.fileExists(atPath: path)
        let ledger = try Ledger(path: path, mode: layout.mode, identity: layout.identity, durability: .full)
        var backup: URL?
        if existed {
            backup = try LedgerBackup.backup(ledger, layout: layout, now: clock.nowNanoseconds)
            _ = try LedgerBackup.prune(layout: layout, retentionDays: config.backupRetentionDays, now: clock.nowNanoseconds)
        }
        let poster = try LedgerPoster(ledger: ledger, brokerCode: layout.identity.broker, brokerID: broker.id)
        var book = try LedgerBookLoader.book(from: ledger, brokerCode: layout.identity.broker, brokerID: broker.id,
                                             uuidNamespace: "\(layout.identity.stem)|\(layout.mode.rawValue)")
        let fresh = try poster.postOpeningBalance(try broker.account().cash, at: clock.nowNanoseconds) != nil
        let budgets = try BudgetBook(ledger: ledger, plan: plan)
        let changes = try budgets.synchronize(at: clock.nowNanoseconds, holdingBots: Set(book.holdings.values.map(\.bot)))
        var reconciliation = LedgerReconciler.Report()
        if !fresh {
            // Books already exist: whatever the broker filled while the host was down comes in now.
            reconciliation = try LedgerReconciler.reconcile(broker: broker, poster: poster, book: &book, at: clock.nowNanoseconds,
                                                            budgets: budgets)
        }
        let risk = try RiskEngine(limits: RiskLimits(config: config), sectors: sectors,
                                  journal: try RiskJournal(ledger: ledger), accountCapital: plan.account.totalCapital,
                                  activeBrokers: [broker.id], flagFile: { layout.shutdownFlag(broker: $0) }, history: history)
        let pipeline = TradingPipeline(bots: bots, filters: filters, broker: broker, risk: risk, clock: clock, poster: poster, book: book,
                                       mode: layout.mode, budgets: budgets)
        pipeline.run(session: session, bars: bars)

        let day = UTCDate.day(of: session.startNanoseconds)
        let history = try TradeHistoryWriter.write(pipeline.tradeRecords, layout: layout, session: session.name, date: day)
        let summary = try DailySummary.write(pipeline.tradeRecords, date: day, layout: layout)
        let log = try SessionLog(layout: layout, name: session.name, format: config.logFormat, clock: clock, source: "session")
        defer { log.close() }
        for fill in reconciliation.recovered { try log.write(.warning, "reconciled fill \(fill) from the broker") }
        for line in reconciliation.positionMismatches { try log.write(.error, "position mismatch: \(line)") }
        for line in changes { try log.write(.info, "budgets: \(line)") }
        for line in pipeline.transcript { try log.write(.info, line) }
        return Report(pipeline: pipeline, backup: backup, reconciliation: reconciliation, tradeHistory: history,
                      summary: summary, ledgerPath: path, budgetChanges: changes, budgetInvariant: try budgets.invariant(),
                      priceHistory: risk.history)
    }
}

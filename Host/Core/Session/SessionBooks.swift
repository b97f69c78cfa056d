import Foundation

/// The books a trading run keeps, opened in the safe order: the sector map is read before
/// anything is written, the ledger is backed up before the first write, open positions are
/// rebuilt from the ledger, what the broker filled while the host was down is reconciled, the
/// budgets are brought in line with the declared plan, and the risk engine starts from the
/// journal. Every path comes from one OutputLayout, so a paper run cannot reach a live file.
public final class SessionBooks {
    public let layout: OutputLayout
    public let ledger: Ledger
    public let poster: LedgerPoster
    public let budgets: BudgetBook
    public let risk: RiskEngine
    public internal(set) var book: PositionBook
    public let backup: URL?
    public let reconciliation: LedgerReconciler.Report
    /// What synchronizing the declared budgets changed in the books.
    public let budgetChanges: [String]

    public init(layout: OutputLayout, config: RuntimeConfig, plan: BudgetPlan, broker: BrokerPlugin, clock: HostClock,
                history: PriceHistory = PriceHistory()) throws {
        let sectors = try SectorMap.configured(config: config, manifestsDirectory: (plan.account.file as NSString).deletingLastPathComponent)
        self.layout = layout
        let path = layout.ledgerFile.path
        let existed = FileManager.default.fileExists(atPath: path)
        ledger = try Ledger(path: path, mode: layout.mode, identity: layout.identity, durability: .full)
        var backup: URL?
        if existed {
            backup = try LedgerBackup.backup(ledger, layout: layout, now: clock.nowNanoseconds)
            _ = try LedgerBackup.prune(layout: layout, retentionDays: config.backupRetentionDays, now: clock.nowNanoseconds)
        }
        self.backup = backup
        poster = try LedgerPoster(ledger: ledger, brokerCode: layout.identity.broker, brokerID: broker.id)
        book = try LedgerBookLoader.book(from: ledger, brokerCode: layout.identity.broker, brokerID: broker.id,
                                         uuidNamespace: "\(layout.identity.stem)|\(layout.mode.rawValue)")
        let fresh = try poster.postOpeningBalance(try broker.account().cash, at: clock.nowNanoseconds) != nil
        budgets = try BudgetBook(ledger: ledger, plan: plan)
        budgetChanges = try budgets.synchronize(at: clock.nowNanoseconds, holdingBots: Set(book.holdings.values.map(\.bot)))
        var reconciliation = LedgerReconciler.Report()
        if !fresh {
            // Books already exist: whatever the broker filled while the host was down comes in now.
            reconciliation = try LedgerReconciler.reconcile(broker: broker, poster: poster, book: &book, at: clock.nowNanoseconds,
                                                            budgets: budgets)
        }
        self.reconciliation = reconciliation
        risk = try RiskEngine(limits: RiskLimits(config: config), sectors: sectors,
                              journal: try RiskJournal(ledger: ledger), accountCapital: plan.account.totalCapital,
                              activeBrokers: [broker.id], flagFile: { layout.shutdownFlag(broker: $0) }, history: history)
    }

    /// A pipeline over these books; hand its book back with `keep` when its session ends.
    public func pipeline(bots: [PipelineBot], filters: [FilterPlugin], broker: BrokerPlugin, clock: SimulatedClock) -> TradingPipeline {
        TradingPipeline(bots: bots, filters: filters, broker: broker, risk: risk, clock: clock, poster: poster, book: book,
                        mode: layout.mode, budgets: budgets)
    }

    /// Takes over the positions a finished session's pipeline left.
    public func keep(_ pipeline: TradingPipeline) { book = pipeline.book }
}

import Foundation

/// Replays one data file through the same pipeline a live session runs: the strategy bot,
/// the enabled filters, the risk engine, the budgets, the simulated broker and a backtest
/// ledger (mode backtest: its own file in the backtest's output folder, never the paper or
/// live books). Bars stream from the file, so memory does not grow with its length.
///
/// Sessions: bars of a day or longer form one session over the whole range (positions are
/// held across days, the risk engine still counts each UTC day); intraday bars form one
/// session per UTC day, which the host flattens at its end as a live session. When the data
/// ends, open positions stay open and are valued at the last close, and orders still working
/// are canceled: no later bar exists to fill them at.
public struct Backtester {
    public let setup: HostSetup
    /// Called now and then with the bars done so far (a progress bar on a terminal).
    public var progress: ((Int, Int64) -> Void)?

    public init(setup: HostSetup) {
        self.setup = setup
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public func run(_ options: BacktestOptions) throws -> BacktestResult {
        let started = DispatchTime.now().uptimeNanoseconds
        let reader = try OHLCVReader(path: options.dataPath, options: options.read)
        guard let first = try reader.next() else {
            throw Failure(description: "\(options.dataPath): no bars in the requested range")
        }
        let account: AccountDeclaration
        switch AccountManifestParser.parse(file: URL(fileURLWithPath: setup.manifestsDirectory).appendingPathComponent(AccountDeclaration.fileName).path) {
        case .success(let parsed): account = parsed
        case .failure(let error): throw Failure(description: error.description)
        }
        let config = setup.config
        let cash = options.cash ?? account.totalCapital
        let clock = SimulatedClock(startNanoseconds: first.startNanoseconds)
        let environment = setup.environment(clock: clock, logLevel: .warning, runMode: .backtest)
        let overrides = [ManifestParameter(key: "starting_cash", value: cash.exactDescription)] + options.fill.parameters
        let plugins = try BacktestPlugins(manifestsDirectory: setup.manifestsDirectory, pluginsDirectory: setup.pluginsDirectory,
                                          strategyID: options.strategyID, brokerID: options.brokerID, brokerOverrides: overrides,
                                          environment: environment)
        let plan = try BacktestPlan.make(account: account, strategy: plugins.strategyManifest, symbol: first.symbol, cash: cash)
        let module = plan.modules[0], declared = module.bots[0]
        let parameters = BudgetPlan.merged(module.strategyParameters, overrides: options.parameters)
        let strategy: StrategyPlugin
        switch PluginInstance.make(library: plugins.strategyLibrary, parameters: parameters, environment: environment) {
        case .failure(let failure): throw Failure(description: failure.description)
        case .success(let instance): strategy = StrategyPlugin(instance)!
        }
        let sectors = try SectorMap.configured(config: config, manifestsDirectory: setup.manifestsDirectory)
        let vix = try VIXSeries.configured(config: config, workingDirectory: FileManager.default.currentDirectoryPath)

        // Everything above only read: from here on the backtest's own folder is written.
        let output = BacktestOutput(directory: URL(fileURLWithPath: options.outputDirectory), identity: config.ledgerIdentity)
        try output.clear()
        do {
            try FileManager.default.createDirectory(at: output.directory, withIntermediateDirectories: true)
            let log = try LineFile(url: output.log)
            let ledger = try Ledger(path: output.layout.ledgerFile.path, mode: .backtest, identity: output.layout.identity, durability: .scratch,
                                    soleWriter: true)
            let poster = try LedgerPoster(ledger: ledger, brokerCode: output.layout.identity.broker, brokerID: plugins.broker.id)
            _ = try poster.postOpeningBalance(try plugins.broker.account().cash, at: clock.nowNanoseconds)
            let budgets = try BudgetBook(ledger: ledger, plan: plan)
            _ = try budgets.synchronize(at: clock.nowNanoseconds, holdingBots: [])
            let risk = try RiskEngine(limits: RiskLimits(config: config), sectors: sectors, journal: try RiskJournal(ledger: ledger, soleWriter: true),
                                      accountCapital: cash, activeBrokers: [plugins.broker.id], flagFile: nil)
            risk.notifiesRebalance = false
            let pipeline = TradingPipeline(bots: [PipelineBot(id: declared.id, module: module.id, strategy: strategy, symbols: [first.symbol])],
                                           filters: plugins.filters, broker: plugins.broker, risk: risk, clock: clock, poster: poster,
                                           mode: .backtest, budgets: budgets)
            pipeline.pollsOperators = false
            pipeline.transcriptSink = log.append
            if let vix { pipeline.vix = { vix.value(at: $0) } }
            let replay = try replay(reader: reader, first: first, pipeline: pipeline, broker: plugins.broker, ledger: ledger)
            try log.close()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            return try output.write(BacktestResult(
                strategy: options.strategyID, symbol: first.symbol, parameters: parameters, startingCash: cash, replay: replay,
                pipeline: pipeline, skippedRows: reader.skipped, seconds: seconds, files: output.files))
        } catch {
            // A run that cannot finish leaves no half-written books or reports behind.
            try? output.clear()
            throw error
        }
    }

    /// Simulated days per ledger commit. A commit writes every page its batch touched, and
    /// consecutive days touch mostly the same pages: four months per commit write each of them
    /// once instead of a hundred times. The batch stays small: what it changed sits in the
    /// ledger's 2 MiB page cache (spilled to the file beyond that), not in the process.
    static let daysPerCommit: Int64 = 128

    /// The bar loop: sessions, the day's equity, exposure.
    /// The ledger's writes are committed in batches of `daysPerCommit` simulated days: the
    /// backtest's books are scratch, and a failed run removes them.
    private func replay(reader: OHLCVReader, first: Bar, pipeline: TradingPipeline, broker: BrokerPlugin, ledger: Ledger) throws -> BacktestReplay {
        let intraday = first.intervalSeconds > 0 && first.intervalSeconds < 86_400
        func window(_ day: Int64) -> SessionWindow {
            intraday ? SessionWindow(name: "backtest", startNanoseconds: day * 86_400_000_000_000, endNanoseconds: (day + 1) * 86_400_000_000_000)
                : SessionWindow(name: "backtest", startNanoseconds: first.startNanoseconds, endNanoseconds: .max)
        }
        var replay = BacktestReplay(firstBar: first.startNanoseconds)
        var day = UTCDate.dayIndex(of: first.startNanoseconds)
        var session = window(day)
        var batchStart = day
        try ledger.beginBatch()
        pipeline.begin(session: session)
        var bar = first
        while true {
            let barDay = UTCDate.dayIndex(of: bar.startNanoseconds)
            if barDay != day {
                if intraday { pipeline.end(session: session) }
                replay.days.append(BacktestReplay.Day(day: day, account: try broker.account()))
                if barDay - batchStart >= Self.daysPerCommit {
                    try ledger.commitBatch()
                    try ledger.beginBatch()
                    batchStart = barDay
                }
                day = barDay
                if intraday {
                    session = window(day)
                    pipeline.begin(session: session)
                }
            }
            pipeline.process(bar)
            if pipeline.hasOpenPositions { replay.exposedBars += 1 }
            if pipeline.counts.bars & 0xFFFF == 0 { progress?(pipeline.counts.bars, bar.startNanoseconds) }
            guard try reader.next(into: &bar) else { break }
        }
        pipeline.end(session: session, flatten: false)
        pipeline.cancelWorkingOrders(reason: "the data ended before a bar could fill it")
        replay.days.append(BacktestReplay.Day(day: day, account: try broker.account()))
        try ledger.commitBatch()
        replay.lastBarEnd = bar.endNanoseconds
        return replay
    }
}

/// What the bar loop measured.
struct BacktestReplay {
    struct Day {
        let day: Int64
        let account: BrokerAccount
    }

    let firstBar: Int64
    var lastBarEnd: Int64 = 0
    var days: [Day] = []
    var exposedBars = 0
}

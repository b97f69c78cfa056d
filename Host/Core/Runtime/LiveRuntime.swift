import Foundation
import Logging

/// `tbot run`: the session runtime. One event loop, one event at a time: the scheduler opens
/// and closes the day's sessions (SessionSchedule), bars come from the broker (live) or a
/// replay file (simulated clock) and go through the same TradingPipeline as every other path,
/// the watchdog probes the broker, control files and SIGTERM stop it safely, and status.json
/// follows every state change. Plugins change only at session boundaries (RuntimePlugins).
public final class LiveRuntime {
    public struct Options {
        public var brokerID: String
        /// Run only this session (open, mid, close) once, then exit.
        public var onlySession: String?
        /// Idle until control_start.txt appears.
        public var waitForStart = false
        public var workingDirectory: String

        public init(brokerID: String, onlySession: String? = nil, waitForStart: Bool = false,
                    workingDirectory: String = FileManager.default.currentDirectoryPath) {
            self.brokerID = brokerID
            self.onlySession = onlySession
            self.waitForStart = waitForStart
            self.workingDirectory = workingDirectory
        }
    }

    public struct Summary {
        public var sessions: [String] = []
        public var counts = TradingPipeline.Counts()
        public var stopReason = ""
        public var ledgerFaults: [String] = []
        public var dailySummaries: [URL] = []
    }

    let config: RuntimeConfig
    let options: Options
    let layout: OutputLayout
    let clock: SimulatedClock
    /// The wall clock in a live run; nil in a replay (the bars drive `clock`).
    let wall: HostClock?
    let source: BarSource
    let plugins: RuntimePlugins
    let books: SessionBooks
    let control: ControlFiles
    let schedule: SessionSchedule
    let signals: RuntimeSignals?
    let notifier: Notifier?
    let unresolved: UnresolvedOrdersLog
    let log: SessionLog
    var watchdog: Watchdog
    var status: RuntimeStatus
    var lastStatus: RuntimeStatus?
    var active: ActiveSession?
    var finishedSessions = Set<String>()
    var summary = Summary()
    /// Closed trades and failed orders per UTC date, for that day's summary.
    var dayRecords: [String: [TradeRecord]] = [:]
    var watchdogSuspension: String?
    var haltedBrokers = Set<String>()
    let vix: VIXSeries?
    /// Called after each session's books are written, with its name (tests, embedding hosts).
    public var sessionEnded: ((String) -> Void)?

    final class ActiveSession {
        let session: ScheduledSession
        let pipeline: TradingPipeline
        /// The session's log, written as the transcript grows so an operator can follow it.
        let log: SessionLog
        var written = 0

        init(session: ScheduledSession, pipeline: TradingPipeline, log: SessionLog) {
            self.session = session
            self.pipeline = pipeline
            self.log = log
        }

        func flushLog() {
            let lines = pipeline.transcript
            while written < lines.count {
                try? log.write(.info, lines[written])
                written += 1
            }
        }
    }

    /// Opens the books and the plugins in the safe order; nothing is written when this throws
    /// before the books open (config, manifests, broker self_check, replay file).
    /// `replay`: the bars of a replay (then `wall` is nil); without one, bars come from the broker.
    public init(setup: HostSetup, mode: LedgerMode, options: Options, clock: SimulatedClock, wall: HostClock?,
                replay: ReplayBarSource?, environment: HostEnvironment, notifier: Notifier?, signals: RuntimeSignals?) throws {
        config = setup.config
        self.options = options
        self.clock = clock
        self.wall = wall
        self.notifier = notifier
        self.signals = signals
        layout = OutputLayout(config: config, workingDirectory: options.workingDirectory, mode: mode)
        control = ControlFiles(config: config, workingDirectory: options.workingDirectory)
        schedule = SessionSchedule(config: config)
        vix = try VIXSeries.configured(config: config, workingDirectory: options.workingDirectory)
        plugins = try RuntimePlugins(setup: setup, environment: environment,
                                     images: PluginImages(folder: layout.outputDirectory.appendingPathComponent("state/plugin-images")),
                                     brokerID: options.brokerID)
        let symbols = Set(plugins.plan.modules.flatMap { $0.bots.flatMap(\.symbols) }).sorted()
        source = replay ?? BrokerBarSource(broker: plugins.broker, symbols: symbols, since: clock.nowNanoseconds)
        try FileManager.default.createDirectory(at: layout.outputDirectory.appendingPathComponent("state"), withIntermediateDirectories: true)
        books = try SessionBooks(layout: layout, config: config, plan: plugins.plan, broker: plugins.broker, clock: clock)
        unresolved = UnresolvedOrdersLog(layout: layout)
        log = try SessionLog(layout: layout, name: "runtime", format: config.logFormat, clock: clock, source: "runtime")
        watchdog = Watchdog(config: config, startNanoseconds: clock.nowNanoseconds)
        status = RuntimeStatus(mode: mode.rawValue, testMode: config.testMode,
                               broker: .init(id: options.brokerID, connected: true, retries: 0, retriesExhausted: 0))
        installRetry()
        try startupReport()
    }

    /// Runs until the replay ends, the one session ran, or a stop (control file, signal,
    /// watchdog). Always leaves the books closed cleanly and status.json in `shutdown`.
    public func run() throws -> Summary {
        defer { log.close() }
        if control.startRequested {
            note(.info, "control_start.txt: \(control.note(control.startFile)); a standing stop is cleared")
            control.consumeStart()
        } else if control.stopRequested {
            return try finish(reason: "control_stop.txt is present (\(control.note(control.stopFile))): not starting; `tbot start` clears it")
        } else if options.waitForStart {
            note(.info, "waiting for control_start.txt")
            while !control.startRequested {
                if let reason = stopRequest() { return try finish(reason: reason) }
                try writeStatus()
                pause()
            }
            control.consumeStart()
        }
        while true {
            if let reason = stopRequest() { return try finish(reason: reason) }
            if source.drivesClock {
                guard let bar = try source.next(upTo: clock.nowNanoseconds).first else {
                    return try finish(reason: "replay finished")
                }
                try advanceSchedule(to: bar.startNanoseconds)
                if let reason = stopRequest() { return try finish(reason: reason) }
                if let active, bar.startNanoseconds < active.session.end {
                    active.pipeline.process(bar)
                    active.flushLog()
                } else {
                    clock.advance(to: max(clock.nowNanoseconds, bar.endNanoseconds))
                    books.risk.observe(bar)
                    try? plugins.broker.marketBar(bar)
                }
                try superviseBroker()
            } else {
                let now = wall!.nowNanoseconds
                clock.advance(to: max(clock.nowNanoseconds, now))
                try advanceSchedule(to: now)
                if let active {
                    pollBars(into: active.pipeline, now: now)
                    active.pipeline.tick(to: now)
                    active.flushLog()
                }
                try superviseBroker()
                if let done = onlySessionDone() { return try finish(reason: done) }
                try writeStatus()
                pause()
                continue
            }
            if let done = onlySessionDone() { return try finish(reason: done) }
            try writeStatus()
        }
    }

    /// A stop asked by the operator: control_stop.txt, SIGTERM or SIGINT.
    func stopRequest() -> String? {
        if control.stopRequested { return "control_stop.txt: \(control.note(control.stopFile))" }
        if let signal = signals?.caught { return signal == SIGTERM ? "SIGTERM" : "signal \(signal)" }
        return nil
    }

    func onlySessionDone() -> String? {
        guard let only = options.onlySession, active == nil, finishedSessions.contains(where: { $0.hasPrefix(only + "@") }) else { return nil }
        return "session \(only) finished"
    }

    /// Sleeps SLEEP_TIME in short slices, so a stop is seen quickly (live only).
    func pause() {
        guard wall != nil else { return }
        var left = Double(config.sleepTimeMilliseconds) / 1000
        while left > 0, stopRequest() == nil {
            let slice = min(left, 0.1)
            Thread.sleep(forTimeInterval: slice)
            left -= slice
        }
    }

    /// Live bars into the session. A bar that ended more than two intervals ago is catch-up
    /// (the host joined the session late, or came back after an outage): strategies see it to
    /// rebuild their state, but no entry is taken on a signal that old; exits still run.
    func pollBars(into pipeline: TradingPipeline, now: Int64) {
        let suspended = pipeline.entriesSuspended
        defer { pipeline.entriesSuspended = suspended }
        do {
            for bar in try source.next(upTo: now) where bar.startNanoseconds < (active?.session.end ?? .max) {
                let stale = now - bar.endNanoseconds > 2 * Int64(bar.intervalSeconds) * 1_000_000_000
                pipeline.entriesSuspended = suspended ?? (stale ? "catching up: bar ended before the host joined the session" : nil)
                pipeline.process(bar)
            }
        } catch {
            note(.warning, "market data: \(error)")
        }
    }

    func note(_ level: Logger.Level, _ message: String) {
        try? log.write(level, message)
    }
}

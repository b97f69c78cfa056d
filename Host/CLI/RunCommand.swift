import ArgumentParser
import Foundation
import Logging
import TBotCore

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the trading sessions: STRATEGY_SEQUENCE on the UTC schedule, live bars from the broker or a replay file.",
        discussion: """
            Without --session it runs every scheduled session, day after day, until control/control_stop.txt, \
            `tbot stop`, SIGTERM or SIGINT; with --session it runs that one session and exits. A stop ends the active \
            session with its exits, writes the daily summary and verifies the ledger. --replay drives the same runtime \
            from OHLCV files with a simulated clock and ends with the data. status.json in OUTPUT_DIR follows every \
            state change; the runtime log is OUTPUT_DIR/logs/runtime_<mode>.log. See docs/runtime.md.
            """)

    @OptionGroup var options: HostOptions
    @Flag(help: "Paper books and the broker's paper endpoint (the default when TEST_MODE or FORCE_PAPER_EXPORT is true).") var paper = false
    @Flag(help: "Live books and the broker's live endpoint; refused while TEST_MODE or FORCE_PAPER_EXPORT is true.") var live = false
    @Option(help: ArgumentHelp("OHLCV file to replay with a simulated clock (repeat for several symbols).", valueName: "file"))
    var replay: [String] = []
    @Option(help: "Symbol of a single replay file (default: from the file name).") var symbol: String?
    @Option(help: "Time zone of replay files without one (default UTC).") var tz = "UTC"
    @Option(help: "Broker plugin id.") var broker = "paper_broker"
    @Option(help: ArgumentHelp("Run only this session once, then exit.", valueName: "open|mid|close")) var session: String?
    @Flag(help: "Stay idle until control/control_start.txt appears.") var waitForStart = false

    func validate() throws {
        if paper && live { throw ValidationError("--paper and --live exclude each other") }
        if let session, !["open", "mid", "close"].contains(session) { throw ValidationError("--session must be open, mid or close") }
        if symbol != nil && replay.count != 1 { throw ValidationError("--symbol needs exactly one --replay file") }
    }

    func run() throws {
        let setup = try options.setup()
        let config = setup.config
        let mode: LedgerMode
        if live {
            guard config.ledgerMode == .live else {
                Console.error("run failed: --live is refused while TEST_MODE=true or FORCE_PAPER_EXPORT=true (\(config.source))")
                throw ExitCodes.invalidConfiguration
            }
            mode = .live
        } else {
            mode = paper ? .paper : config.ledgerMode
        }
        let secrets: Secrets
        do { secrets = try Secrets.load() } catch {
            Console.error("run failed: \(error)")
            throw ExitCodes.invalidConfiguration
        }
        // Broker plugins read their keys from the process environment; .env fills what it lacks.
        for key in [Secrets.alpacaKeyID, Secrets.alpacaSecretKey] where ProcessInfo.processInfo.environment[key] == nil {
            if let value = secrets.value(key) { setenv(key, value, 1) }
        }
        var replaySource: ReplayBarSource?
        let clock: SimulatedClock
        var wall: HostClock?
        if replay.isEmpty {
            wall = SystemClock()
            clock = SimulatedClock(startNanoseconds: wall!.nowNanoseconds)
        } else {
            let files = replay.map { path in
                (path: path, options: OHLCVReadOptions(symbol: symbol ?? "", timeZone: tz))
            }
            let source = ReplayBarSource(files: files)
            replaySource = source
            do {
                try source.validate()
                guard let first = try source.firstStart() else { throw ValidationError("no bars in \(replay.joined(separator: ", "))") }
                clock = SimulatedClock(startNanoseconds: first)
            } catch {
                Console.error("run failed: \(error)")
                throw ExitCodes.invalidConfiguration
            }
        }
        let environment = setup.environment(clock: clock, logLevel: .warning, runMode: mode)
        let logger = Logger(label: "tbot.notify") { label in UTCLogHandler(label: label, clock: clock, level: .warning) }
        let notifier = Notifier(config: config, secrets: secrets, logger: logger, now: { [clock] in clock.nowNanoseconds })
        let runtime: LiveRuntime
        do {
            var runOptions = LiveRuntime.Options(brokerID: broker, onlySession: session, waitForStart: waitForStart)
            runOptions.workingDirectory = FileManager.default.currentDirectoryPath
            runtime = try LiveRuntime(setup: setup, mode: mode, options: runOptions, clock: clock, wall: wall,
                                      replay: replaySource, environment: environment, notifier: notifier, signals: RuntimeSignals())
        } catch {
            Console.error("run failed before any session started: \(error)")
            throw ExitCodes.invalidConfiguration
        }
        let summary: LiveRuntime.Summary
        do { summary = try runtime.run() } catch {
            Console.error("run failed: \(error)")
            throw ExitCodes.failure
        }
        let c = summary.counts
        print("stopped: \(summary.stopReason)")
        print("sessions \(summary.sessions.joined(separator: ",").nonEmptyOr("none")), bars \(c.bars), intents \(c.intents), "
            + "orders \(c.orders) (\(c.rejectedOrders) rejected), fills \(c.fills), risk rejections \(c.riskRejections)")
        for file in summary.dailySummaries { print("daily summary \(file.path)") }
        if !summary.ledgerFaults.isEmpty {
            Console.error("ledger verification failed:\n" + summary.ledgerFaults.joined(separator: "\n"))
            throw ExitCodes.failure
        }
        print("ledger verified")
    }
}

extension String {
    func nonEmptyOr(_ fallback: String) -> String { isEmpty ? fallback : self }
}

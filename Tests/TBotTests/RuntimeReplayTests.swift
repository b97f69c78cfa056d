import Foundation
import XCTest
@testable import TBotCore

/// `tbot run --replay` through the library and the CLI: the scheduler opens the day's
/// sessions on a generated day, the bots trade through the paper broker into paper books,
/// plugin changes take effect at session boundaries, and the control file and SIGTERM stop it.
final class RuntimeReplayTests: XCTestCase {
    /// Long breakout windows so the SMA cross (3/8) trades in every session; test mode keeps
    /// the market checks off (the generated day has no quotes).
    static let configValues = RuntimeConfigFixtures.looseRiskValues.merging([
        "TEST_MODE": "true", "OPEN_BREAKOUT_TIME": "40", "MID_BREAKOUT_TIME": "40", "CLOSE_BREAKOUT_TIME": "40",
        "WATCHDOG_INTERVAL": "60",
    ]) { $1 }

    private func prepare(_ folder: OperatorFolder) throws -> (setup: HostSetup, data: String) {
        try folder.install("tbot_paper_broker")
        try folder.writeManifest(id: "paper_broker", library: "libtbot_paper_broker.so", kind: "broker",
                                 params: "starting_cash = \"50000.00\"")
        try folder.install("tbot_sma_cross_c")
        try folder.writeDemoStrategy(id: "sma_cross_c", library: "libtbot_sma_cross_c.so",
                                     params: "fast = 3\nslow = 8\nstop_pct = 0.01\ntarget_pct = 0.02")
        try folder.writeDemoAccount(modules: 1)
        let configFile = folder.root.appendingPathComponent(".env_bot")
        try RuntimeConfigFixtures.text(Self.configValues).write(to: configFile, atomically: true, encoding: .utf8)
        let data = folder.root.appendingPathComponent("SYNTH.csv").path
        _ = try SyntheticSeries(barCount: 390).writeCSV(to: data)
        let setup = try HostSetup(configPath: configFile.path, pluginsDirectory: folder.plugins, manifestsDirectory: folder.manifests,
                                  workingDirectory: folder.root.path)
        return (setup, data)
    }

    private func runtime(_ folder: OperatorFolder, _ setup: HostSetup, data: String) throws -> LiveRuntime {
        let replay = ReplayBarSource(files: [(path: data, options: OHLCVReadOptions())])
        let clock = SimulatedClock(startNanoseconds: try replay.firstStart()!)
        let options = LiveRuntime.Options(brokerID: "paper_broker", workingDirectory: folder.root.path)
        return try LiveRuntime(setup: setup, mode: .paper, options: options, clock: clock, wall: nil, replay: replay,
                               environment: TestHost.environment(clock: clock, config: setup.config), notifier: nil, signals: nil)
    }

    func testReplayTradesEverySessionIntoVerifiedPaperBooks() throws {
        let folder = try OperatorFolder()
        let (setup, data) = try prepare(folder)
        let summary = try runtime(folder, setup, data: data).run()
        XCTAssertEqual(summary.sessions, ["open", "mid", "close"])
        XCTAssertEqual(summary.stopReason, "replay finished")
        XCTAssertEqual(summary.ledgerFaults, [])
        XCTAssertGreaterThan(summary.counts.fills, 0)
        XCTAssertEqual(summary.counts.fills % 2, 0, "every entry is closed by the session's end")
        let layout = OutputLayout(config: setup.config, workingDirectory: folder.root.path, mode: .paper)
        XCTAssertEqual(summary.dailySummaries, [layout.dailySummary(date: "2024-01-02")])
        for session in ["open", "mid", "close"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: layout.tradeHistory(session: session, date: "2024-01-02", extension: "csv").path))
        }
        let status = try RuntimeStatus.read(RuntimeStatus.file(in: layout))
        XCTAssertEqual(status.state, .shutdown)
        XCTAssertEqual(status.fills, summary.counts.fills)
        XCTAssertEqual(status.positions, [])
        XCTAssertEqual(status.message, "stopping: replay finished")
        let log = try String(contentsOf: layout.log("runtime"), encoding: .utf8)
        XCTAssertTrue(log.contains("session open started (scheduled 2024-01-02T14:30:00Z) with bots sma_cross_c_bot"), log)
        XCTAssertTrue(log.contains("ledger verified: balanced, hash chain intact"))
        // No live path exists after a paper run.
        let live = OutputLayout(config: setup.config, workingDirectory: folder.root.path, mode: .live)
        XCTAssertFalse(FileManager.default.fileExists(atPath: live.ledgerFile.path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: live.log("runtime").path))
    }

    func testSameReplayGivesByteIdenticalBooksAndLogs() throws {
        var outputs: [[String]] = []
        for _ in 0..<2 {
            let folder = try OperatorFolder()
            let (setup, data) = try prepare(folder)
            _ = try runtime(folder, setup, data: data).run()
            let layout = OutputLayout(config: setup.config, workingDirectory: folder.root.path, mode: .paper)
            outputs.append(try [layout.log("runtime"), layout.log("open"), layout.tradeHistory(session: "mid", date: "2024-01-02", extension: "csv"),
                                layout.dailySummary(date: "2024-01-02"), RuntimeStatus.file(in: layout)]
                .map { try String(contentsOf: $0, encoding: .utf8) })
        }
        XCTAssertEqual(outputs[0], outputs[1])
    }

    func testPluginChangesTakeEffectAtTheNextSessionBoundary() throws {
        let folder = try OperatorFolder()
        let (setup, data) = try prepare(folder)
        let runtime = try runtime(folder, setup, data: data)
        runtime.sessionEnded = { session in
            if session == "open" {
                // A new filter is dropped in between the sessions.
                _ = try? folder.install("tbot_price_band_filter")
                _ = try? folder.writeManifest(id: "price_band", library: "libtbot_price_band_filter.so", kind: "filter")
            } else if session == "mid" {
                // A broken "new version" of the strategy replaces its library: the old one keeps running.
                _ = try? FileManager.default.removeItem(atPath: folder.pluginPath("libtbot_sma_cross_c.so"))
                _ = try? folder.install("tbot_fixture_self_check_fails", as: "libtbot_sma_cross_c.so")
            }
        }
        let summary = try runtime.run()
        XCTAssertEqual(summary.sessions, ["open", "mid", "close"])
        let layout = OutputLayout(config: setup.config, workingDirectory: folder.root.path, mode: .paper)
        let log = try String(contentsOf: layout.log("runtime"), encoding: .utf8)
        XCTAssertTrue(log.contains("session open started (scheduled 2024-01-02T14:30:00Z) with bots sma_cross_c_bot; filters none"), log)
        XCTAssertTrue(log.contains("plugins: price_band new -> "), log)
        XCTAssertTrue(log.contains("with bots sma_cross_c_bot; filters price_band; broker paper_broker"), log)
        XCTAssertTrue(log.contains("plugins: sma_cross_c new version failed, keeping 1."), log)
        XCTAssertTrue(log.contains("session close started"), log)
        XCTAssertEqual(summary.ledgerFaults, [])
    }

    // MARK: CLI

    private var tbot: String { URL(fileURLWithPath: TestPaths.buildDirectory).appendingPathComponent("tbot").path }

    private func cliArguments(_ folder: OperatorFolder) -> [String] {
        ["--config", folder.root.appendingPathComponent(".env_bot").path, "--plugins-dir", folder.plugins, "--manifests-dir", folder.manifests]
    }

    func testStandingStopFileKeepsARunFromTrading() throws {
        let folder = try OperatorFolder()
        let (_, data) = try prepare(folder)
        let stop = try ToolProcess.run(tbot, ["stop", "--reason", "maintenance"] + cliArguments(folder), in: folder.root)
        XCTAssertEqual(stop.status, 0, stop.stderr)
        let run = try ToolProcess.run(tbot, ["run", "--paper", "--replay", data] + cliArguments(folder), in: folder.root)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("stopped: control_stop.txt is present ("), run.stdout)
        XCTAssertTrue(run.stdout.contains("maintenance): not starting; `tbot start` clears it"), run.stdout)
        XCTAssertTrue(run.stdout.contains("sessions none, bars 0"), run.stdout)
        // `tbot start` clears it: the same replay then trades.
        XCTAssertEqual(try ToolProcess.run(tbot, ["start"] + cliArguments(folder), in: folder.root).status, 0)
        let again = try ToolProcess.run(tbot, ["run", "--paper", "--replay", data] + cliArguments(folder), in: folder.root)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("sessions open,mid,close"), again.stdout)
        XCTAssertTrue(again.stdout.contains("ledger verified"), again.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.root.appendingPathComponent("control/control_stop.txt").path))
    }

    func testSIGTERMStopsAWaitingRunCleanly() throws {
        let folder = try OperatorFolder()
        _ = try prepare(folder)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tbot)
        process.arguments = ["run", "--paper", "--wait-for-start"] + cliArguments(folder)
        process.currentDirectoryURL = folder.root
        let output = folder.root.appendingPathComponent("run.out")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: output)
        try process.run()
        let status = folder.root.appendingPathComponent("output/status.json")
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: status.path), Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        XCTAssertEqual(try RuntimeStatus.read(status).state, .idle)
        process.terminate()
        process.waitUntilExit()
        let text = try String(contentsOf: output, encoding: .utf8)
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("stopped: SIGTERM"), text)
        XCTAssertTrue(text.contains("ledger verified"), text)
        let final = try RuntimeStatus.read(status)
        XCTAssertEqual(final.state, .shutdown)
        XCTAssertEqual(final.message, "stopping: SIGTERM")
    }
}

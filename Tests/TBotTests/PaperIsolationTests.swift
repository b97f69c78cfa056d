import Foundation
import XCTest
@testable import TBotCore

/// Paper mode never touches live files: with every live path made unusable (a directory with
/// no permissions where each live file would go), a paper session runs, keeps its books, and
/// the live paths are exactly as they were.
final class PaperIsolationTests: XCTestCase {
    private func runPaperSession(config: RuntimeConfig, in folder: OperatorFolder, fills: Int = 8) throws -> (paper: OutputLayout, live: OutputLayout) {
        let paper = OutputLayout(config: config, workingDirectory: folder.root.path)
        let live = OutputLayout(config: config, workingDirectory: folder.root.path, mode: .live)
        XCTAssertEqual(paper.mode, .paper)
        let day = "2024-01-02"
        let livePaths = [live.ledgerFile, live.tradeHistory(session: "demo", date: day, extension: "csv"),
                         live.tradeHistory(session: "demo", date: day, extension: "json"), live.dailySummary(date: day), live.log("demo")]
        for path in livePaths {
            try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: path.path)
        }
        defer { for path in livePaths { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path.path) } }

        try folder.install("tbot_paper_broker")
        try folder.writeManifest(id: "paper_broker", library: "libtbot_paper_broker.so", kind: "broker")
        try folder.install("tbot_sma_cross_c")
        try folder.writeDemoStrategy(id: "sma_cross_c", library: "libtbot_sma_cross_c.so")
        try folder.writeDemoAccount(modules: 1)
        let demo = PaperDemo()
        let clock = SimulatedClock(startNanoseconds: demo.market.openNanoseconds)
        let report = try demo.run(catalog: folder.catalog(environment: TestHost.environment(clock: clock)), config: config,
                                  clock: clock, layout: paper)
        XCTAssertEqual(report.counts.fills, fills)

        for path in livePaths {
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path.path), [], "\(path.path) was touched")
        }
        let ledger = try Ledger(path: paper.ledgerFile.path, mode: .paper, identity: paper.identity, create: false)
        XCTAssertEqual(try ledger.verify(), [])
        XCTAssertTrue(FileManager.default.fileExists(atPath: paper.tradeHistory(session: "demo", date: day, extension: "csv").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: paper.dailySummary(date: day).path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: paper.log("demo").path))
        return (paper, live)
    }

    func testTestModeKeepsEverySessionFileOnThePaperSide() throws {
        let config = try RuntimeConfig.validate(text: RuntimeConfigFixtures.exampleText(replacing: ["TEST_MODE": "true"]), file: "t.env").get()
        let (paper, live) = try runPaperSession(config: config, in: try OperatorFolder())
        XCTAssertNotEqual(paper.ledgerFile, live.ledgerFile)
        XCTAssertTrue(paper.ledgerFile.lastPathComponent.hasSuffix("_BOT_ledger_paper.db"))
    }

    func testForcePaperExportOverridesLiveMode() throws {
        let text = RuntimeConfigFixtures.exampleText(replacing: ["TEST_MODE": "false", "FORCE_PAPER_EXPORT": "true"])
        let config = try RuntimeConfig.validate(text: text, file: "f.env").get()
        XCTAssertEqual(config.ledgerMode, .paper)
        // TEST_MODE=false runs the live market checks: a first day has no completed day of
        // volume, so every entry is refused (LOW_VOLUME) and the files still stay paper.
        let folder = try OperatorFolder()
        let (paper, _) = try runPaperSession(config: config, in: folder, fills: 0)
        let log = try String(contentsOf: paper.log("demo"), encoding: .utf8)
        XCTAssertTrue(log.contains("risk reject SYNTH LOW_VOLUME (rank 1 fallback 0): no completed day of SYNTH volume to compare with MIN_VOLUME_THRESHOLD 1000000"), log)
    }

    func testLiveModeNamesTheSeedsLedgerFile() throws {
        let config = try RuntimeConfig.validate(text: RuntimeConfigFixtures.exampleText(replacing: ["TEST_MODE": "false"]), file: "l.env").get()
        let layout = OutputLayout(config: config, workingDirectory: "/srv/tbot")
        XCTAssertEqual(layout.mode, .live)
        XCTAssertEqual(layout.ledgerFile.path, "/srv/tbot/output/ledgers/TBOT_US_PAPER_001_BOT_ledger.db")
    }
}

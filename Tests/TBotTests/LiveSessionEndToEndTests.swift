import Foundation
import XCTest
@testable import TBotCore

/// A full paper session of `tbot run` against the local Alpaca-compatible server, on the wall
/// clock: the scheduler opens the OPEN session (started 20 minutes ago, so the host joins late
/// and catches up without entering), the SMA cross enters on a live bar, risk sizes it, the
/// order meets a 503 that is retried, fills in two parts, the ledger posts both, the stop
/// control file ends the session (the host's exit fills too), the daily summary is written,
/// `tbot ledger verify` passes, and no output holds the API key or secret.
final class LiveSessionEndToEndTests: XCTestCase {
    private var tbot: String { URL(fileURLWithPath: TestPaths.buildDirectory).appendingPathComponent("tbot").path }

    private func waitUntil(_ what: String, timeout: TimeInterval, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        XCTFail("timed out waiting for \(what)")
        throw TestSupportError("timed out waiting for \(what)")
    }

    /// Sleeps until `seconds` past the next UTC minute boundary: the bar of the minute that
    /// just ended is then complete and polled.
    private func waitPastNextMinute(_ seconds: Double = 2.5) {
        let now = Date().timeIntervalSince1970
        Thread.sleep(forTimeInterval: (60 - now.truncatingRemainder(dividingBy: 60)) + seconds)
    }

    func testPaperSessionAgainstTheAlpacaServer() throws {
        let server = try AlpacaTestServer(now: UTCTimestamp.iso8601(nanoseconds: SystemClock().nowNanoseconds))
        let folder = try OperatorFolder()
        try folder.install("tbot_alpaca_broker")
        try folder.writeManifest(id: "alpaca_broker", library: "libtbot_alpaca_broker.so", kind: "broker")
        try folder.install("tbot_sma_cross_c")
        try folder.writeDemoStrategy(id: "sma_cross_c", library: "libtbot_sma_cross_c.so", symbol: "SPY",
                                     params: "fast = 2\nslow = 5\nstop_pct = 0.01\ntarget_pct = 0.02")
        try folder.writeDemoAccount(modules: 1)
        let start = Date().addingTimeInterval(-20 * 60)
        let startTime = String(format: "%02d:%02d", Calendar.utc.component(.hour, from: start), Calendar.utc.component(.minute, from: start))
        var values = RuntimeConfigFixtures.looseRiskValues.merging(server.configValues()) { $1 }
        values.merge(["TEST_MODE": "true", "STRATEGY_OVERRIDE": "open", "START_TIME_OPEN": startTime, "OPEN_ANALYSIS_TIME": "1",
                      "OPEN_BREAKOUT_TIME": "120", "OPEN_MONITORING_TIME": "30", "TRADING_DAYS": "mon,tue,wed,thu,fri,sat,sun",
                      "SLEEP_TIME": "200ms", "MAX_PRICE": "1000", "API_RETRY_LIMIT": "3", "API_TIMEOUT": "5", "WATCHDOG_INTERVAL": "2"]) { $1 }
        let configFile = folder.root.appendingPathComponent(".env_bot")
        try RuntimeConfigFixtures.text(values).write(to: configFile, atomically: true, encoding: .utf8)
        let common = ["--config", configFile.path, "--plugins-dir", folder.plugins, "--manifests-dir", folder.manifests]

        let process = Process()
        process.executableURL = URL(fileURLWithPath: tbot)
        process.arguments = ["run", "--paper", "--broker", "alpaca_broker"] + common
        process.currentDirectoryURL = folder.root
        var environment = ProcessInfo.processInfo.environment
        environment["APCA_API_KEY_ID"] = server.keyID
        environment["APCA_API_SECRET_KEY"] = server.secretKey
        process.environment = environment
        let output = folder.root.appendingPathComponent("run.out"), errors = folder.root.appendingPathComponent("run.err")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        defer { if process.isRunning { process.terminate() } }

        // A flat account; the entry will meet one 503 and then fill 1 share at once, the rest later.
        try server.control(["positions": [[String: Any]](), "flat_bars": true, "faults": [["method": "POST", "path": "/v2/orders", "status": 503, "times": 1]],
                            "next_orders": [["symbol": "SPY", "fill": "partial", "fill_qty": "1"]]])
        try process.run()
        let statusFile = folder.root.appendingPathComponent("output/status.json")
        try waitUntil("the OPEN session", timeout: 30) {
            (try? RuntimeStatus.read(statusFile))?.activeStrategy == "open"
        }
        // The late join caught up on 20 bars without entering.
        XCTAssertEqual(try server.requests(to: "/v2/orders", method: "POST").count, 0)
        // Flat bars at 450 give no signal. One bar at 440 puts the fast average (2) below the slow
        // one (5); the next at 470 puts it above: a cross up on a live bar, the only one.
        try server.control(["prices": ["SPY": "440.00"]])
        waitPastNextMinute()
        try server.control(["prices": ["SPY": "470.00"]])
        do {
            try waitUntil("the partly filled entry", timeout: 75) {
                (try server.state()["orders"] as? [[String: Any]] ?? []).contains { $0["status"] as? String == "partially_filled" }
            }
        } catch {
            let logs = folder.root.appendingPathComponent("output/logs")
            for name in ["runtime_paper.log", "open_paper.log"] {
                print("--- \(name)\n" + ((try? String(contentsOf: logs.appendingPathComponent(name), encoding: .utf8)) ?? "missing"))
            }
            print("--- orders \(try server.state()["orders"] ?? "none")")
            throw error
        }
        let orders = try server.state()["orders"] as! [[String: Any]]
        let entry = try XCTUnwrap(orders.first { $0["status"] as? String == "partially_filled" })
        let entryID = try XCTUnwrap(entry["id"] as? String)
        // From here on the price only rises, so the cross stays up and no second signal comes.
        try server.control(["prices": ["SPY": "520.00"]])
        let posts = try server.requests(to: "/v2/orders", method: "POST")
        XCTAssertEqual(Array(posts.map(\.status).prefix(2)), [503, 200], "the 503 was retried once")
        XCTAssertEqual(posts.filter { $0.status == 503 }.count, 1)
        XCTAssertEqual((posts[0].body as? [String: Any])?["client_order_id"] as? String,
                       (posts[1].body as? [String: Any])?["client_order_id"] as? String, "the retry reuses the client order id")
        XCTAssertTrue(posts.allSatisfy { $0.hadKeyID && $0.hadSecretKey })
        try server.control(["fill": ["order_id": entryID]])
        try waitUntil("both parts of the entry in the books", timeout: 30) {
            (try? RuntimeStatus.read(statusFile))?.fills == 2
        }
        let holding = try RuntimeStatus.read(statusFile)
        XCTAssertEqual(holding.positions.map(\.symbol), ["SPY"])
        XCTAssertEqual(holding.state, .trading)
        XCTAssertEqual(holding.broker.retries, 1)

        // The stop control file ends the session: the host exits SPY and shuts down cleanly.
        try FileManager.default.createDirectory(at: folder.root.appendingPathComponent("control"), withIntermediateDirectories: true)
        try Data("end of test\n".utf8).write(to: folder.root.appendingPathComponent("control/control_stop.txt"))
        process.waitUntilExit()
        let stdout = try String(contentsOf: output, encoding: .utf8), stderr = try String(contentsOf: errors, encoding: .utf8)
        XCTAssertEqual(process.terminationStatus, 0, stdout + stderr)
        XCTAssertTrue(stdout.contains("stopped: control_stop.txt: end of test"), stdout)
        XCTAssertTrue(stdout.contains("fills 3"), stdout)
        XCTAssertTrue(stdout.contains("ledger verified"), stdout)
        let final = try RuntimeStatus.read(statusFile)
        XCTAssertEqual(final.state, .shutdown)
        XCTAssertEqual(final.positions, [])
        XCTAssertEqual(final.roundTrips, 1)
        XCTAssertEqual(((try server.state()["positions"]) as? [String: Any])?.isEmpty, true, "the broker holds nothing either")

        let config = try RuntimeConfig.load(path: configFile.path)
        let layout = OutputLayout(config: config, workingDirectory: folder.root.path, mode: .paper)
        let summaries = stdout.split(separator: "\n").filter { $0.hasPrefix("daily summary ") }.map { String($0.dropFirst(14)) }
        XCTAssertEqual(summaries.count, 1, stdout)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: summaries[0]))) as? [String: Any]
        XCTAssertNotNil(summary, "the daily summary is JSON")
        XCTAssertTrue(summaries[0].hasPrefix(layout.outputDirectory.path), summaries[0])
        let runtimeLog = try String(contentsOf: layout.log("runtime"), encoding: .utf8)
        XCTAssertTrue(runtimeLog.contains("submit_order failed (NetworkError, HTTP 503"), runtimeLog)
        XCTAssertTrue(runtimeLog.contains("attempt 1; retrying in"), runtimeLog)
        let verify = try ToolProcess.run(tbot, ["ledger", "verify", "--mode", "paper"] + common, in: folder.root)
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)

        // No output of the run holds a credential.
        var texts = [stdout, stderr, verify.stdout, verify.stderr]
        let files = FileManager.default.enumerator(at: folder.root.appendingPathComponent("output"), includingPropertiesForKeys: nil)!
        for case let url as URL in files where ["json", "log", "csv"].contains(url.pathExtension) {
            texts.append(try String(contentsOf: url, encoding: .utf8))
        }
        XCTAssertGreaterThan(texts.count, 8)
        for text in texts {
            XCTAssertFalse(text.contains(server.keyID), "an output holds the API key id")
            XCTAssertFalse(text.contains(server.secretKey), "an output holds the API secret")
        }
    }
}

extension Calendar {
    static var utc: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }
}

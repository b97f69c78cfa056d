import Foundation
import XCTest
@testable import TBotCore

/// The host's fault handling against the local Alpaca-compatible server: the retry loop paces
/// by Retry-After and gives up after API_RETRY_LIMIT, and a broker that stops answering trips
/// the watchdog, which stops `tbot run` safely.
final class BrokerFaultHandlingTests: XCTestCase {
    func testRetriesHonourRetryAfterThenGiveUpOnce() throws {
        let server = try AlpacaTestServer()
        defer { server.stop() }
        setenv("APCA_API_KEY_ID", server.keyID, 1)
        setenv("APCA_API_SECRET_KEY", server.secretKey, 1)
        defer { unsetenv("APCA_API_KEY_ID"); unsetenv("APCA_API_SECRET_KEY") }
        let config = try RuntimeConfigFixtures.config(server.configValues())
        let broker = try XCTUnwrap(BrokerPlugin(try TestHost.instance(
            "tbot_alpaca_broker", environment: TestHost.environment(config: config, runMode: .paper))))
        var waited: [Double] = []
        var given: [BrokerRetry.Failure] = []
        let retry = BrokerRetry(policy: RetryPolicy(limit: 2), sleep: { waited.append($0) })
        retry.onGiveUp = { given.append($0) }
        broker.retry = retry
        try server.control(["faults": [["method": "GET", "path": "/v2/account", "status": 429, "retry_after": 3, "times": -1]]])
        XCTAssertThrowsError(try broker.account()) { error in
            XCTAssertTrue("\(error)".hasSuffix("(gave up after 3 attempts)"), "\(error)")
        }
        XCTAssertEqual(waited, [3.0, 3.0], "two retries, each waiting the broker's Retry-After")
        XCTAssertEqual(try server.requests(to: "/v2/account", method: "GET").count - 1, 3, "self_check made one call before")
        XCTAssertEqual(given.count, 1)
        XCTAssertEqual(given[0].fault, .network)
        XCTAssertEqual(given[0].detail?.httpStatus, 429)
        XCTAssertEqual(given[0].detail?.retryAfterMilliseconds, 3000)
        XCTAssertEqual(retry.retries, 2)
        XCTAssertEqual(retry.exhausted, 1)
        // A refusal is not retried.
        try server.control(["clear_faults": true, "faults": [["method": "GET", "path": "/v2/account", "status": 401, "times": 1]]])
        waited = []
        XCTAssertThrowsError(try broker.account())
        XCTAssertEqual(waited, [])
    }

    func testUnreachableBrokerTripsTheWatchdogAndStopsTheRun() throws {
        let server = try AlpacaTestServer()
        defer { server.stop() }
        let folder = try OperatorFolder()
        try folder.install("tbot_alpaca_broker")
        try folder.writeManifest(id: "alpaca_broker", library: "libtbot_alpaca_broker.so", kind: "broker")
        try folder.install("tbot_sma_cross_c")
        try folder.writeDemoStrategy(id: "sma_cross_c", library: "libtbot_sma_cross_c.so", symbol: "SPY")
        try folder.writeDemoAccount(modules: 1)
        var values = server.configValues()
        values.merge(["TEST_MODE": "true", "SLEEP_TIME": "100ms", "API_TIMEOUT": "1", "WATCHDOG_INTERVAL": "1",
                      "WATCHDOG_THRESHOLD": "2", "WATCHDOG_GRACE": "2"]) { $1 }
        let configFile = folder.root.appendingPathComponent(".env_bot")
        try RuntimeConfigFixtures.text(values).write(to: configFile, atomically: true, encoding: .utf8)
        // The broker answers self_check, then its clock (the heartbeat) fails for good.
        try server.control(["faults": [["path": "/v2/clock", "status": 503, "times": -1]]])
        var environment = ProcessInfo.processInfo.environment
        environment["APCA_API_KEY_ID"] = server.keyID
        environment["APCA_API_SECRET_KEY"] = server.secretKey
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.buildDirectory).appendingPathComponent("tbot")
        process.arguments = ["run", "--paper", "--broker", "alpaca_broker", "--config", configFile.path,
                             "--plugins-dir", folder.plugins, "--manifests-dir", folder.manifests]
        process.currentDirectoryURL = folder.root
        process.environment = environment
        let output = folder.root.appendingPathComponent("run.out")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: output)
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let text = try String(contentsOf: output, encoding: .utf8)
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("stopped: control_stop.txt: watchdog: broker alpaca_broker unreachable beyond WATCHDOG_GRACE"), text)
        let log = try String(contentsOf: folder.root.appendingPathComponent("output/logs/runtime_paper.log"), encoding: .utf8)
        XCTAssertTrue(log.contains("watchdog: heartbeat failed: alpaca_broker.clock.market_clock failed (transient)"), log)
        XCTAssertTrue(log.contains("pending orders canceled, entries suspended"), log)
        let status = try RuntimeStatus.read(folder.root.appendingPathComponent("output/status.json"))
        XCTAssertEqual(status.state, .shutdown)
        XCTAssertFalse(status.broker.connected)
        XCTAssertNotNil(status.broker.unreachableSince)
    }
}

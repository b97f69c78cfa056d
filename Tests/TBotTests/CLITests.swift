import Foundation
import XCTest

/// The `tbot` binary end to end, in a scratch operator folder.
final class CLITests: XCTestCase {
    var folder: OperatorFolder!

    override func setUpWithError() throws { folder = try OperatorFolder() }
    override func tearDown() { folder = nil }

    private func tbot(_ arguments: String...) throws -> CLIRunner.Run {
        try CLIRunner(folder: folder).run(arguments)
    }

    private func installBundled() throws {
        for (id, product, kind) in [("sma_cross_c", "tbot_sma_cross_c", "strategy"), ("price_band", "tbot_price_band_filter", "filter"),
                                    ("paper_broker", "tbot_paper_broker", "broker")] {
            try folder.install(product)
            try folder.writeManifest(id: id, library: "lib\(product).so", kind: kind)
        }
    }

    func testVersion() throws {
        let run = try tbot("--version")
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.stdout, "tbot 0.1.0 (plugin ABI 1.0)\n")
    }

    func testListJSONHasTheDocumentedKeys() throws {
        try installBundled()
        try folder.install("tbot_fixture_self_check_fails")
        let run = try tbot("plugins", "list", "--json")
        XCTAssertEqual(run.status, 0, run.stderr)
        let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 4)
        for row in rows {
            for key in ["id", "kind", "version", "abi", "library", "enabled", "state", "reason"] {
                XCTAssertTrue(row.keys.contains(key), "missing \(key) in \(row)")
            }
        }
        let band = try XCTUnwrap(rows.first { $0["id"] as? String == "price_band" })
        XCTAssertEqual(band["kind"] as? String, "filter")
        XCTAssertEqual(band["version"] as? String, "1.0.0")
        XCTAssertEqual(band["abi"] as? String, "1.0")
        XCTAssertEqual(band["library"] as? String, folder.pluginPath("libtbot_price_band_filter.so"))
        XCTAssertEqual(band["enabled"] as? Bool, true)
        XCTAssertEqual(band["state"] as? String, "loaded")
        XCTAssertTrue(band["reason"] is NSNull)
        let dropped = try XCTUnwrap(rows.first { $0["id"] as? String == "fixture_self_check_fails" })
        XCTAssertEqual(dropped["state"] as? String, "discovered")
        XCTAssertEqual(dropped["enabled"] as? Bool, false)
    }

    func testCheckFailsOnAnEnabledBrokenPluginAndPassesWhenItIsDisabled() throws {
        try installBundled()
        let library = try folder.install("tbot_fixture_self_check_fails")
        try folder.writeManifest(id: "fixture_self_check_fails", library: "libtbot_fixture_self_check_fails.so", kind: "filter")
        let failing = try tbot("plugins", "check")
        XCTAssertEqual(failing.status, 1)
        XCTAssertEqual(failing.stdout, "FAIL fixture_self_check_fails: \(library): self_check failed: window must be at least 2, got 0\n"
            + "3 of 4 enabled plugins passed self_check\n")

        let disabled = try tbot("plugins", "disable", "fixture_self_check_fails")
        XCTAssertEqual(disabled.status, 0, disabled.stderr)
        XCTAssertEqual(disabled.stdout, "fixture_self_check_fails: disabled in \(folder.manifestPath("fixture_self_check_fails.toml"))\n"
            + "fixture_self_check_fails: state disabled\n")
        let passing = try tbot("plugins", "check")
        XCTAssertEqual(passing.status, 0)
        XCTAssertEqual(passing.stdout, "3 of 3 enabled plugins passed self_check\n")
    }

    func testEnableCreatesAManifestForADiscoveredPlugin() throws {
        try folder.install("tbot_price_band_filter")
        let run = try tbot("plugins", "enable", "price_band")
        XCTAssertEqual(run.status, 0, run.stderr)
        let manifest = folder.manifestPath("price_band.toml")
        XCTAssertEqual(run.stdout, "price_band: created \(manifest) with enabled = true\nprice_band: state loaded\n")
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        XCTAssertTrue(text.contains("library = \"libtbot_price_band_filter.so\"\nkind = \"filter\"\nenabled = true\n"), text)
        XCTAssertEqual(try tbot("plugins", "disable", "price_band").status, 0)
        XCTAssertTrue(try String(contentsOfFile: manifest, encoding: .utf8).contains("enabled = false"))
    }

    func testEnableUnknownPluginFails() throws {
        let run = try tbot("plugins", "enable", "nothing_here")
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "no plugin with id 'nothing_here' (see `tbot plugins list`)\n")
    }

    func testInfoShowsManifestProblemsWithLines() throws {
        let manifest = try folder.writeManifest("odd.toml", "id = \"odd\"\nlibrary = \"libodd.so\"\nkind = \"filter\"\nenabled = maybe\n")
        let run = try tbot("plugins", "info", "odd")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("state:       blocked\n"), run.stdout)
        XCTAssertTrue(run.stdout.contains("problem:     \(manifest):4: TOML syntax error: "), run.stdout)
    }

    func testPluginsDirFlagOverridesTheDefault() throws {
        let elsewhere = folder.root.appendingPathComponent("elsewhere").path
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestPaths.library("tbot_price_band_filter"), toPath: elsewhere + "/libband.so")
        let run = try tbot("plugins", "list", "--plugins-dir", "elsewhere")
        XCTAssertEqual(run.stdout, "price_band  filter  1.0.0  abi 1.0  discovered  \(elsewhere)/libband.so\n"
            + "    no manifest: disabled until `tbot plugins enable price_band`\n")
    }

    func testInvalidConfigStopsEveryCommandBeforeItRuns() throws {
        let config = folder.root.appendingPathComponent("bad.env").path
        try RuntimeConfigFixtures.exampleText(replacing: ["TEST_MODE": "maybe", "WEIGHTS": "0.5,0.5"]).write(toFile: config, atomically: true, encoding: .utf8)
        let validate = try tbot("config", "validate", config)
        XCTAssertEqual(validate.status, 2)
        let lines = validate.stderr.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("\(config):") && $0.contains("TEST_MODE") && $0.contains("expected true or false") }, validate.stderr)
        XCTAssertTrue(lines.contains { $0.contains("WEIGHTS") && $0.contains("MAX_TRADES") }, validate.stderr)
        XCTAssertEqual(lines.last, "2 problem(s) in \(config)")

        try folder.install("tbot_price_band_filter")
        let enable = try tbot("plugins", "enable", "price_band", "--config", config)
        XCTAssertEqual(enable.status, 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.manifestPath("price_band.toml")), "nothing written on a bad config")
    }

    func testValidConfigFileIsAccepted() throws {
        let config = folder.root.appendingPathComponent(".env_bot").path
        try RuntimeConfigFixtures.exampleText(replacing: [:]).write(toFile: config, atomically: true, encoding: .utf8)
        let run = try tbot("config", "validate")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "\(config): valid\n")
    }

    func testDemoIsByteIdenticalAcrossRuns() throws {
        try installBundled()
        let first = try tbot("demo")
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(try tbot("demo").stdout, first.stdout)
        XCTAssertTrue(first.stdout.hasSuffix("summary: bars 390, intents 18, blocked 0, orders 18 (0 rejected), fills 18, "
            + "round trips 9 (6 won, 3 lost), realized P&L 250.93, fees 0.00, cash 100250.93, equity 100250.93\n"), first.stdout)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.root.path).sorted()
        XCTAssertEqual(files, ["manifests", "plugins"], "the demo writes nothing")
    }
}

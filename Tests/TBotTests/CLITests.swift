import Foundation
import GRDB
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
        for (id, product, kind) in [("price_band", "tbot_price_band_filter", "filter"), ("paper_broker", "tbot_paper_broker", "broker")] {
            try folder.install(product)
            try folder.writeManifest(id: id, library: "lib\(product).so", kind: kind)
        }
        try folder.install("tbot_sma_cross_c")
        try folder.writeDemoStrategy(id: "sma_cross_c", library: "libtbot_sma_cross_c.so")
        try folder.writeDemoAccount(modules: 1)
    }

    func testVersion() throws {
        let run = try tbot("--version")
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.stdout, "tbot 0.1.0 (plugin ABI 1.3)\n")
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
        XCTAssertEqual(band["abi"] as? String, "1.3")
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
        XCTAssertEqual(run.stdout, "price_band  filter  1.0.0  abi 1.3  discovered  \(elsewhere)/libband.so\n"
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

    func testDemoFromEmptyBooksIsByteIdenticalAndWritesOnlyPaperFiles() throws {
        try installBundled()
        let first = try tbot("demo")
        XCTAssertEqual(first.status, 0, first.stderr)
        // MAX_TRADES (4) ends the day's entries: the session's later intents are risk rejections.
        XCTAssertTrue(first.stdout.contains("summary: bars 390, intents 18, blocked 0, orders 8 (0 rejected), risk rejections 5, "
            + "budget rejections 0, approvals queued 0, fills 8, "
            + "round trips 4 (2 won, 2 lost), realized P&L 116.15, fees 0.00, cash 100116.15, equity 100116.15\n"), first.stdout)

        let other = try OperatorFolder()
        let saved = folder
        folder = other
        try installBundled()
        let again = try tbot("demo")
        folder = saved
        XCTAssertEqual(again.stdout.replacingOccurrences(of: other.root.path, with: folder.root.path), first.stdout,
                       "same empty books, same transcript")

        let ledger = folder.root.appendingPathComponent("output/ledgers/TBOT_US_PAPER_001_BOT_ledger_paper.db").path
        XCTAssertTrue(FileManager.default.fileExists(atPath: ledger))
        let written = try FileManager.default.subpathsOfDirectory(atPath: folder.root.appendingPathComponent("output").path)
        XCTAssertFalse(written.contains { $0.contains("_live") || $0.hasSuffix("_BOT_ledger.db") }, "\(written)")
    }

    func testDemoContinuesThePaperAccountAndLedgerCommandsReadIt() throws {
        try installBundled()
        XCTAssertEqual(try tbot("demo").status, 0)
        let second = try tbot("demo")
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.contains("session 2024-01-03: SYNTH 390 one-minute bars"), second.stdout)
        XCTAssertTrue(second.stdout.contains("backup \(folder.root.path)/backups/TBOT_US_PAPER_001_BOT_ledger_paper_20240103T143000Z.db"))

        let verify = try tbot("ledger", "verify", "--mode", "paper")
        XCTAssertEqual(verify.status, 0, verify.stderr)
        let balance = try tbot("ledger", "balance", "--mode", "paper", "--json")
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(balance.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["debits"] as? String, report["credits"] as? String)
        let accounts = try XCTUnwrap(report["accounts"] as? [[String: String]])
        XCTAssertEqual(accounts.first { $0["account"] == "Equity:OpeningBalance" }?["balance"], "-100000.0000")

        let history = try tbot("ledger", "history", "--mode", "paper", "--to", "2024-01-02")
        XCTAssertTrue(history.stdout.hasSuffix("4 trade(s), net 116.1508\n"), history.stdout)
        let wins = try tbot("ledger", "history", "--mode", "paper", "--from", "2024-01-02", "--to", "2024-01-02", "--outcome", "win")
        XCTAssertTrue(wins.stdout.hasSuffix("2 trade(s), net 137.9550\n"), wins.stdout)
        XCTAssertEqual(try tbot("ledger", "accounts", "--mode", "paper").stdout.split(separator: "\n").first,
                       "Assets:Brokers:PAPER:Cash  asset  PAPER cash")
        let journal = try tbot("ledger", "export", "--mode", "paper", "--format", "hledger")
        XCTAssertEqual(journal.status, 0, journal.stderr)
        XCTAssertTrue(journal.stdout.contains("Assets:Brokers:PAPER:Cash"))

        let live = try tbot("ledger", "verify", "--mode", "live")
        XCTAssertEqual(live.status, 1)
        XCTAssertTrue(live.stderr.hasSuffix("TBOT_US_PAPER_001_BOT_ledger.db not found\n"), live.stderr)
    }

    func testRestoreRefusesATamperedBackupAndAcceptsAGoodOne() throws {
        try installBundled()
        XCTAssertEqual(try tbot("demo").status, 0)
        XCTAssertEqual(try tbot("demo").status, 0)
        let backup = folder.root.appendingPathComponent("backups/TBOT_US_PAPER_001_BOT_ledger_paper_20240103T143000Z.db").path
        let restored = try tbot("ledger", "restore", "--mode", "paper", backup)
        XCTAssertEqual(restored.status, 0, restored.stderr)
        XCTAssertTrue(restored.stdout.hasPrefix("restored "), restored.stdout)
        XCTAssertTrue(try tbot("ledger", "history", "--mode", "paper").stdout.hasSuffix("4 trade(s), net 116.1508\n"), "back to day one")

        let tampered = folder.root.appendingPathComponent("tampered.db").path
        try FileManager.default.copyItem(atPath: backup, toPath: tampered)
        do { // closed at the end of the block, so the edit is checkpointed into the file
            let db = try DatabaseQueue(path: tampered)
            try db.write { db in
                try db.execute(sql: "DROP TRIGGER entries_immutable")
                try db.execute(sql: "UPDATE entries SET amount = amount + 1 WHERE transaction_id = 2")
            }
        }
        let refused = try tbot("ledger", "restore", "--mode", "paper", tampered)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.hasPrefix("refusing to restore \(tampered):"), refused.stderr)
    }

    func testNoBooksDemoWritesNothing() throws {
        try installBundled()
        XCTAssertEqual(try tbot("demo", "--no-books").status, 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.root.path).sorted(), ["manifests", "plugins"])
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
            .contains { $0.hasPrefix("tbot-demo-") }, "the scratch books are removed")
    }
}

import Foundation
import XCTest
@testable import TBotCore

/// Manifest parsing: the bundled manifests, and every invalid form with its file, line and key.
final class ManifestTests: XCTestCase {
    private func issues(_ text: String) -> [String] {
        switch ManifestParser.parse(text: text, file: "m.toml") {
        case .success: return []
        case .failure(let error): return error.allLines
        }
    }

    private let header = """
        id = "sma"
        library = "libsma.so"
        kind = "strategy"
        enabled = true

        """

    func testBundledStrategyManifestWithModuleAndBots() throws {
        let file = URL(fileURLWithPath: try TestPaths.sourceRoot).appendingPathComponent("manifests/sma_cross_c.toml").path
        let manifest = try ManifestParser.parse(file: file).get()
        XCTAssertEqual(manifest.id, "sma_cross_c")
        XCTAssertEqual(manifest.library, "libtbot_sma_cross_c.so")
        XCTAssertEqual(manifest.kind, .strategy)
        XCTAssertTrue(manifest.enabled)
        XCTAssertEqual(manifest.parameters, [.init(key: "fast", value: "5"), .init(key: "slow", value: "20"),
                                             .init(key: "stop_pct", value: "0.01"), .init(key: "target_pct", value: "0.02")])
        let module = try XCTUnwrap(manifest.module)
        XCTAssertEqual(module.budget, Money(units: 400_000_000))
        XCTAssertEqual(module.maxRiskPerTrade.exactDescription, "500.0000")
        XCTAssertEqual(module.dailyLossLimit.exactDescription, "1500.0000")
        XCTAssertEqual(module.status, .active)
        XCTAssertEqual(manifest.bots.map(\.id), ["sma_c_spy", "sma_c_qqq_slow"])
        XCTAssertEqual(manifest.bots[0].symbols, ["SPY"])
        XCTAssertEqual(manifest.bots[0].initialBudget.description, "20000.00")
        XCTAssertEqual(manifest.bots[0].maxBudgetCap?.description, "30000.00")
        XCTAssertTrue(manifest.bots[0].compounded)
        XCTAssertNil(manifest.bots[1].maxBudgetCap)
        XCTAssertEqual(manifest.bots[1].parameters, [.init(key: "fast", value: "10"), .init(key: "slow", value: "40")])
        XCTAssertEqual(manifest.libraryPath(pluginsDirectory: "/opt/tbot/plugins"), "/opt/tbot/plugins/libtbot_sma_cross_c.so")
    }

    func testEveryBundledManifestParses() throws {
        let folder = URL(fileURLWithPath: try TestPaths.sourceRoot).appendingPathComponent("manifests").path
        let files = PluginFolders.files(in: folder, extension: "toml").filter { !$0.hasSuffix("/account.toml") }
        XCTAssertEqual(files.count, 13)
        for file in files { XCTAssertNoThrow(try ManifestParser.parse(file: file).get(), file) }
        // The bundled account and strategy modules form a valid plan.
        let plan = try BudgetPlan.load(manifestsDirectory: folder).get()
        XCTAssertEqual(plan.modules.map(\.id), ["sma_cross_c", "sma_cross_swift"])
        XCTAssertEqual(plan.account.reserveCash, Money(units: 400_000_000))
    }

    func testSyntaxErrorNamesTheLine() {
        let lines = issues("id = \"x\"\nlibrary = \"a.so\"\nkind = strategy\n")
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines[0].hasPrefix("m.toml:3: TOML syntax error: "), lines[0])
    }

    func testMissingAndMistypedRootKeys() {
        XCTAssertEqual(issues("id = \"x\"\nkind = \"gadget\"\nenabled = 1\nenabeld = true\n"), [
            "m.toml:4: key 'enabeld': unknown key; expected one of bots, description, enabled, id, kind, library, module, name, params",
            "m.toml: key 'library': missing; expected a string",
            "m.toml:2: key 'kind': expected strategy, filter or broker, got \"gadget\"",
            "m.toml:3: key 'enabled': expected true or false, got integer 1",
        ])
    }

    func testIdMustBeUsableAsAKey() {
        XCTAssertEqual(issues("id = \"Bad-Id\"\nlibrary = \"a.so\"\nkind = \"filter\"\nenabled = false\n"),
                       ["m.toml:1: key 'id': 'Bad-Id' must be made of a-z, 0-9 and _"])
    }

    func testParamsMustBeScalars() {
        XCTAssertEqual(issues(header + "[params]\nfast = 5\nsymbols = [\"A\"]\n"),
                       ["m.toml:7: key 'params.symbols': parameter values must be strings, numbers or booleans, got array"])
    }

    func testParameterTextIsTheLiteral() throws {
        let manifest = try ManifestParser.parse(text: header + "[params]\na = \"x y\"\nb = 0.1\nc = -3\nd = false\n", file: "m.toml").get()
        XCTAssertEqual(manifest.parameters, [.init(key: "a", value: "x y"), .init(key: "b", value: "0.1"),
                                             .init(key: "c", value: "-3"), .init(key: "d", value: "false")])
    }

    func testModuleShape() {
        XCTAssertEqual(issues(header + "[module]\nbudget = -5\nmax_risk_per_trade = 0\nautotrade = true\nstatus = \"SLEEPING\"\n"), [
            "m.toml:6: key 'module.budget': expected a non-negative amount such as \"2500.00\" or 2500, got integer -5",
            "m.toml:7: key 'module.max_risk_per_trade': must be greater than 0 (an amount in USD such as \"500.00\")",
            "m.toml:5: key 'module.daily_loss_limit': missing; expected an amount such as \"2500.00\" or 2500",
            "m.toml:9: key 'module.status': expected \"ACTIVE\" or \"PAUSED\", got string \"SLEEPING\"",
        ])
    }

    func testModuleOnlyInStrategyManifests() {
        let filter = "id = \"f\"\nlibrary = \"f.so\"\nkind = \"filter\"\nenabled = true\n[module]\nbudget = 1\n"
        XCTAssertEqual(issues(filter), ["m.toml:5: key 'module': only strategy manifests declare a module"])
    }

    func testBotShape() {
        let text = header + """
            [module]
            budget = "1000"
            max_risk_per_trade = 20
            daily_loss_limit = 50
            autotrade = true

            [[bots]]
            id = "a"
            symbols = ["SPY"]
            initial_budget = "500"
            max_budget_cap = "400"
            compounded = true
            autotrade = true

            [[bots]]
            id = "a"
            symbols = ["spy"]
            initial_budget = 0
            compounded = "no"
            autotrade = true
            """
        XCTAssertEqual(issues(text), [
            "m.toml:15: key 'bots.max_budget_cap': 400.00 is below initial_budget 500.00",
            "m.toml:21: key 'bots.symbols': 'spy' is not a ticker (A-Z, 0-9, '.', '/', '-' or space, 1 to 31 characters)",
            "m.toml:22: key 'bots.initial_budget': must be greater than 0",
            "m.toml:23: key 'bots.compounded': expected true or false, got string \"no\"",
        ])
    }

    func testDuplicateBotIds() {
        let bot = "\n[[bots]]\nid = \"a\"\nsymbols = [\"SPY\"]\ninitial_budget = 10\ncompounded = false\nautotrade = true\n"
        let text = header + "[module]\nbudget = 100\nmax_risk_per_trade = 2\ndaily_loss_limit = 5\nautotrade = true\n" + bot + bot
        XCTAssertEqual(issues(text), ["m.toml:19: key 'bots.id': duplicate bot id 'a' (also bots entry 1)"])
    }

    func testBotsNeedAModule() {
        let text = header + "[[bots]]\nid = \"a\"\nsymbols = [\"SPY\"]\ninitial_budget = 10\ncompounded = false\nautotrade = true\n"
        XCTAssertEqual(issues(text), ["m.toml:5: key 'bots': strategy bots need a [module] table with the module budget"])
    }

    func testMoneyIsExactFromFloatsStringsAndIntegers() throws {
        let base = header + "[module]\nmax_risk_per_trade = 0.1\ndaily_loss_limit = 0.3\nautotrade = false\nbudget = "
        for (literal, units) in [("1234.56", Int64(12_345_600)), ("\"0.07\"", 700), ("25000", 250_000_000), ("\"19999999.9999\"", 199_999_999_999)] {
            let module = try XCTUnwrap(ManifestParser.parse(text: base + literal + "\n", file: "m.toml").get().module)
            XCTAssertEqual(module.budget.units, units, literal)
        }
        let module = try XCTUnwrap(ManifestParser.parse(text: base + "1\n", file: "m.toml").get().module)
        XCTAssertEqual((module.maxRiskPerTrade + module.dailyLossLimit).exactDescription, "0.4000")
    }
}

/// Flipping `enabled` edits one line and keeps the rest of the operator's file.
final class ManifestToggleTests: XCTestCase {
    private let original = """
        # my filter, tuned by hand
        id = "band"   # keep this id
        library = "libband.so"
        kind = "filter"
        enabled   =   true    # flipped by tbot

        [params]
        enabled = "a parameter that must not be touched"
        min_price = 5
        """

    func testDisableRewritesOnlyTheRootToggle() {
        let edited = ManifestToggle.rewrite(original, enabled: false)
        XCTAssertEqual(edited, original.replacingOccurrences(of: "enabled   =   true    # flipped by tbot",
                                                             with: "enabled   =   false    # flipped by tbot"))
    }

    func testEnableInsertsTheToggleAfterKindWhenAbsent() {
        let text = "id = \"band\"\nlibrary = \"libband.so\"\nkind = \"filter\"\n\n[params]\n"
        XCTAssertEqual(ManifestToggle.rewrite(text, enabled: true),
                       "id = \"band\"\nlibrary = \"libband.so\"\nkind = \"filter\"\nenabled = true\n\n[params]\n")
    }

    func testSetEnabledWritesTheFileAndReportsChange() throws {
        let folder = try OperatorFolder()
        let file = try folder.writeManifest("band.toml", original)
        XCTAssertTrue(try ManifestToggle.setEnabled(false, file: file))
        XCTAssertFalse(try ManifestToggle.setEnabled(false, file: file), "already disabled: nothing to write")
        XCTAssertEqual(try ManifestParser.parse(file: file).get().enabled, false)
        XCTAssertTrue(try ManifestToggle.setEnabled(true, file: file))
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), original)
    }

    func testRefusesToWriteAnEditThatWouldNotParse() throws {
        let folder = try OperatorFolder()
        let text = "id = \"band\"\nlibrary = \"libband.so\"\nkind = \"filter\"\nenabled = true\nbogus = 1\n"
        let file = try folder.writeManifest("band.toml", text)
        XCTAssertThrowsError(try ManifestToggle.setEnabled(false, file: file)) { error in
            XCTAssertEqual("\(error)", "refusing to write: the edited manifest would be invalid: \(file):5: key 'bogus': unknown key; "
                + "expected one of bots, description, enabled, id, kind, library, module, name, params")
        }
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), text)
    }

    func testTemplateForADiscoveredPluginParsesBack() throws {
        let folder = try OperatorFolder()
        let path = try folder.install("tbot_price_band_filter")
        let info = try PluginLibraryLoader.open(path).get().info
        let file = try ManifestTemplate.create(for: info, libraryPath: path, pluginsDirectory: folder.plugins,
                                               manifestsDirectory: folder.manifests, enabled: true)
        XCTAssertEqual(file, folder.manifestPath("price_band.toml"))
        let manifest = try ManifestParser.parse(file: file).get()
        XCTAssertEqual(manifest.id, "price_band")
        XCTAssertEqual(manifest.library, "libtbot_price_band_filter.so")
        XCTAssertEqual(manifest.kind, .filter)
        XCTAssertTrue(manifest.enabled)
        XCTAssertThrowsError(try ManifestTemplate.create(for: info, libraryPath: path, pluginsDirectory: folder.plugins,
                                                         manifestsDirectory: folder.manifests, enabled: true))
    }
}

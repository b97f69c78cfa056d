import Foundation
import XCTest
@testable import TBotCore

final class ConfigTests: XCTestCase {
    private let file = "/cfg/.env_bot"

    // MARK: - Helpers

    /// Every required key, one per line, seed values, schema order: line numbers are predictable.
    private var requiredKeys: [ConfigKey] { ConfigSchema.keys.filter(\.required) }

    private func line(_ key: String) -> Int {
        guard let index = requiredKeys.firstIndex(where: { $0.name == key }) else {
            XCTFail("\(key) is not a required key")
            return 0
        }
        return index + 1
    }

    /// A complete file with some values replaced, some keys left out and extra lines appended.
    private func text(replacing: [String: String] = [:], removing: Set<String> = [], appending: [String] = []) -> String {
        let lines = requiredKeys.map { key -> String in
            if removing.contains(key.name) { return "# \(key.name) left out" }  // keeps line numbers
            return "\(key.name)=\(replacing[key.name] ?? key.defaultValue)"
        }
        return (lines + appending).joined(separator: "\n") + "\n"
    }

    private func issues(_ text: String, file: String? = nil) -> [String] {
        switch RuntimeConfig.validate(text: text, file: file ?? self.file) {
        case .success:
            return []
        case let .failure(error):
            return error.issues.map(\.description)
        }
    }

    private func config(_ text: String) throws -> RuntimeConfig {
        try RuntimeConfig.validate(text: text, file: file).get()
    }

    private func sourceRoot() throws -> URL {
        URL(fileURLWithPath: try TestPaths.sourceRoot)
    }

    private func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tbot-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    private func decimal(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))! }

    // MARK: - Defaults and the example file

    func testDefaultsAreTheSeedValues() throws {
        let config = RuntimeConfig.defaults
        XCTAssertEqual(config.source, "built-in defaults")
        XCTAssertTrue(config.warnings.isEmpty)
        XCTAssertTrue(config.testMode)
        XCTAssertFalse(config.disableAllTrades)
        XCTAssertFalse(config.forcePaperExport)
        XCTAssertEqual(config.logFormat, .json)
        XCTAssertEqual(config.totalAllocation, decimal("0.02"))
        XCTAssertEqual(config.maxTrades, 4)
        XCTAssertEqual(config.weights, ["0.4", "0.2", "0.2", "0.2"].map(decimal))
        XCTAssertEqual(config.dailyLossLimit, decimal("0.05"))
        XCTAssertEqual(config.maxRiskPerTrade, decimal("0.025"))
        XCTAssertEqual(config.maxOpenPositions, 5)
        XCTAssertEqual(config.minPrice, 5)
        XCTAssertEqual(config.maxPrice, 100)
        XCTAssertEqual(config.minVolumeThreshold, 1_000_000)
        XCTAssertTrue(config.fractional)
        XCTAssertEqual(config.apiRetryLimit, 3)
        XCTAssertEqual(config.apiTimeoutSeconds, 30)
        XCTAssertEqual(config.strategySequence, ["open", "mid", "close"])
        XCTAssertNil(config.strategyOverride)
        XCTAssertEqual(config.tradingDays, ["mon", "tue", "wed", "thu", "fri"])
        XCTAssertEqual(config.sleepTimeMilliseconds, 1000)
        XCTAssertFalse(config.defenseModeActive)
        XCTAssertEqual(config.defenseModeTradeLimitPct, 66)
        XCTAssertEqual(config.defenseModeTotalAllocation, decimal("0.01"))
        XCTAssertNil(config.pluginsDir)
        XCTAssertEqual(config.manifestsDir, "manifests")
        XCTAssertEqual(config.outputDir, "output")
        XCTAssertTrue(config.startTime(session: "open") == (14, 30))
        XCTAssertTrue(config.startTime(session: "MID") == (15, 30))
        XCTAssertTrue(config.startTime(session: "close") == (19, 30))
        XCTAssertTrue(config.sessionEnabled("close"))
        XCTAssertEqual(config.string("SHORT_TYPE_MID"), "InverseETF")
        XCTAssertEqual(config.allValues.count, ConfigSchema.keys.count)
    }

    func testNoPathAndNoFileLoadsDefaults() throws {
        let dir = try temporaryFolder()
        let config = try RuntimeConfig.load(path: nil, environment: [:], workingDirectory: dir.path)
        XCTAssertEqual(config.source, "built-in defaults")
    }

    func testNoPathLoadsEnvBotInWorkingDirectory() throws {
        let dir = try temporaryFolder()
        try text(replacing: ["MAX_TRADES": "2", "WEIGHTS": "0.5,0.5"])
            .write(to: dir.appendingPathComponent(".env_bot"), atomically: true, encoding: .utf8)
        let config = try RuntimeConfig.load(path: nil, environment: [:], workingDirectory: dir.path)
        XCTAssertEqual(config.source, dir.path + "/.env_bot")
        XCTAssertEqual(config.maxTrades, 2)
        // A relative explicit path is read from the working directory too.
        XCTAssertEqual(try RuntimeConfig.load(path: ".env_bot", environment: [:], workingDirectory: dir.path).maxTrades, 2)
    }

    func testExplicitPathMustExist() {
        XCTAssertThrowsError(try RuntimeConfig.load(path: "/nonexistent/.env_bot", environment: [:], workingDirectory: "/")) { error in
            XCTAssertEqual("\(error)", "config file /nonexistent/.env_bot not found")
        }
    }

    func testExampleFileHasZeroIssues() throws {
        let path = try sourceRoot().appendingPathComponent(".env_bot.example").path
        let config = try RuntimeConfig.load(path: path, environment: [:], workingDirectory: "/")
        XCTAssertEqual(config.source, path)
        XCTAssertEqual(config.warnings, [])
        // The example is the schema's own rendering, so docs and validation cannot drift apart.
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), ConfigSchema.exampleFileText())
        for key in ConfigSchema.keys where !key.required {
            XCTAssertTrue(ConfigSchema.exampleFileText().contains("# \(key.name)=\(key.defaultValue)\n"), key.name)
        }
    }

    func testSchemaCoversTheSeedKeys() {
        let names = ConfigSchema.keys.map(\.name)
        XCTAssertEqual(Set(names).count, names.count, "duplicate schema key")
        XCTAssertEqual(ConfigSchema.keys.filter(\.required).count, 65)
        XCTAssertEqual(ConfigSchema.keys.filter { !$0.required }.map(\.name), ConfigSchema.riskEngineKeys.map(\.name) + ["PLUGINS_DIR", "MANIFESTS_DIR", "OUTPUT_DIR", "BACKUP_DIR", "BACKUP_RETENTION_DAYS", "ENTITY_CODE", "JURISDICTION_CODE", "BROKER_CODE", "BOT_ID", "VIX_DATA_FILE"] + ConfigSchema.runtimeKeys.map(\.name))
        for name in ["VERSION_TAG", "SLEEP_TIME", "SHORT_TYPE_CLOSE", "CLOSE_BREAKOUT_TIME", "STRAT_CLOSE_VIX_THRESHOLD",
                     "DEFENSE_MODE_TOTAL_ALLOCATION", "MIN_MARKET_CAP_MID", "STRAT_OPEN_BUFFER"] {
            XCTAssertNotNil(ConfigSchema.key(name), name)
        }
    }

    // MARK: - Parsing quirks of real files

    func testSeedWhitespaceQuirksParse() throws {
        let text = self.text(removing: ["SHORT_TYPE_MID", "MAX_OPEN_POSITIONS", "TEST_MODE", "VERSION_TAG", "LOG_FORMAT", "STRATEGY_OVERRIDE"],
                             appending: [
                                 "SHORT_TYPE_MID= InverseETF              ",
                                 "MAX_OPEN_POSITIONS=5                   ",
                                 "export TEST_MODE=TRUE",
                                 "  VERSION_TAG = 'v1.0.0' # quoted, then a comment",
                                 "LOG_FORMAT=\"csv\"\r",
                                 "\t# an indented comment",
                                 "",
                                 "STRATEGY_OVERRIDE= # empty, with a comment",
                                 "PLUGINS_DIR=\"/opt/tbot/plugins #2\"",
                                 "OUTPUT_DIR=out#put # the first '#' has no space before it",
                             ])
        let config = try self.config(text)
        XCTAssertEqual(config.string("SHORT_TYPE_MID"), "InverseETF")
        XCTAssertEqual(config.maxOpenPositions, 5)
        XCTAssertTrue(config.testMode)
        XCTAssertEqual(config.string("TEST_MODE"), "true")
        XCTAssertEqual(config.string("VERSION_TAG"), "v1.0.0")
        XCTAssertEqual(config.logFormat, .csv)
        XCTAssertNil(config.strategyOverride)
        XCTAssertEqual(config.pluginsDir, "/opt/tbot/plugins #2")
        XCTAssertEqual(config.outputDir, "out#put")
        XCTAssertEqual(config.line("SHORT_TYPE_MID"), requiredKeys.count + 1)
    }

    func testWindowsLineEndingsKeepLineNumbers() {
        // "\r\n" is a single Character in Swift; splitting on "\n" alone would merge lines.
        let crlf = text(replacing: ["TEST_MODE": "yes"]).replacingOccurrences(of: "\n", with: "\r\n")
        XCTAssertEqual(issues(crlf), ["\(file):4: TEST_MODE: \"yes\" is not a boolean; expected true or false"])
    }

    func testValuesAreNormalised() throws {
        let config = try self.config(text(replacing: [
            "SHORT_TYPE_OPEN": "longput", "BUILD_MODE": "RELEASE", "STRATEGY_OVERRIDE": "MID",
            "TRADING_DAYS": "Mon, TUE ,sun", "START_TIME_OPEN": "9:30", "STRATEGY_SEQUENCE": "close, open",
            "SLEEP_TIME": "250MS", "WEIGHTS": "0.4, 0.2 ,0.2,0.2", "MAX_TRADES": "+4",
        ]))
        XCTAssertEqual(config.string("SHORT_TYPE_OPEN"), "LongPut")
        XCTAssertEqual(config.string("BUILD_MODE"), "release")
        XCTAssertEqual(config.strategyOverride, "mid")
        XCTAssertEqual(config.tradingDays, ["mon", "tue", "sun"])
        XCTAssertTrue(config.startTime(session: "open") == (9, 30))
        XCTAssertEqual(config.string("START_TIME_OPEN"), "09:30")
        XCTAssertEqual(config.strategySequence, ["close", "open"])
        XCTAssertEqual(config.sleepTimeMilliseconds, 250)
        XCTAssertEqual(config.string("WEIGHTS"), "0.4,0.2,0.2,0.2")
        XCTAssertEqual(config.maxTrades, 4)
    }

    func testSleepTimeForms() throws {
        XCTAssertEqual(try config(text(replacing: ["SLEEP_TIME": "2m"])).sleepTimeMilliseconds, 120_000)
        XCTAssertEqual(try config(text(replacing: ["SLEEP_TIME": "15s"])).sleepTimeMilliseconds, 15_000)
        for bad in ["1h", "0s", "s", "1.5s", "10"] {
            XCTAssertEqual(issues(text(replacing: ["SLEEP_TIME": bad])), [
                "\(file):\(line("SLEEP_TIME")): SLEEP_TIME: \"\(bad)\" is not a valid duration; expected a whole number above 0 followed by ms, s or m, e.g. 1s",
            ])
        }
    }

    // MARK: - Each invalid form, as the operator sees it

    func testMissingKey() {
        XCTAssertEqual(issues(text(removing: ["LOG_FORMAT"])), [
            "\(file): LOG_FORMAT: missing; expected one of json, csv (seed default: json)",
        ])
        XCTAssertEqual(issues(text(removing: ["STRATEGY_OVERRIDE"])), [
            "\(file): STRATEGY_OVERRIDE: missing; expected empty, or one of open, mid, close (seed default: empty)",
        ])
    }

    func testMalformedBool() {
        XCTAssertEqual(issues(text(replacing: ["TEST_MODE": "yes"])), [
            "\(file):4: TEST_MODE: \"yes\" is not a boolean; expected true or false",
        ])
        XCTAssertEqual(issues(text(replacing: ["FRACTIONAL": ""])), [
            "\(file):\(line("FRACTIONAL")): FRACTIONAL: empty value; expected true or false",
        ])
    }

    func testOutOfRangeRatio() {
        XCTAssertEqual(issues(text(replacing: ["TOTAL_ALLOCATION": "1.5"])), [
            "\(file):\(line("TOTAL_ALLOCATION")): TOTAL_ALLOCATION: 1.5 is out of range; expected a decimal above 0 and at most 1 (share of broker float), e.g. 0.02",
        ])
        XCTAssertEqual(issues(text(replacing: ["MAX_GAP_PCT_OPEN": "-0.1"])), [
            "\(file):\(line("MAX_GAP_PCT_OPEN")): MAX_GAP_PCT_OPEN: -0.1 is out of range; expected a decimal between 0 and 1, e.g. 0.1",
        ])
        XCTAssertEqual(issues(text(replacing: ["DEFENSE_MODE_TRADE_LIMIT_PCT": "101"])), [
            "\(file):\(line("DEFENSE_MODE_TRADE_LIMIT_PCT")): DEFENSE_MODE_TRADE_LIMIT_PCT: 101 is out of range; expected a whole number from 0 to 100 (percent), e.g. 66",
        ])
    }

    func testMalformedNumbers() {
        for bad in ["2%", "0.0.2", "1e-2", ".02", "2.", "0,02", "abc", "0x10"] {
            XCTAssertEqual(issues(text(replacing: ["DAILY_LOSS_LIMIT": bad])), [
                "\(file):\(line("DAILY_LOSS_LIMIT")): DAILY_LOSS_LIMIT: \"\(bad)\" is not a decimal number; expected a decimal above 0 and at most 1 (share of broker float), e.g. 0.05",
            ], bad)
        }
        XCTAssertEqual(issues(text(replacing: ["API_TIMEOUT": "30s"])), [
            "\(file):\(line("API_TIMEOUT")): API_TIMEOUT: \"30s\" is not a whole number; expected a whole number from 1 to 600 (seconds), e.g. 30",
        ])
    }

    func testBadTimeOfDay() {
        for bad in ["25:00", "14:60", "1430", "14:3", "14:30:00", "ab:cd"] {
            XCTAssertEqual(issues(text(replacing: ["START_TIME_OPEN": bad])), [
                "\(file):\(line("START_TIME_OPEN")): START_TIME_OPEN: \"\(bad)\" is not a valid time of day; expected HH:MM in UTC, e.g. 14:30",
            ], bad)
        }
    }

    func testUnknownWeekday() {
        let form = "comma-separated weekdays from mon,tue,wed,thu,fri,sat,sun"
        let at = "\(file):\(line("TRADING_DAYS")): TRADING_DAYS"
        XCTAssertEqual(issues(text(replacing: ["TRADING_DAYS": "mon,fry"])), ["\(at): unknown weekday \"fry\"; expected \(form)"])
        XCTAssertEqual(issues(text(replacing: ["TRADING_DAYS": "mon,,tue"])), ["\(at): empty weekday at position 2; expected \(form)"])
        XCTAssertEqual(issues(text(replacing: ["TRADING_DAYS": "mon,Mon"])), ["\(at): weekday \"mon\" is listed twice; expected \(form)"])
    }

    func testBadEnumValues() {
        XCTAssertEqual(issues(text(replacing: ["SHORT_TYPE_CLOSE": "Short"])), [
            "\(file):\(line("SHORT_TYPE_CLOSE")): SHORT_TYPE_CLOSE: \"Short\" is not an allowed value; expected one of disabled, ShortSell, LongPut, InverseETF",
        ])
        XCTAssertEqual(issues(text(replacing: ["STRATEGY_SEQUENCE": "open,noon"])), [
            "\(file):\(line("STRATEGY_SEQUENCE")): STRATEGY_SEQUENCE: unknown session \"noon\"; expected comma-separated sessions from open,mid,close, each at most once, e.g. open,mid,close",
        ])
    }

    func testWeightsCountMustMatchMaxTrades() {
        XCTAssertEqual(issues(text(replacing: ["WEIGHTS": "0.5,0.5"])), [
            "\(file):\(line("WEIGHTS")): WEIGHTS: 2 entries but MAX_TRADES 4 (line \(line("MAX_TRADES"))); expected exactly as many comma-separated weights as MAX_TRADES",
        ])
    }

    func testWeightsMustSumToOne() {
        let form = "comma-separated decimals above 0 and at most 1, one per trade (MAX_TRADES), summing to exactly 1, e.g. 0.4,0.2,0.2,0.2"
        let at = "\(file):\(line("WEIGHTS")): WEIGHTS"
        XCTAssertEqual(issues(text(replacing: ["WEIGHTS": "0.4,0.2,0.2,0.1"])), ["\(at): entries sum to 0.9, not 1; expected \(form)"])
        XCTAssertEqual(issues(text(replacing: ["WEIGHTS": "0.4,0.2,0.2,0.2000001"])), ["\(at): entries sum to 1.0000001, not 1; expected \(form)"])
        XCTAssertEqual(issues(text(replacing: ["WEIGHTS": "1.2,-0.2,0,0"])), ["\(at): entry 1 (1.2) is out of range; expected \(form)"])
        XCTAssertEqual(issues(text(replacing: ["WEIGHTS": "0.4,x,0.2,0.2"])), ["\(at): entry 2 \"x\" is not a decimal number; expected \(form)"])
    }

    func testPriceAndMarketCapOrder() {
        XCTAssertEqual(issues(text(replacing: ["MIN_PRICE": "100"])), [
            "\(file):\(line("MIN_PRICE")): MIN_PRICE: 100 is not below MAX_PRICE 100 (line \(line("MAX_PRICE"))); expected MIN_PRICE below MAX_PRICE",
        ])
        XCTAssertEqual(issues(text(replacing: ["MIN_MARKET_CAP_MID": "20000000000"])), [
            "\(file):\(line("MIN_MARKET_CAP_MID")): MIN_MARKET_CAP_MID: 20000000000 is above MAX_MARKET_CAP_MID 10000000000 (line \(line("MAX_MARKET_CAP_MID"))); expected MIN_MARKET_CAP_MID at most MAX_MARKET_CAP_MID",
        ])
        XCTAssertEqual(issues(text(replacing: ["DEFENSE_MODE_TOTAL_ALLOCATION": "0.03"])), [
            "\(file):\(line("DEFENSE_MODE_TOTAL_ALLOCATION")): DEFENSE_MODE_TOTAL_ALLOCATION: 0.03 is above TOTAL_ALLOCATION 0.02 (line \(line("TOTAL_ALLOCATION"))); expected DEFENSE_MODE_TOTAL_ALLOCATION at most TOTAL_ALLOCATION",
        ])
        // Equal caps are allowed.
        XCTAssertEqual(issues(text(replacing: ["MIN_MARKET_CAP_OPEN": "10000000000"])), [])
    }

    func testDuplicateKeyNamesBothLines() {
        let end = requiredKeys.count + 1
        XCTAssertEqual(issues(text(appending: ["TEST_MODE=false"])), [
            "\(file):\(end): TEST_MODE: duplicate key (first set on line 4); expected each key at most once",
        ])
    }

    func testSyntaxErrors() {
        let end = requiredKeys.count + 1
        let form = "KEY=VALUE with KEY made of A-Z, 0-9 and _"
        XCTAssertEqual(issues(text(appending: ["JUST_A_WORD"])), ["\(file):\(end): no '=' in \"JUST_A_WORD\"; expected \(form)"])
        XCTAssertEqual(issues(text(appending: ["=5"])), ["\(file):\(end): empty key before '='; expected \(form)"])
        XCTAssertEqual(issues(text(appending: ["max-trades=4"])), ["\(file):\(end): invalid key name \"max-trades\"; expected \(form)"])
    }

    func testUnterminatedQuoteIsReportedOnce() {
        // The key is present, so it is not also reported as missing.
        XCTAssertEqual(issues(text(replacing: ["LOG_FORMAT": "\"json"])), [
            "\(file):\(line("LOG_FORMAT")): LOG_FORMAT: unterminated \" quote; expected a closing \" on the same line",
        ])
        XCTAssertEqual(issues(text(replacing: ["LOG_FORMAT": "'json' csv"])), [
            "\(file):\(line("LOG_FORMAT")): LOG_FORMAT: unexpected text \"csv\" after the closing quote; expected only a # comment after a quoted value",
        ])
    }

    func testAllProblemsAreReportedTogether() throws {
        let text = self.text(replacing: ["TEST_MODE": "maybe", "START_TIME_MID": "25:00", "WEIGHTS": "0.5,0.5"],
                             removing: ["NOTIFY_ON_EXIT"],
                             appending: ["TEST_MODE=true", "oops"])
        let end = requiredKeys.count
        guard case let .failure(error) = RuntimeConfig.validate(text: text, file: file) else {
            return XCTFail("expected a ConfigError")
        }
        XCTAssertEqual(error.file, file)
        XCTAssertEqual(error.description, [
            "\(file):4: TEST_MODE: \"maybe\" is not a boolean; expected true or false",
            "\(file):\(line("WEIGHTS")): WEIGHTS: 2 entries but MAX_TRADES 4 (line \(line("MAX_TRADES"))); expected exactly as many comma-separated weights as MAX_TRADES",
            "\(file):\(line("START_TIME_MID")): START_TIME_MID: \"25:00\" is not a valid time of day; expected HH:MM in UTC, e.g. 15:30",
            "\(file):\(end + 1): TEST_MODE: duplicate key (first set on line 4); expected each key at most once",
            "\(file):\(end + 2): no '=' in \"oops\"; expected KEY=VALUE with KEY made of A-Z, 0-9 and _",
            "\(file): NOTIFY_ON_EXIT: missing; expected true or false (seed default: true)",
        ].joined(separator: "\n"))
        XCTAssertEqual(error.issues.map(\.key), ["TEST_MODE", "WEIGHTS", "START_TIME_MID", "TEST_MODE", nil, "NOTIFY_ON_EXIT"])
        XCTAssertEqual(error.issues.last?.line, nil)
    }

    func testLoadThrowsEveryIssue() throws {
        let dir = try temporaryFolder()
        let path = dir.appendingPathComponent("bot.env").path
        try text(replacing: ["MAX_PRICE": "1", "FRACTIONAL": "no"]).write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RuntimeConfig.load(path: path, environment: [:], workingDirectory: "/")) { error in
            guard let error = error as? ConfigError else { return XCTFail("not a ConfigError: \(error)") }
            XCTAssertEqual(error.file, path)
            XCTAssertEqual(error.issues.map(\.key), ["FRACTIONAL", "MIN_PRICE"])
        }
    }

    func testUnknownKeyIsAWarning() throws {
        let config = try self.config(text(appending: ["FOO_BAR=1"]))
        XCTAssertEqual(config.warnings, ["\(file):\(requiredKeys.count + 1): unknown key FOO_BAR (ignored)"])
        XCTAssertNil(config.string("FOO_BAR"))
        XCTAssertNil(config.lookup("FOO_BAR"))
    }

    // MARK: - Exact decimals and secrets

    func testDecimalsAreExact() throws {
        XCTAssertEqual(decimal("0.1") + decimal("0.2"), decimal("0.3"))
        XCTAssertEqual(ConfigLiterals.decimal("0.1")! + ConfigLiterals.decimal("0.2")!, ConfigLiterals.decimal("0.3")!)
        // In Double these four add up to 0.9999999999999999; with Decimal they are exactly 1.
        let config = try self.config(text(replacing: ["WEIGHTS": "0.7,0.1,0.1,0.1"]))
        XCTAssertEqual(config.weights.reduce(0, +), 1)
        XCTAssertEqual(config.maxRiskPerTrade * 1000, 25)
    }

    func testStrictDecimalLiteral() {
        for good in ["0", "0.02", "-1", "+3.5", "100", "10000000000"] {
            XCTAssertNotNil(ConfigLiterals.decimal(good), good)
        }
        for bad in ["", " 1", "1 ", ".5", "5.", "1.2.3", "1e3", "0x10", "1,5", "+-1", "--1", "NaN", "inf", "\u{FF11}"] {
            XCTAssertNil(ConfigLiterals.decimal(bad), bad)
        }
    }

    func testSecretKeys() {
        for secret in ["ALPACA_API_KEY", "ALPACA_SECRET_KEY", "SMTP_PASS", "ENCRYPTION_KEY", "ENCRYPTED_PASSWORD",
                       "PASSWORD", "ENV_BOT_KEY", "GITHUB_TOKEN", "IBKR_PASSWD"] {
            XCTAssertTrue(RuntimeConfig.isSecretKey(secret), secret)
        }
        for plain in ["MAX_TRADES", "BYPASS_FILTER", "MONKEY_PATCH", "SMTP_HOST", "ALERT_EMAIL"] {
            XCTAssertFalse(RuntimeConfig.isSecretKey(plain), plain)
        }
        for key in ConfigSchema.keys {
            XCTAssertFalse(RuntimeConfig.isSecretKey(key.name), key.name)
        }
        let config = RuntimeConfig.defaults
        XCTAssertEqual(config.lookup("TEST_MODE"), "true")
        XCTAssertNil(config.lookup("ALPACA_SECRET_KEY"))
    }

    func testSecretsInTheFileAreNotKept() throws {
        let config = try self.config(text(appending: ["ALPACA_SECRET_KEY=abc123"]))
        XCTAssertNil(config.string("ALPACA_SECRET_KEY"))
        XCTAssertNil(config.lookup("ALPACA_SECRET_KEY"))
        XCTAssertEqual(config.warnings.count, 1)
    }
}

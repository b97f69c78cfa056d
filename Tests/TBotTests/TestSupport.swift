import Foundation
import Logging
import XCTest
@testable import TBotCore
import TBotPluginAPI

/// Where the package's build products and sources are, for tests that use real files.
enum TestPaths {
    /// The build folder holding the plugin .so files and `tbot`: TBOT_BUILD_DIR, else the
    /// folder of the running test binary (SwiftPM puts everything side by side).
    static var buildDirectory: String {
        if let dir = ProcessInfo.processInfo.environment["TBOT_BUILD_DIR"], !dir.isEmpty { return dir }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // On some layouts the test binary sits inside an .xctest bundle folder.
        while folder.path.contains(".xctest") { folder.deleteLastPathComponent() }
        return folder.path
    }

    /// A built product's library, e.g. library("tbot_sma_cross_c").
    static func library(_ product: String) -> String {
        URL(fileURLWithPath: buildDirectory).appendingPathComponent("lib\(product).so").path
    }

    /// TBOT_SOURCE_ROOT, else the nearest folder above the working directory with a Package.swift.
    static var sourceRoot: String {
        get throws {
            if let root = ProcessInfo.processInfo.environment["TBOT_SOURCE_ROOT"], !root.isEmpty { return root }
            var folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            while folder.path != "/" {
                if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) { return folder.path }
                folder.deleteLastPathComponent()
            }
            throw TestSupportError("no Package.swift above \(FileManager.default.currentDirectoryPath); set TBOT_SOURCE_ROOT")
        }
    }
}

/// Runs an external tool to completion; output goes through files so a full pipe cannot stall it.
enum ToolProcess {
    static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tbot-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out"), err = scratch.appendingPathComponent("err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8))
    }

    /// python3 from PATH.
    static func python(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try run("/usr/bin/env", ["python3"] + arguments)
    }
}

struct TestSupportError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A scratch operator layout: root/manifests and root/plugins, removed at the end.
final class OperatorFolder {
    let root: URL
    var manifests: String { root.appendingPathComponent("manifests").path }
    var plugins: String { root.appendingPathComponent("plugins").path }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("tbot-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: root.appendingPathComponent("manifests").path, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root.appendingPathComponent("plugins").path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// Copies a built product into plugins/ (under `name` when given); returns the full path.
    @discardableResult
    func install(_ product: String, as name: String? = nil) throws -> String {
        let source = TestPaths.library(product)
        guard FileManager.default.fileExists(atPath: source) else {
            throw TestSupportError("\(source) is missing: run `swift build` before `swift test`")
        }
        let target = pluginPath(name ?? "lib\(product).so")
        try FileManager.default.copyItem(atPath: source, toPath: target)
        return target
    }

    func pluginPath(_ file: String) -> String { URL(fileURLWithPath: plugins).appendingPathComponent(file).path }
    func manifestPath(_ file: String) -> String { URL(fileURLWithPath: manifests).appendingPathComponent(file).path }

    @discardableResult
    func writeManifest(_ file: String, _ text: String) throws -> String {
        let path = manifestPath(file)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A minimal manifest for one plugin.
    @discardableResult
    func writeManifest(id: String, library: String, kind: String, enabled: Bool = true, params: String = "") throws -> String {
        try writeManifest("\(id).toml", """
            id = "\(id)"
            library = "\(library)"
            kind = "\(kind)"
            enabled = \(enabled)

            [params]
            \(params)
            """)
    }

    func catalog(environment: HostEnvironment = TestHost.environment()) -> PluginCatalog {
        PluginCatalog(manifestsDirectory: manifests, pluginsDirectory: plugins, environment: environment)
    }
}

/// Host services for tests: a simulated clock, a log captured in memory, the default config.
enum TestHost {
    static func environment(clock: HostClock = SimulatedClock(startNanoseconds: 1_700_000_000_000_000_000),
                            log: LogCapture = LogCapture(), config: RuntimeConfig = .defaults,
                            runMode: LedgerMode = .paper) -> HostEnvironment {
        let logger = Logger(label: "test") { label in
            UTCLogHandler(label: label, clock: clock, level: .debug, write: { line in log.append(line) })
        }
        return HostEnvironment(clock: clock, logger: logger, configLookup: { runMode.lookup($0, config: config) })
    }

    /// Opens, creates and self-checks one built product directly, without a catalog.
    static func instance(_ product: String, parameters: [ManifestParameter] = [],
                         environment: HostEnvironment = TestHost.environment()) throws -> PluginInstance {
        switch PluginLibraryLoader.open(TestPaths.library(product)) {
        case .failure(let failure): throw failure
        case .success(let library):
            switch PluginInstance.make(library: library, parameters: parameters, environment: environment) {
            case .failure(let failure): throw failure
            case .success(let instance): return instance
            }
        }
    }
}

/// Collects log lines written by the host's log handler.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []

    func append(_ line: String) { lock.lock(); stored.append(line); lock.unlock() }
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return stored }
}

/// Complete, valid .env_bot texts with some values changed.
enum RuntimeConfigFixtures {
    static func exampleText(replacing values: [String: String]) -> String {
        ConfigSchema.exampleFileText().components(separatedBy: "\n").map { line in
            guard let equals = line.firstIndex(of: "="), !line.hasPrefix("#") else { return line }
            let key = String(line[..<equals])
            return values[key].map { "\(key)=\($0)" } ?? line
        }.joined(separator: "\n")
    }

    /// The example file with `values` set (appended when the example omits the key), validated.
    static func config(_ values: [String: String]) throws -> RuntimeConfig {
        try RuntimeConfig.validate(text: text(values), file: "test.env_bot").get()
    }

    /// A complete .env_bot text with `values` set.
    static func text(_ values: [String: String]) -> String {
        var text = exampleText(replacing: values)
        for (key, value) in values.sorted(by: { $0.key < $1.key }) where !text.contains("\n\(key)=") { text += "\n\(key)=\(value)\n" }
        return text
    }

    /// Risk limits that do not bind in tests about other parts (budgets, ledger): ten trades a
    /// session and ten open positions.
    static let looseRiskValues = ["MAX_TRADES": "10", "WEIGHTS": Array(repeating: "0.1", count: 10).joined(separator: ","),
                                  "MAX_OPEN_POSITIONS": "10", "MAX_CONCURRENT_TRADES_PER_BROKER": "10"]

    static var looseRisk: RuntimeConfig {
        get throws { try config(looseRiskValues) }
    }
}

/// Runs the built `tbot` binary in a scratch operator folder.
struct CLIRunner {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    let folder: OperatorFolder

    func run(_ arguments: String...) throws -> Run { try run(arguments) }

    func run(_ arguments: [String]) throws -> Run {
        let out = Pipe(), err = Pipe()
        let process = try launch(arguments, stdout: out, stderr: err)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                   stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Starts `tbot` and returns at once, output discarded: for tests that stop it themselves.
    func start(_ arguments: String...) throws -> Process {
        try launch(arguments, stdout: FileHandle.nullDevice, stderr: FileHandle.nullDevice)
    }

    private func launch(_ arguments: [String], stdout: Any, stderr: Any) throws -> Process {
        let binary = URL(fileURLWithPath: TestPaths.buildDirectory).appendingPathComponent("tbot")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TestSupportError("\(binary.path) is missing: run `swift build` before `swift test`")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = folder.root
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "TBOT_ENV_BOT")
        process.environment = environment
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        return process
    }
}

/// A broker fill of `shares` SPY, ids f<id>/o<id>, at host time id * 1000 ns.
enum TestFills {
    static func fill(_ id: Int, _ side: TradeSide, _ shares: Int64, _ price: Double, fee: Int64 = 0) -> BrokerFill {
        var raw = tbot_fill_t()
        CStrings.write("f\(id)", into: &raw.fill_id)
        CStrings.write("o\(id)", into: &raw.order_id)
        CStrings.write("SPY", into: &raw.symbol)
        raw.side = side == .buy ? TBOT_SIDE_BUY : TBOT_SIDE_SELL
        raw.quantity = shares * TBOT_QTY_SCALE
        raw.price = price
        raw.fee = fee
        raw.time_ns = Int64(id) * 1_000
        return BrokerFill(raw)
    }
}

/// A bot line of a strategy manifest for budget tests.
struct TestBot {
    var id: String
    var symbols: [String]
    var budget: String
    var compounded = false
    var autotrade = true
    var cap: String?
    var params = ""

    var toml: String {
        var text = "\n[[bots]]\nid = \"\(id)\"\nsymbols = [\(symbols.map { "\"\($0)\"" }.joined(separator: ", "))]\n"
            + "initial_budget = \"\(budget)\"\ncompounded = \(compounded)\nautotrade = \(autotrade)\n"
        if let cap { text += "max_budget_cap = \"\(cap)\"\n" }
        if !params.isEmpty { text += "\n[bots.params]\n\(params)\n" }
        return text
    }
}

extension OperatorFolder {
    /// manifests/account.toml with the given amounts; `extra` lines go into [account].
    @discardableResult
    func writeAccount(capital: String = "100000.00", reserve: String, dailyLoss: String = "2000.00", extra: String = "",
                      supervisor: String = "") throws -> String {
        try writeManifest("account.toml", """
            [account]
            name = "Test account"
            total_capital = "\(capital)"
            reserve_cash = "\(reserve)"
            daily_loss_limit = "\(dailyLoss)"
            \(extra)
            """ + (supervisor.isEmpty ? "" : "\n[supervisor]\n\(supervisor)\n"))
    }

    /// A strategy manifest with its module and bots.
    @discardableResult
    func writeStrategy(id: String, library: String, budget: String, maxRisk: String = "500.00", dailyLoss: String = "1500.00",
                       autotrade: Bool = true, params: String = "fast = 5\nslow = 20\nstop_pct = 0.01\ntarget_pct = 0.02",
                       bots: [TestBot]) throws -> String {
        try writeManifest("\(id).toml", """
            id = "\(id)"
            library = "\(library)"
            kind = "strategy"
            enabled = true

            [params]
            \(params)

            [module]
            budget = "\(budget)"
            max_risk_per_trade = "\(maxRisk)"
            daily_loss_limit = "\(dailyLoss)"
            autotrade = \(autotrade)
            """ + bots.map(\.toml).joined())
    }

    /// The budget plan of this folder's manifests, or the test fails with the problems.
    func plan() throws -> BudgetPlan {
        switch BudgetPlan.load(manifestsDirectory: manifests) {
        case .success(let plan): return plan
        case .failure(let error): throw TestSupportError("plan does not validate: \(error)")
        }
    }

    /// A paper ledger in this folder.
    func ledger(_ name: String = "books.db") throws -> Ledger {
        try Ledger(path: root.appendingPathComponent(name).path, mode: .paper,
                   identity: LedgerIdentity(entity: "TBOT", jurisdiction: "US", broker: "PAPER", bot: "001"))
    }
}

extension OperatorFolder {
    /// A strategy as the demo tests need it: a module of 40000.00 with one bot `{id}_bot` on
    /// `symbol` (the generated market's first symbol, SYNTH, by default).
    @discardableResult
    func writeDemoStrategy(id: String, library: String, symbol: String = "SYNTH",
                           params: String = "fast = 5\nslow = 20\nstop_pct = 0.01\ntarget_pct = 0.02") throws -> String {
        try writeStrategy(id: id, library: library, budget: "40000.00", params: params,
                          bots: [TestBot(id: "\(id)_bot", symbols: [symbol], budget: "40000.00")])
    }

    /// account.toml for `modules` demo strategies of 40000.00 each in 100000.00.
    func writeDemoAccount(modules: Int) throws {
        try writeAccount(reserve: Money(units: 1_000_000_000 - Int64(modules) * 400_000_000).description)
    }
}

/// Risk engines for tests: the seed's limits (or `limits`) over an in-memory journal.
enum TestRisk {
    static func engine(limits: RiskLimits = .defaults, brokers: [String] = ["paper_broker"], capital: Money? = nil,
                       sectors: SectorMap = .empty, journal: RiskJournal? = nil, flagFile: ((String) -> URL)? = nil) throws -> RiskEngine {
        try RiskEngine(limits: limits, sectors: sectors, journal: journal ?? RiskJournal(), accountCapital: capital,
                       activeBrokers: brokers, flagFile: flagFile)
    }
}

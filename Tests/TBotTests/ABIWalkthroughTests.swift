import Foundation
import Logging
import XCTest
@testable import TBotCore

/// The two walk-throughs of docs/plugin-abi.md, done for real: each example is compiled
/// outside the package with exactly the documented command (only the output folder differs),
/// loaded by the host's loader, created with its documented manifest, fed hand-made bars,
/// and every field of every intent is checked. The C example also proves the header stands
/// alone: one exported symbol and no Swift runtime dependency.
final class ABIWalkthroughTests: XCTestCase {
    // MARK: The documented commands

    /// Arguments of the documented commands, run from the repository root; the tests replace
    /// only the file after -o.
    static let cCommand = ["cc", "-std=c11", "-Wall", "-Wextra", "-shared", "-fPIC", "-fvisibility=hidden",
                           "-I", "PluginAPI/include", "docs/examples/breakout.c", "-o"]
    static let swiftCommand = ["swiftc", "-emit-library", "-I", "PluginAPI/include", "docs/examples/Momentum.swift", "-o"]
    static let documentedCOutput = "/tmp/libbreakout.so"
    static let documentedSwiftOutput = "/tmp/libmomentum.so"

    func testDocumentShowsTheCommandsTheseTestsRun() throws {
        let doc = try String(contentsOfFile: try Walkthrough.path("docs/plugin-abi.md"), encoding: .utf8)
        for command in [Self.cCommand + [Self.documentedCOutput], Self.swiftCommand + [Self.documentedSwiftOutput]] {
            let line = command.joined(separator: " ")
            XCTAssertTrue(doc.components(separatedBy: "\n").contains(line), "docs/plugin-abi.md lacks the line: \(line)")
        }
    }

    /// Every c, swift and toml block in the document is a verbatim excerpt of the header or an
    /// example file, so the document cannot drift from what is compiled and tested here.
    func testDocumentCodeBlocksMatchTheFiles() throws {
        let doc = try String(contentsOfFile: try Walkthrough.path("docs/plugin-abi.md"), encoding: .utf8)
        let sources: [String: [String]] = [
            "c": ["PluginAPI/include/tbot_plugin.h", "docs/examples/breakout.c"],
            "swift": ["docs/examples/Momentum.swift"],
            "toml": ["docs/examples/breakout_c.toml", "docs/examples/momentum_swift.toml"],
        ]
        var texts: [String: String] = [:]
        for file in sources.values.flatMap({ $0 }) {
            texts[file] = try String(contentsOfFile: try Walkthrough.path(file), encoding: .utf8)
        }
        var checked = 0
        for block in Walkthrough.codeBlocks(in: doc) {
            guard let files = sources[block.language] else { continue }
            checked += 1
            XCTAssertTrue(files.contains { texts[$0]!.contains(block.text) },
                          "the \(block.language) block at docs/plugin-abi.md:\(block.line) is not an excerpt of \(files.joined(separator: " or "))")
        }
        XCTAssertGreaterThan(checked, 10, "expected the document to show the header and both examples")
    }

    // MARK: C

    func testBreakoutInCBuildsAgainstTheHeaderAlone() throws {
        let library = try Walkthrough.built(.c)
        XCTAssertEqual(library.compilerOutput, "", "the documented command must compile without a warning")

        let exported = try Walkthrough.definedDynamicSymbols(library.path)
        XCTAssertEqual(exported.filter { $0.type == "T" }.map(\.name), ["tbot_plugin_entry"],
                       "-fvisibility=hidden plus TBOT_EXPORT leaves exactly the entry exported")
        let needed = try Walkthrough.neededLibraries(library.path)
        XCTAssertFalse(needed.isEmpty)
        XCTAssertEqual(needed.filter { $0.hasPrefix("libswift") }, [], "a plugin built against the header alone needs no Swift runtime")
    }

    func testBreakoutInCEmitsTheDocumentedIntents() throws {
        let library = try Walkthrough.built(.c)
        let host = Walkthrough.Host()
        let strategy = try host.strategy(library.path, manifest: "docs/examples/breakout_c.toml",
                                         expectedID: "breakout_c", libraryFile: "libbreakout.so")
        XCTAssertEqual(strategy.instance.info.name, "Breakout (C example)")
        XCTAssertEqual(strategy.instance.info.abi, "1.3")
        XCTAssertTrue(host.log.lines.contains { $0.contains("breakout_c created: reward=2 min_gap_pct=0") && $0.contains("plugin=breakout_c") },
                      "\(host.log.lines)")

        let bars = [
            Walkthrough.bar("SPY", minute: 0, open: 100.00, high: 101.00, low: 99.00, close: 100.50),
            Walkthrough.bar("SPY", minute: 1, open: 100.50, high: 101.50, low: 100.00, close: 101.25),  // above 101.00: enter
            Walkthrough.bar("SPY", minute: 2, open: 101.25, high: 102.00, low: 100.50, close: 101.50),  // long, holds
            Walkthrough.bar("QQQ", minute: 2, open: 400.00, high: 401.00, low: 399.00, close: 400.00),
            Walkthrough.bar("SPY", minute: 3, open: 101.50, high: 101.75, low: 99.50, close: 100.25),   // below 100.50: exit
            Walkthrough.bar("QQQ", minute: 3, open: 400.00, high: 406.50, low: 399.50, close: 406.00),  // above 401.00: enter
            Walkthrough.bar("SPY", minute: 4, open: 100.25, high: 102.00, low: 100.00, close: 101.00),  // not above 101.75
        ]
        func intent(_ action: IntentAction, _ side: TradeSide, _ symbol: String, entry: Double, stop: Double,
                    target: Double, confidence: Double, tag: String) -> TradeIntent {
            TradeIntent(strategyID: "breakout_c", action: action, side: side, rank: 1, symbol: symbol, entryPrice: entry,
                        stopPrice: stop, targetPrice: target, confidence: confidence, tag: tag)
        }
        let expected: [[TradeIntent]] = [
            [],
            // target = close + reward * (close - low); confidence: 1% above the previous high is 1.0
            [intent(.enter, .buy, "SPY", entry: 101.25, stop: 100.00, target: 103.75,
                    confidence: (101.25 - 101.0) / 101.0 * 100.0, tag: "close_above_prev_high")],
            [],
            [],
            [intent(.exit, .sell, "SPY", entry: 100.25, stop: 0, target: 0, confidence: 1, tag: "close_below_prev_low")],
            [intent(.enter, .buy, "QQQ", entry: 406.00, stop: 399.50, target: 419.00, confidence: 1, tag: "close_above_prev_high")],
            [],
        ]
        let session = Walkthrough.session
        try strategy.sessionStart(session)
        XCTAssertEqual(try host.deliver(bars, to: strategy), expected)
        XCTAssertEqual(try strategy.sessionEnd(session),
                       [intent(.exit, .sell, "QQQ", entry: 0, stop: 0, target: 0, confidence: 1, tag: "session_end")])

        // session_start resets every symbol: one bar is not enough for a signal, nothing is long.
        try strategy.sessionStart(session)
        XCTAssertEqual(try host.deliver([Walkthrough.bar("QQQ", minute: 10, open: 500, high: 501, low: 499, close: 500)], to: strategy), [[]])
        XCTAssertEqual(try strategy.sessionEnd(session), [])
    }

    func testBreakoutInCRefusesBadParametersWithItsOwnMessage() throws {
        let library = try Walkthrough.built(.c)
        let host = Walkthrough.Host()
        XCTAssertEqual(host.failure(library.path, ["reward": "0"]),
                       "\(library.path): self_check failed: reward must be greater than 0 and at most 10")
        XCTAssertEqual(host.failure(library.path, ["risk": "1"]),
                       "\(library.path): create returned NULL: unknown parameter 'risk'")
        XCTAssertEqual(host.failure(library.path, ["reward": "two"]),
                       "\(library.path): create returned NULL: invalid value 'two' for reward: expected a decimal")
    }

    // MARK: Swift

    func testMomentumInSwiftLinksTheHostsSwiftRuntime() throws {
        let library = try Walkthrough.built(.swift)
        XCTAssertEqual(library.compilerOutput, "", "the documented command must compile without a warning")
        XCTAssertTrue(try Walkthrough.definedDynamicSymbols(library.path).contains { $0.type == "T" && $0.name == "tbot_plugin_entry" })
        XCTAssertTrue(try Walkthrough.neededLibraries(library.path).contains("libswiftCore.so"))

        // The plugin binds to whatever libswiftCore.so is already mapped in the host, so it
        // must come from the same toolchain: its RUNPATH is the folder of the host's runtime.
        _ = try Walkthrough.Host().strategy(library.path, manifest: "docs/examples/momentum_swift.toml",
                                            expectedID: "momentum_swift", libraryFile: "libmomentum.so")
        let runpath = try Walkthrough.runpath(library.path)
        // procfs files report size 0: read to the end instead of trusting the size.
        let mapsFile = try XCTUnwrap(FileHandle(forReadingAtPath: "/proc/self/maps"))
        let maps = String(decoding: try mapsFile.readToEnd() ?? Data(), as: UTF8.self)
        try mapsFile.close()
        let runtime = try XCTUnwrap(maps.split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) }
            .first { $0.hasSuffix("/libswiftCore.so") }, "no libswiftCore.so mapped in the test process")
        XCTAssertEqual(URL(fileURLWithPath: runtime).deletingLastPathComponent().resolvingSymlinksInPath().path,
                       URL(fileURLWithPath: runpath).resolvingSymlinksInPath().path,
                       "swiftc on PATH is not the toolchain running these tests")
    }

    func testMomentumInSwiftEmitsTheDocumentedIntents() throws {
        let library = try Walkthrough.built(.swift)
        let host = Walkthrough.Host()
        let strategy = try host.strategy(library.path, manifest: "docs/examples/momentum_swift.toml",
                                         expectedID: "momentum_swift", libraryFile: "libmomentum.so")
        XCTAssertEqual(strategy.instance.info.name, "Momentum (Swift example)")
        XCTAssertTrue(host.log.lines.contains { $0.contains("momentum_swift created: lookback=2 threshold=0.02") && $0.contains("plugin=momentum_swift") },
                      "\(host.log.lines)")

        func bar(_ symbol: String, _ minute: Int64, _ close: Double) -> Bar {
            Walkthrough.bar(symbol, minute: minute, open: close, high: close + 0.5, low: close - 0.5, close: close)
        }
        let bars = [
            bar("IWM", 0, 200), bar("XLE", 0, 80),
            bar("IWM", 1, 201), bar("XLE", 1, 80.5),
            bar("IWM", 2, 205),  // 205 / 200 - 1 = 2.5% >= 2%: enter
            bar("XLE", 2, 79),   // 79 / 80 - 1 < 0, not long: nothing
            bar("IWM", 3, 206),  // still strong, already long: nothing
            bar("XLE", 3, 84),   // 84 / 80.5 - 1 = 4.3%: enter, full confidence
            bar("IWM", 4, 204),  // 204 / 205 - 1 < 0 while long: exit
            bar("XLE", 4, 85),
        ]
        func intent(_ action: IntentAction, _ side: TradeSide, _ symbol: String, entry: Double, stop: Double,
                    confidence: Double, tag: String) -> TradeIntent {
            TradeIntent(strategyID: "momentum_swift", action: action, side: side, rank: 1, symbol: symbol, entryPrice: entry,
                        stopPrice: stop, targetPrice: 0, confidence: confidence, tag: tag)
        }
        let expected: [[TradeIntent]] = [
            [], [], [], [],
            // stop = close * (1 - stop_pct); confidence = momentum / (2 * threshold), at most 1
            [intent(.enter, .buy, "IWM", entry: 205, stop: 205 * (1 - 0.01), confidence: (205.0 / 200.0 - 1) / (2 * 0.02), tag: "momentum_up")],
            [],
            [],
            [intent(.enter, .buy, "XLE", entry: 84, stop: 84 * (1 - 0.01), confidence: 1, tag: "momentum_up")],
            [intent(.exit, .sell, "IWM", entry: 204, stop: 0, confidence: 1, tag: "momentum_faded")],
            [],
        ]
        let session = Walkthrough.session
        try strategy.sessionStart(session)
        XCTAssertEqual(try host.deliver(bars, to: strategy), expected)
        XCTAssertEqual(try strategy.sessionEnd(session), [], "the Swift example leaves flattening to the host")
    }

    func testMomentumInSwiftRefusesBadParametersWithItsOwnMessage() throws {
        let library = try Walkthrough.built(.swift)
        let host = Walkthrough.Host()
        XCTAssertEqual(host.failure(library.path, ["lookback": "0"]),
                       "\(library.path): self_check failed: lookback must be between 1 and 100")
        XCTAssertEqual(host.failure(library.path, ["window": "3"]),
                       "\(library.path): create returned NULL: unknown parameter 'window'")
        XCTAssertEqual(host.failure(library.path, ["lookback": "2.5"]),
                       "\(library.path): create returned NULL: invalid value '2.5' for lookback: expected an integer")
    }

    // MARK: The operator's steps

    /// The walk-throughs' last step: manifest into manifests/, library into plugins/, and
    /// `tbot plugins check` (the same catalog) loads both.
    func testDroppedInWithTheirManifestsBothExamplesLoad() throws {
        let c = try Walkthrough.built(.c)
        let swift = try Walkthrough.built(.swift)
        XCTAssertEqual(URL(fileURLWithPath: c.path).deletingLastPathComponent(), URL(fileURLWithPath: swift.path).deletingLastPathComponent())
        let operatorRoot = URL(fileURLWithPath: c.path).deletingLastPathComponent().deletingLastPathComponent()
        let manifests = operatorRoot.appendingPathComponent("manifests").path
        let catalog = PluginCatalog(manifestsDirectory: manifests, pluginsDirectory: URL(fileURLWithPath: c.path).deletingLastPathComponent().path,
                                    environment: Walkthrough.Host().environment)
        XCTAssertEqual(catalog.entries.map(\.id), ["breakout_c", "momentum_swift"])
        XCTAssertEqual(catalog.entries.map(\.state), [.loaded, .loaded], "\(catalog.entries.map(\.reason))")
        XCTAssertEqual(catalog.enabledFailures.map(\.id), [])
    }

    override class func tearDown() {
        Walkthrough.removeScratch()
        super.tearDown()
    }
}

/// Building, loading and driving the examples.
private enum Walkthrough {
    enum Example {
        case c, swift

        var command: [String] { self == .c ? ABIWalkthroughTests.cCommand : ABIWalkthroughTests.swiftCommand }
        var libraryFile: String { self == .c ? "libbreakout.so" : "libmomentum.so" }
        var manifest: String { self == .c ? "docs/examples/breakout_c.toml" : "docs/examples/momentum_swift.toml" }
    }

    struct BuiltLibrary {
        let path: String
        /// What the compiler printed (warnings would show here).
        let compilerOutput: String
    }

    static let t0: Int64 = 1_704_205_800_000_000_000  // 2024-01-02T14:30:00Z
    static let minute: Int64 = 60_000_000_000
    static let session = SessionWindow(name: "backtest", startNanoseconds: t0, endNanoseconds: t0 + 390 * minute)

    static func bar(_ symbol: String, minute offset: Int64, open: Double, high: Double, low: Double, close: Double) -> Bar {
        Bar(symbol: symbol, startNanoseconds: t0 + offset * minute, intervalSeconds: 60,
            open: open, high: high, low: low, close: close, volume: 1000)
    }

    // MARK: Repository and scratch folders

    /// TBOT_SOURCE_ROOT, else the nearest folder above the working directory holding Package.swift.
    static func root() throws -> String {
        if let root = ProcessInfo.processInfo.environment["TBOT_SOURCE_ROOT"], !root.isEmpty { return root }
        var folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        while true {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) { return folder.path }
            if folder.path == "/" { break }
            folder.deleteLastPathComponent()
        }
        throw WalkthroughError("no Package.swift above \(FileManager.default.currentDirectoryPath); set TBOT_SOURCE_ROOT")
    }

    static func path(_ relative: String) throws -> String {
        URL(fileURLWithPath: try root()).appendingPathComponent(relative).path
    }

    /// scratch/plugins and scratch/manifests: an operator layout the examples are built into.
    private static var scratchFolder: URL?
    private static var builds: [Example: Result<BuiltLibrary, Error>] = [:]

    static func scratch() throws -> URL {
        if let scratchFolder { return scratchFolder }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tbot-abi-walkthrough-\(UUID().uuidString)")
        for sub in ["plugins", "manifests"] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        scratchFolder = folder
        return folder
    }

    static func removeScratch() {
        // A loaded Swift plugin stays mapped; removing its file does not disturb it.
        if let scratchFolder { try? FileManager.default.removeItem(at: scratchFolder) }
        scratchFolder = nil
        builds = [:]
    }

    /// Compiles an example once per test run (a Swift plugin is never unloaded, so one image
    /// per process is enough) and puts its manifest beside it, as the walk-through does.
    static func built(_ example: Example) throws -> BuiltLibrary {
        if let cached = builds[example] { return try cached.get() }
        let result = Result<BuiltLibrary, Error> {
            let folder = try scratch()
            let output = folder.appendingPathComponent("plugins").appendingPathComponent(example.libraryFile).path
            let run = try runTool(example.command + [output], in: try root())
            guard run.status == 0 else {
                throw WalkthroughError("`\(example.command.joined(separator: " ")) \(output)` failed (\(run.status)):\n\(run.output)")
            }
            try FileManager.default.copyItem(atPath: try path(example.manifest),
                                             toPath: folder.appendingPathComponent("manifests").appendingPathComponent(URL(fileURLWithPath: example.manifest).lastPathComponent).path)
            return BuiltLibrary(path: output, compilerOutput: run.output)
        }
        builds[example] = result
        return try result.get()
    }

    // MARK: Tools

    /// Runs a tool found on PATH (cc is /usr/bin/cc; swiftc sits beside the running toolchain's
    /// `swift`, which is on PATH under `swift test`), stdout and stderr merged.
    static func runTool(_ arguments: [String], in directory: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try executable(arguments[0])
        process.arguments = Array(arguments.dropFirst())
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func executable(_ name: String) throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") where !folder.isEmpty {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        for folder in ["/usr/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
            return URL(fileURLWithPath: "\(folder)/\(name)")
        }
        throw WalkthroughError("\(name) is not on PATH (\(path))")
    }

    static func checked(_ arguments: [String]) throws -> String {
        let run = try runTool(arguments)
        guard run.status == 0 else { throw WalkthroughError("\(arguments.joined(separator: " ")) failed (\(run.status)):\n\(run.output)") }
        return run.output
    }

    /// `nm -D --defined-only`: one (type, name) per exported symbol.
    static func definedDynamicSymbols(_ library: String) throws -> [(type: String, name: String)] {
        try checked(["nm", "-D", "--defined-only", library]).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            return fields.count >= 3 ? (String(fields[fields.count - 2]), String(fields[fields.count - 1])) : nil
        }
    }

    /// The NEEDED entries of `readelf -d`.
    static func neededLibraries(_ library: String) throws -> [String] {
        try dynamicEntries(library, "NEEDED")
    }

    static func runpath(_ library: String) throws -> String {
        guard let value = try dynamicEntries(library, "RUNPATH").first else { throw WalkthroughError("\(library) has no RUNPATH") }
        return value
    }

    /// Values of one tag of `readelf -d`, e.g. ` 0x...1 (NEEDED)  Shared library: [libc.so.6]`.
    private static func dynamicEntries(_ library: String, _ tag: String) throws -> [String] {
        try checked(["readelf", "-d", library]).split(separator: "\n").filter { $0.contains("(\(tag))") }.compactMap { line in
            guard let open = line.lastIndex(of: "["), let close = line.lastIndex(of: "]"), open < close else { return nil }
            return String(line[line.index(after: open)..<close])
        }
    }

    // MARK: Documentation

    /// Fenced code blocks: language, text (without the fences, ending in a newline), first line.
    static func codeBlocks(in markdown: String) -> [(language: String, text: String, line: Int)] {
        var blocks: [(language: String, text: String, line: Int)] = []
        var current: (language: String, lines: [String], line: Int)?
        for (index, line) in markdown.components(separatedBy: "\n").enumerated() {
            if let open = current {
                if line.hasPrefix("```") {
                    blocks.append((open.language, open.lines.map { $0 + "\n" }.joined(), open.line))
                    current = nil
                } else {
                    current?.lines.append(line)
                }
            } else if line.hasPrefix("```") {
                current = (String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces), [], index + 2)
            }
        }
        return blocks
    }

    // MARK: A host for one test

    /// Host services as the pipeline gives them: a simulated clock, a captured log, a config.
    final class Host {
        let clock = SimulatedClock(startNanoseconds: Walkthrough.t0)
        let log = CapturedLog()
        let environment: HostEnvironment

        init() {
            let clock = self.clock
            let log = self.log
            let logger = Logger(label: "walkthrough") { label in
                UTCLogHandler(label: label, clock: clock, level: .debug, write: { log.append($0) })
            }
            let config = ["TEST_MODE": "true", "MAX_TRADES": "3"]
            environment = HostEnvironment(clock: clock, logger: logger, configLookup: { config[$0] })
        }

        /// Loads, creates with the example's manifest parameters, self-checks and wraps.
        func strategy(_ path: String, manifest: String, expectedID: String, libraryFile: String) throws -> StrategyPlugin {
            let parsed = try ManifestParser.parse(file: try Walkthrough.path(manifest)).get()
            XCTAssertEqual(parsed.id, expectedID)
            XCTAssertEqual(parsed.kind, .strategy)
            XCTAssertTrue(parsed.enabled)
            XCTAssertEqual(parsed.library, libraryFile)
            let library = try PluginLibraryLoader.open(path).get()
            XCTAssertEqual(library.info.id, expectedID)
            XCTAssertEqual(library.info.kind, .strategy)
            let instance = try PluginInstance.make(library: library, parameters: parsed.parameters, environment: environment).get()
            return try XCTUnwrap(StrategyPlugin(instance))
        }

        /// The one-line reason the host gives when create or self_check refuses `parameters`.
        func failure(_ path: String, _ parameters: KeyValuePairs<String, String>) -> String? {
            guard case .success(let library) = PluginLibraryLoader.open(path) else { return "cannot be loaded" }
            let list = parameters.map { ManifestParameter(key: $0.key, value: $0.value) }
            switch PluginInstance.make(library: library, parameters: list, environment: environment) {
            case .success: return nil
            case .failure(let failure): return failure.description
            }
        }

        /// Delivers bars in order, the clock standing at each bar's end, as the pipeline does.
        func deliver(_ bars: [Bar], to strategy: StrategyPlugin) throws -> [[TradeIntent]] {
            try bars.map { bar in
                clock.advance(to: bar.endNanoseconds)
                let intents = try strategy.onBar(bar)
                XCTAssertEqual(strategy.rejectedIntents, [], "\(bar.symbol) at \(bar.startNanoseconds)")
                return intents
            }
        }
    }

    final class CapturedLog: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [String] = []

        func append(_ line: String) { lock.lock(); stored.append(line); lock.unlock() }
        var lines: [String] { lock.lock(); defer { lock.unlock() }; return stored }
    }
}

private struct WalkthroughError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

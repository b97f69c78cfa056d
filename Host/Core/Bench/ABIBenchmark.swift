import Foundation
import Logging
import TBotBenchDirect
import TBotPluginAPI

/// `tbot bench abi`: what a call into a plugin costs next to a call that never crossed a
/// library boundary, and how long loading and self-checking a folder of plugins takes.
/// Meaningful in a release build only.
public struct ABIBenchmark {
    public var calls: Int
    public var pluginCount: Int
    public var rounds: Int
    /// Where the package put the built .so files (the folder of the tbot binary).
    public var buildDirectory: String

    public init(calls: Int = 10_000_000, pluginCount: Int = 20, rounds: Int = 5, buildDirectory: String) {
        self.calls = calls
        self.pluginCount = pluginCount
        self.rounds = rounds
        self.buildDirectory = buildDirectory
    }

    public struct Results: Sendable {
        public var directNanosecondsPerCall: Double
        public var pluginNanosecondsPerCall: Double
        public var hostPathNanosecondsPerCall: [(id: String, nanoseconds: Double)]
        public var loadMilliseconds: [Double]

        public var ratio: Double { pluginNanosecondsPerCall / directNanosecondsPerCall }
        public var medianLoadMilliseconds: Double { loadMilliseconds.sorted()[loadMilliseconds.count / 2] }
    }

    public enum Failure: Error, CustomStringConvertible {
        case missingLibrary(String)
        case load(String)

        public var description: String {
            switch self {
            case .missingLibrary(let path): return "\(path) not found: build the package first (swift build -c release)"
            case .load(let reason): return reason
            }
        }
    }

    public func run(environment: HostEnvironment) throws -> Results {
        let fixture = library("tbot_fixture_bench")
        guard FileManager.default.fileExists(atPath: fixture) else { throw Failure.missingLibrary(fixture) }
        let plugin = try instance(at: fixture, environment: environment)
        let pluginAPI = try FunctionTables.strategy(plugin.descriptor.functions!).get()
        let direct = tbot_bench_direct_create()!
        defer { tbot_bench_direct_destroy(direct) }
        let directAPI = tbot_bench_direct_api()!.pointee

        // Warm both paths, then measure them alternately so neither gets a quieter machine.
        _ = timeCalls(pluginAPI, plugin.handle, count: calls / 10)
        _ = timeCalls(directAPI, direct, count: calls / 10)
        var pluginTimes: [Double] = [], directTimes: [Double] = []
        for _ in 0..<3 {
            pluginTimes.append(timeCalls(pluginAPI, plugin.handle, count: calls))
            directTimes.append(timeCalls(directAPI, direct, count: calls))
        }

        var hostPath: [(String, Double)] = []
        for id in ["sma_cross_c", "sma_cross_swift"] {
            let path = library("tbot_\(id)")
            guard FileManager.default.fileExists(atPath: path) else { continue }
            guard let strategy = StrategyPlugin(try instance(at: path, environment: environment)) else { continue }
            hostPath.append((id, try timeHostPath(strategy, count: min(calls, 1_000_000))))
        }

        var loads: [Double] = []
        for _ in 0..<rounds { loads.append(try timeFolderLoad(fixture: fixture, environment: environment)) }
        return Results(directNanosecondsPerCall: directTimes.min()!, pluginNanosecondsPerCall: pluginTimes.min()!,
                       hostPathNanosecondsPerCall: hostPath, loadMilliseconds: loads)
    }

    private func library(_ product: String) -> String {
        URL(fileURLWithPath: buildDirectory).appendingPathComponent("lib\(product).so").path
    }

    private func instance(at path: String, environment: HostEnvironment) throws -> PluginInstance {
        switch PluginLibraryLoader.open(path) {
        case .failure(let failure): throw Failure.load(failure.description)
        case .success(let library):
            switch PluginInstance.make(library: library, parameters: [], environment: environment) {
            case .failure(let failure): throw Failure.load(failure.description)
            case .success(let instance): return instance
            }
        }
    }

    /// Nanoseconds per on_bar through `api`: the raw cost of the C function-pointer call.
    private func timeCalls(_ api: tbot_strategy_api_t, _ handle: UnsafeMutableRawPointer, count: Int) -> Double {
        let bar = Bar(symbol: "BENCH", startNanoseconds: 0, intervalSeconds: 60, open: 1, high: 1, low: 1, close: 1, volume: 1)
        let collector = IntentCollector(strategyID: "bench")
        let error = UnsafeMutablePointer<CChar>.allocate(capacity: 64)
        defer { error.deallocate() }
        let onBar = api.on_bar!
        return bar.withABI { raw in
            collector.withSink { sink in
                let start = Self.monotonicNanoseconds()
                for _ in 0..<count { _ = onBar(handle, raw, sink, error, 64) }
                return Double(Self.monotonicNanoseconds() - start) / Double(count)
            }
        }
    }

    /// Nanoseconds per StrategyPlugin.onBar: what the pipeline pays, intent collection included.
    private func timeHostPath(_ strategy: StrategyPlugin, count: Int) throws -> Double {
        let bars = SyntheticMarket(minutes: 1000).bars()
        try strategy.sessionStart(SessionWindow(name: "bench", startNanoseconds: 0, endNanoseconds: .max))
        let start = Self.monotonicNanoseconds()
        for index in 0..<count { _ = try strategy.onBar(bars[index % bars.count]) }
        return Double(Self.monotonicNanoseconds() - start) / Double(count)
    }

    /// Milliseconds to scan a fresh folder of `pluginCount` copies of the fixture: parse the
    /// manifests, dlopen, check, create and self_check each.
    private func timeFolderLoad(fixture: String, environment: HostEnvironment) throws -> Double {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tbot-bench-\(UUID().uuidString)")
        let plugins = root.appendingPathComponent("plugins"), manifests = root.appendingPathComponent("manifests")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        for index in 0..<pluginCount {
            let name = String(format: "bench_%02d", index)
            try FileManager.default.copyItem(atPath: fixture, toPath: plugins.appendingPathComponent("lib\(name).so").path)
            try "id = \"bench_\(name)\"\nlibrary = \"lib\(name).so\"\nkind = \"strategy\"\nenabled = true\n"
                .write(to: manifests.appendingPathComponent("\(name).toml"), atomically: true, encoding: .utf8)
        }
        let start = Self.monotonicNanoseconds()
        let catalog = PluginCatalog(manifestsDirectory: manifests.path, pluginsDirectory: plugins.path, environment: environment)
        let elapsed = Double(Self.monotonicNanoseconds() - start) / 1e6
        guard catalog.loaded(.strategy).count == pluginCount else {
            let reasons = catalog.entries.compactMap(\.reason).joined(separator: "; ")
            throw Failure.load("only \(catalog.loaded(.strategy).count) of \(pluginCount) bench plugins loaded: \(reasons)")
        }
        return elapsed
    }

    static func monotonicNanoseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}

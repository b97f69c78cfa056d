import ArgumentParser
import Foundation
import TBotCore

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (run them from a release build).",
        subcommands: [BenchABI.self, BenchLedger.self])
}

struct BenchABI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abi",
        abstract: "ns per host -> plugin on_bar call next to a direct C call; ms to load and self_check a folder of plugins.")

    @OptionGroup var options: HostOptions
    @Option(help: "on_bar calls per measurement.") var calls = 10_000_000
    @Option(help: "Plugins in the load test.") var plugins = 20
    @Option(help: "Repetitions of the load test (each on fresh paths).") var rounds = 5
    @Option(help: ArgumentHelp("Folder holding the built libtbot_*.so files. Default: the folder of this binary.", valueName: "dir"))
    var buildDir: String?

    func run() throws {
        let setup = try options.setup()
        let folder = buildDir ?? URL(fileURLWithPath: CommandLine.executablePath).deletingLastPathComponent().path
        let bench = ABIBenchmark(calls: calls, pluginCount: plugins, rounds: rounds, buildDirectory: folder)
        let results: ABIBenchmark.Results
        do {
            results = try bench.run(environment: setup.environment(clock: SystemClock(), logLevel: .warning))
        } catch {
            Console.error("bench failed: \(error)")
            throw ExitCodes.failure
        }
        #if DEBUG
        print("warning: debug build; figures are only meaningful from `swift build -c release`")
        #endif
        print(String(format: "on_bar, direct C function pointer (host-linked):  %6.2f ns/call", results.directNanosecondsPerCall))
        print(String(format: "on_bar, through the plugin's table (dlopen'ed):  %6.2f ns/call  (%.2fx direct, target <= 2x)",
                     results.pluginNanosecondsPerCall, results.ratio))
        for (id, ns) in results.hostPathNanosecondsPerCall {
            print(String(format: "on_bar, full host path into %@ (SMA work, intents collected): %6.1f ns/call", id, ns))
        }
        let loads = results.loadMilliseconds.map { String(format: "%.2f", $0) }.joined(separator: ", ")
        print(String(format: "load + self_check %d plugins: median %.2f ms (rounds: %@), target < 50 ms",
                     plugins, results.medianLoadMilliseconds, loads))
    }
}

extension CommandLine {
    /// The running binary, resolved through /proc so a symlink or PATH lookup does not matter.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? arguments[0]
    }
}

struct BenchLedger: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Postings per second: backtest batch mode, and live durability mode (one synchronous=FULL commit per fill).")

    @Option(help: "Transactions in the batched run.") var batched = 200_000
    @Option(help: "Transactions per commit in the batched run.") var batchSize = 10_000
    @Option(help: "Transactions in the durable run, one commit each.") var durable = 2_000
    @Option(help: ArgumentHelp("Folder for the scratch ledgers (the disk being measured).", valueName: "dir")) var directory: String?

    func run() throws {
        var bench = LedgerBenchmark(batchedTransactions: batched, batchSize: batchSize, durableTransactions: durable)
        if let directory { bench.directory = URL(fileURLWithPath: directory) }
        let results = try bench.run()
        print(String(format: "batched (backtest, %d per commit, synchronous=NORMAL): %.0f postings/s, target >= 200000",
                     batchSize, results.batchedPostingsPerSecond))
        print(String(format: "durable (live, one commit per fill, synchronous=FULL): %.0f postings/s (%.3f ms per commit)",
                     results.durablePostingsPerSecond, results.durableMillisecondsPerCommit))
    }
}

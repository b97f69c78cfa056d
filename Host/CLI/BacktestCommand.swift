import ArgumentParser
import Foundation
import TBotCore

struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Replay a data file through the live pipeline: the strategy, filters, risk engine, budgets, simulated broker and a backtest ledger.",
        discussion: """
            Writes only into --out: the backtest ledger, trade_history_backtest.csv/json, daily_summary_backtest.json, \
            summary_backtest.json, equity_backtest.svg and backtest.log; never the paper or live books. The same inputs \
            give byte-identical files. Bad data (out-of-order or duplicate times, NaN, non-positive prices, high < low, \
            missing columns) stops the run with FILE:LINE and exit 2 unless --skip-invalid. With --sweep the grid runs in \
            parallel, one process per core, and a ranked table is printed (and written to --out/sweep.csv). See docs/backtesting.md.
            """)

    @OptionGroup var options: HostOptions
    @Option(help: "Strategy plugin id (its manifest in the manifests folder; it need not be enabled).") var strategy: String
    @Option(help: ArgumentHelp("OHLCV data file (formats: docs/market-data.md).", valueName: "file")) var data: String
    @Option(help: ArgumentHelp("First day to replay, UTC (YYYY-MM-DD).", valueName: "date")) var start: String?
    @Option(help: ArgumentHelp("Last day to replay, UTC, inclusive (YYYY-MM-DD).", valueName: "date")) var end: String?
    @Option(help: ArgumentHelp("Starting cash in USD. Default: total_capital of account.toml.", valueName: "amount")) var cash: String?
    @Option(name: .customLong("param"), help: ArgumentHelp("Override a strategy parameter (repeatable).", valueName: "name=value"))
    var parameters: [String] = []
    @Option(help: ArgumentHelp("Output folder.", valueName: "dir")) var out = "output/backtest"
    @Flag(help: "Print one JSON summary object instead of the report.") var json = false
    @Option(help: ArgumentHelp("Symbol of the bars. Default: from the file name.", valueName: "symbol")) var symbol: String?
    @Option(help: ArgumentHelp("IANA time zone of timestamps written without one.", valueName: "zone")) var tz = "UTC"
    @Flag(help: "Skip and count bad rows instead of stopping at the first.") var skipInvalid = false
    @Option(help: ArgumentHelp("Market order fill price: next-open (default) or close.", valueName: "model")) var fill = "next-open"
    @Option(help: ArgumentHelp("Commission per order in USD.", valueName: "amount")) var commission: String?
    @Option(help: ArgumentHelp("Commission per share in USD.", valueName: "amount")) var commissionPerShare: String?
    @Option(help: ArgumentHelp("Slippage of market and stop fills in basis points.", valueName: "bps")) var slippageBps: String?
    @Option(name: .customLong("sweep"), help: ArgumentHelp("Sweep a parameter over a grid (repeatable).", valueName: "name=from:to:step"))
    var sweeps: [String] = []
    @Option(help: ArgumentHelp("Parallel runs of a sweep. Default: the number of cores.", valueName: "n")) var jobs: Int?
    @Option(help: ArgumentHelp("Sweep ranking: net_pnl (default), sharpe, final_value, max_drawdown (lowest first), win_rate.", valueName: "key"))
    var rankBy = "net_pnl"

    func validate() throws {
        guard ["next-open", "close"].contains(fill) else { throw ValidationError("--fill must be next-open or close, not '\(fill)'") }
        for parameter in parameters where !parameter.contains("=") || parameter.hasPrefix("=") {
            throw ValidationError("--param \(parameter): expected NAME=VALUE")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        guard SweepRanking(key: rankBy) != nil else { throw ValidationError("--rank-by must be one of \(SweepRanking.keys.joined(separator: ", "))") }
    }

    func run() throws {
        if !sweeps.isEmpty { return try runSweep() }
        let setup = try options.setup()
        let backtestOptions = try makeOptions()
        var backtester = Backtester(setup: setup)
        let showProgress = !json && isatty(STDERR_FILENO) != 0
        if showProgress {
            backtester.progress = { bars, time in
                Console.progress("\(bars) bars, at \(UTCTimestamp.iso8601(nanoseconds: time))")
            }
        }
        let result: BacktestResult
        do {
            result = try backtester.run(backtestOptions)
        } catch let error as OHLCVError {
            if showProgress { Console.progressDone() }
            Console.error("backtest failed: \(error)")
            throw ExitCodes.invalidConfiguration
        } catch {
            if showProgress { Console.progressDone() }
            Console.error("backtest failed: \(error)")
            throw ExitCodes.invalidConfiguration
        }
        if showProgress { Console.progressDone() }
        if json {
            print(result.summaryJSON(timing: true), terminator: "")
        } else {
            BacktestReportText.lines(result).forEach { print($0) }
        }
    }

    func makeOptions() throws -> BacktestOptions {
        var result = BacktestOptions(strategyID: strategy, dataPath: data, outputDirectory: out)
        result.read.symbol = symbol ?? ""
        result.read.timeZone = tz
        result.read.skipInvalid = skipInvalid
        if let start { result.read.start = try day(start, "--start") }
        if let end { result.read.end = try day(end, "--end") + 86_400_000_000_000 }
        if let cash {
            guard let amount = Money(text: cash), amount > .zero else {
                Console.error("--cash \(cash): expected an amount in USD greater than 0, e.g. 10000.00")
                throw ExitCodes.invalidConfiguration
            }
            result.cash = amount
        }
        result.parameters = parameters.map {
            let equals = $0.firstIndex(of: "=")!
            return ManifestParameter(key: String($0[..<equals]), value: String($0[$0.index(after: equals)...]))
        }
        result.fill.price = fill == "close" ? "close" : "next_open"
        result.fill.commissionPerOrder = commission
        result.fill.commissionPerShare = commissionPerShare
        result.fill.slippageBps = slippageBps
        return result
    }

    private func day(_ text: String, _ option: String) throws -> Int64 {
        guard let nanoseconds = UTCDate.nanoseconds(parsing: text) else {
            Console.error("\(option) \(text): expected a date YYYY-MM-DD")
            throw ExitCodes.invalidConfiguration
        }
        return nanoseconds
    }

    private func runSweep() throws {
        let grid: SweepGrid
        do { grid = try SweepGrid(sweeps) } catch {
            Console.error("\(error)")
            throw ExitCodes.invalidConfiguration
        }
        _ = try options.setup()
        let runner = SweepRunner(command: self, grid: grid, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount,
                                 ranking: SweepRanking(key: rankBy)!)
        try runner.run()
    }
}

extension Console {
    /// One status line on a terminal, rewritten in place.
    static func progress(_ text: String) {
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
    }

    static func progressDone() {
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

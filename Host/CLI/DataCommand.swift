import ArgumentParser
import Foundation
import TBotCore

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Market data files for backtests: generate a synthetic series, check a file, measure the reader.",
        subcommands: [DataGenerate.self, DataCheck.self, DataBench.self])
}

struct DataGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a deterministic synthetic series of one-minute bars (390 a weekday session, 14:30-21:00 UTC) as CSV.",
        discussion: "Columns Date,Time,Open,High,Low,Close,Volume; Date and Time are the bar start in UTC. The same options give a byte-identical file.")

    @Option(help: "Number of one-minute bars.") var bars: Int
    @Option(help: "Seed of the generator.") var seed: UInt64 = 20240102
    @Option(help: "Symbol (the file carries none; name the file after it so `data check` derives it).") var symbol = "SYNTH"
    @Option(help: "Open of the first bar.") var startPrice: Double = 50
    @Option(help: ArgumentHelp("File to write (replaced).", valueName: "file")) var out: String

    func validate() throws {
        guard bars >= 0 else { throw ValidationError("--bars must be 0 or more") }
        guard startPrice > 0, startPrice.isFinite else { throw ValidationError("--start-price must be above zero") }
    }

    func run() throws {
        let series = SyntheticSeries(barCount: bars, symbol: symbol, seed: seed, startPrice: startPrice)
        let written: SyntheticSeries.Written
        do {
            written = try series.writeCSV(to: out)
        } catch {
            Console.error("\(error)")
            throw ExitCodes.failure
        }
        var text = "wrote \(written.rows) bars of \(symbol) (seed \(seed), \(written.sessions) session\(written.sessions == 1 ? "" : "s")) to \(out)"
        if written.rows > 0 {
            text += ": \(UTCTimestamp.iso8601(nanoseconds: written.firstNanoseconds)) .. \(UTCTimestamp.iso8601(nanoseconds: written.lastNanoseconds))"
        }
        print(text)
    }
}

/// Options shared by `data check` and `data bench`.
struct DataReadOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The OHLCV file.", valueName: "file")) var file: String
    @Option(name: .customLong("tz"), help: ArgumentHelp(
        "IANA zone of timestamps written without one, e.g. America/New_York.", valueName: "zone"))
    var timeZone = "UTC"
    @Flag(help: "Skip bad rows (counted and shown) instead of stopping at the first.") var skipInvalid = false
    @Option(help: "Symbol of the bars. Default: the file name up to its first '-' or '.', uppercased.") var symbol: String?
    @Option(help: "Seconds per bar. Default: inferred.") var interval: UInt32?

    var readOptions: OHLCVReadOptions {
        OHLCVReadOptions(symbol: symbol ?? "", timeZone: timeZone, skipInvalid: skipInvalid, intervalSeconds: interval)
    }
}

struct DataCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Read an OHLCV file through every check and summarize it; writes nothing.",
        discussion: "Exit 0 when the file reads (with --skip-invalid: even if rows were skipped); exit 2 with FILE:LINE: message on stderr at the first bad row, or when the file or zone cannot be used.")

    @OptionGroup var options: DataReadOptions

    func run() throws {
        var rows = 0
        var first: Bar?
        var last: Bar?
        let reader: OHLCVReader
        do {
            reader = try OHLCVReader(path: options.file, options: options.readOptions)
            while let bar = try reader.next() {
                if first == nil { first = bar }
                last = bar
                rows += 1
            }
        } catch let error as OHLCVError {
            Console.error(error.description)
            throw ExitCodes.invalidConfiguration
        }
        print("file      \(options.file)")
        print("columns   \(reader.columns.joined(separator: ","))")
        print("symbol    \(reader.symbol)")
        print("time zone \(options.timeZone) (for timestamps written without a zone)")
        print("rows      \(rows)")
        if let first, let last {
            let fractional = first.startNanoseconds % 1_000_000_000 != 0 || last.startNanoseconds % 1_000_000_000 != 0
            print("first     \(UTCTimestamp.iso8601(nanoseconds: first.startNanoseconds, fractional: fractional))")
            print("last      \(UTCTimestamp.iso8601(nanoseconds: last.startNanoseconds, fractional: fractional))")
            print("interval  \(last.intervalSeconds) s\(options.interval == nil ? " (inferred)" : "")")
        }
        print("skipped   \(reader.skipped)")
        for example in reader.skippedExamples { print("  \(example)") }
        if reader.skipped > reader.skippedExamples.count {
            print("  ... and \(reader.skipped - reader.skippedExamples.count) more")
        }
    }
}

struct DataBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Rows per second the OHLCV reader parses from a file (run it from a release build).",
        discussion: "Reads the whole file --rounds times; reports the best round by CPU time of the reading thread (user + system, the read() calls included), and its wall-clock time.")

    @OptionGroup var options: DataReadOptions
    @Option(help: "Times to read the file (the first warms the page cache).") var rounds = 5

    func run() throws {
        var best: MarketDataBenchmark.Measurement?
        do {
            for _ in 0..<max(rounds, 1) {
                let measurement = try MarketDataBenchmark.measure(path: options.file, options: options.readOptions)
                if best == nil || measurement.cpuSeconds < best!.cpuSeconds { best = measurement }
            }
        } catch let error as OHLCVError {
            Console.error(error.description)
            throw ExitCodes.invalidConfiguration
        }
        guard let best else { return }
        #if DEBUG
        print("warning: debug build; figures are only meaningful from `swift build -c release`")
        #endif
        print(String(format: "%d rows in %.4f s CPU: %.1f million rows/s (%.1f ns/row); wall %.4f s (%.1f million rows/s)",
                     best.rows, best.cpuSeconds, best.rowsPerCPUSecond / 1e6, best.cpuSeconds / Double(max(best.rows, 1)) * 1e9,
                     best.wallSeconds, best.rowsPerWallSecond / 1e6))
    }
}

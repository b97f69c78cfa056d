import Foundation
import TBotCore

/// Which summary figure orders a sweep's table, best first.
struct SweepRanking {
    static let keys = ["net_pnl", "sharpe", "final_value", "max_drawdown", "win_rate"]
    let key: String
    /// Lower is better only for drawdown.
    var ascending: Bool { key == "max_drawdown" }

    init?(key: String) {
        guard Self.keys.contains(key) else { return nil }
        self.key = key
    }
}

/// Runs every point of a sweep as its own `tbot backtest --json` process, at most `jobs` at
/// once (independent pipelines, one per core), then prints the ranked table and writes it as
/// CSV. Each point keeps its own output folder under --out/sweep/.
struct SweepRunner {
    let command: BacktestCommand
    let grid: SweepGrid
    let jobs: Int
    let ranking: SweepRanking

    struct Outcome {
        let point: [ManifestParameter]
        let summary: [String: Any]?
        let error: String?
    }

    /// The points still to run and the outcomes so far, shared by the worker threads.
    final class Work: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        private(set) var outcomes: [Outcome?]

        init(count: Int) { outcomes = [Outcome?](repeating: nil, count: count) }

        func take() -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard next < outcomes.count else { return nil }
            next += 1
            return next - 1
        }

        func store(_ outcome: Outcome, at index: Int) {
            lock.lock(); defer { lock.unlock() }
            outcomes[index] = outcome
        }
    }

    func run() throws {
        let points = grid.points
        let work = Work(count: points.count)
        let group = DispatchGroup()
        for _ in 0..<min(jobs, points.count) {
            group.enter()
            Thread.detachNewThread { [self] in
                while let index = work.take() { work.store(runPoint(points[index], index: index), at: index) }
                group.leave()
            }
        }
        group.wait()
        let outcomes = work.outcomes
        let finished = outcomes.compactMap { $0 }
        let ranked = rank(finished.filter { $0.summary != nil })
        let table = SweepTable(axes: grid.axes.map(\.name), ranked: ranked, failed: finished.filter { $0.summary == nil })
        table.text.forEach { print($0) }
        let csv = URL(fileURLWithPath: command.out).appendingPathComponent("sweep.csv")
        try FileManager.default.createDirectory(at: csv.deletingLastPathComponent(), withIntermediateDirectories: true)
        try table.csv.write(to: csv, atomically: true, encoding: .utf8)
        print("wrote \(csv.path)")
        if ranked.isEmpty { throw ExitCodes.failure }
    }

    private func rank(_ outcomes: [Outcome]) -> [Outcome] {
        func value(_ outcome: Outcome) -> Double {
            (outcome.summary?[ranking.key] as? NSNumber)?.doubleValue ?? (ranking.ascending ? .infinity : -.infinity)
        }
        // Ties keep grid order, so the table is the same every run.
        return outcomes.enumerated().sorted { a, b in
            let x = value(a.element), y = value(b.element)
            if x != y { return ranking.ascending ? x < y : x > y }
            return a.offset < b.offset
        }.map(\.element)
    }

    private func runPoint(_ point: [ManifestParameter], index: Int) -> Outcome {
        let label = point.map { "\($0.key)=\($0.value)" }.joined(separator: "_")
        var arguments = ["backtest", "--strategy", command.strategy, "--data", command.data, "--json",
                         "--out", URL(fileURLWithPath: command.out).appendingPathComponent("sweep/\(label)").path,
                         "--tz", command.tz, "--fill", command.fill]
        let optional: [(String, String?)] = [
            ("--config", command.options.config), ("--plugins-dir", command.options.pluginsDir), ("--manifests-dir", command.options.manifestsDir),
            ("--start", command.start), ("--end", command.end), ("--cash", command.cash), ("--symbol", command.symbol),
            ("--commission", command.commission), ("--commission-per-share", command.commissionPerShare), ("--slippage-bps", command.slippageBps),
        ]
        for (flag, value) in optional { if let value { arguments += [flag, value] } }
        if command.skipInvalid { arguments.append("--skip-invalid") }
        let swept = Set(point.map(\.key))
        for parameter in command.parameters where !swept.contains(String(parameter.prefix { $0 != "=" })) { arguments += ["--param", parameter] }
        for parameter in point { arguments += ["--param", "\(parameter.key)=\(parameter.value)"] }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch { return Outcome(point: point, summary: nil, error: "\(error)") }
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let summary = (try? JSONSerialization.jsonObject(with: output)) as? [String: Any] else {
            let message = String(decoding: errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return Outcome(point: point, summary: nil, error: message.isEmpty ? "exit \(process.terminationStatus)" : message)
        }
        return Outcome(point: point, summary: summary, error: nil)
    }
}

/// The ranked table, as text for the terminal and as CSV.
struct SweepTable {
    let axes: [String]
    let ranked: [SweepRunner.Outcome]
    let failed: [SweepRunner.Outcome]
    static let figures = ["trades", "net_pnl", "final_value", "sharpe", "max_drawdown", "win_rate"]

    private func cells(_ outcome: SweepRunner.Outcome) -> [String] {
        let values = outcome.point.map(\.value)
        let figures = Self.figures.map { key -> String in
            guard let number = outcome.summary?[key] as? NSNumber else { return "" }
            return key == "trades" ? number.stringValue : String(format: "%.4f", number.doubleValue)
        }
        return values + figures
    }

    var text: [String] {
        let header = ["rank"] + axes + Self.figures
        let rows = ranked.enumerated().map { ["\($0.offset + 1)"] + cells($0.element) }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ row: [String]) -> String {
            row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        var lines = [line(header)] + rows.map(line)
        for outcome in failed {
            lines.append("failed " + outcome.point.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + ": " + (outcome.error ?? ""))
        }
        return lines
    }

    var csv: String {
        let header = (["rank"] + axes + Self.figures).joined(separator: ",")
        let rows = ranked.enumerated().map { (["\($0.offset + 1)"] + cells($0.element)).joined(separator: ",") }
        return ([header] + rows).joined(separator: "\n") + "\n"
    }
}

import Foundation

/// How fast `OHLCVReader` turns a file into bars: the whole path a backtest pays per bar
/// (read the chunk, parse, check, build the Bar). Meaningful in a release build only.
public enum MarketDataBenchmark {
    public struct Measurement: Sendable {
        public var rows: Int
        /// CPU time of the reading thread, user and system (the read() calls included).
        public var cpuSeconds: Double
        /// Wall-clock time; above cpuSeconds when the machine is busy or the file is not cached.
        public var wallSeconds: Double
        public var rowsPerCPUSecond: Double { Double(rows) / cpuSeconds }
        public var rowsPerWallSecond: Double { Double(rows) / wallSeconds }
    }

    /// Reads every bar of `path` once, file opening included. `seconds` is the CPU time of the
    /// calling thread (user + system), so the figure does not depend on how many other
    /// processes share the cores; `measure` also gives wall-clock time. Run it twice and keep
    /// the second figure, so the file comes from the page cache.
    public static func run(path: String, options: OHLCVReadOptions = .init()) throws -> (rows: Int, seconds: Double) {
        let measurement = try measure(path: path, options: options)
        return (measurement.rows, measurement.cpuSeconds)
    }

    public static func measure(path: String, options: OHLCVReadOptions = .init()) throws -> Measurement {
        let wallStart = nanoseconds(CLOCK_MONOTONIC)
        let cpuStart = nanoseconds(CLOCK_THREAD_CPUTIME_ID)
        let reader = try OHLCVReader(path: path, options: options)
        var rows = 0
        var checksum = 0.0
        while let bar = try reader.next() {
            rows += 1
            checksum += bar.close
        }
        let cpu = Double(nanoseconds(CLOCK_THREAD_CPUTIME_ID) - cpuStart) / 1e9
        let wall = Double(nanoseconds(CLOCK_MONOTONIC) - wallStart) / 1e9
        // Keeps the loop's work observable so the optimizer cannot drop it.
        if checksum.isNaN { print("checksum", checksum) }
        return Measurement(rows: rows, cpuSeconds: cpu, wallSeconds: wall)
    }

    static func nanoseconds(_ clock: clockid_t) -> UInt64 {
        var now = timespec()
        clock_gettime(clock, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}

import Foundation

/// The only source of time for the pipeline and for plugins (through the host services).
/// Always UTC nanoseconds since the Unix epoch.
public protocol HostClock: AnyObject {
    var nowNanoseconds: Int64 { get }
}

/// Wall-clock time, for live sessions.
public final class SystemClock: HostClock {
    public init() {}

    public var nowNanoseconds: Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}

/// A clock the host moves by hand, for replays and backtests: the same inputs give the
/// same timestamps, so runs are byte-identical.
public final class SimulatedClock: HostClock {
    public var nowNanoseconds: Int64

    public init(startNanoseconds: Int64) {
        nowNanoseconds = startNanoseconds
    }

    /// Moves the clock forward; time never goes backwards in a replay.
    public func advance(to nanoseconds: Int64) {
        precondition(nanoseconds >= nowNanoseconds, "simulated clock cannot go backwards")
        nowNanoseconds = nanoseconds
    }
}

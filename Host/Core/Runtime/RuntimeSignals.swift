import Dispatch
import Foundation

/// SIGTERM and SIGINT ask the runtime to stop the way control_stop.txt does. The signals
/// are caught on a dispatch queue; the event loop reads the flag between events.
public final class RuntimeSignals: @unchecked Sendable {
    private let lock = NSLock()
    private var received: Int32?
    private var sources: [DispatchSourceSignal] = []

    public init(signals: [Int32] = [SIGTERM, SIGINT]) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.lock.lock()
                if self.received == nil { self.received = number }
                self.lock.unlock()
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The first signal received, if any.
    public var caught: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    deinit { sources.forEach { $0.cancel() } }
}

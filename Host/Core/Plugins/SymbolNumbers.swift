import Foundation

/// The host's number for each symbol, sent as `tbot_bar_t.symbol_id` (ABI 1.3): the same for
/// every bar of a symbol for the life of the process, different for different symbols, never
/// 0. Plugins may key their per-symbol state by it instead of comparing names on every bar.
/// Asked once per symbol change, not per bar, so one lock is no cost.
final class SymbolNumbers: @unchecked Sendable {
    static let shared = SymbolNumbers()

    private let lock = NSLock()
    private var numbers: [String: UInt32] = [:]

    func number(of symbol: String) -> UInt32 {
        lock.lock()
        defer { lock.unlock() }
        if let known = numbers[symbol] { return known }
        let next = UInt32(numbers.count + 1)
        numbers[symbol] = next
        return next
    }
}

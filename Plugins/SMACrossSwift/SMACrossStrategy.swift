// The crossover logic. Mirrors Plugins/SMACrossC/sma_cross.c line for line: the same
// running sums in the same order, so the same bars give bit-identical doubles.
import TBotPluginAPI

let maxSymbols = 64
let maxSlow: Int64 = 1000

/// Rolling state of one symbol: the last `slow` closes and both running sums.
final class SymbolState {
    let symbol: String
    var ring: [Double]
    var count: Int64 = 0
    var sumFast = 0.0
    var sumSlow = 0.0
    var previous: (fast: Double, slow: Double)?  // SMAs of the last warm bar

    init(symbol: String, slow: Int64) {
        self.symbol = symbol
        ring = [Double](repeating: 0, count: Int(slow))
    }
}

struct StrategyError: Error {
    let status: tbot_status_t
    let message: String
}

/// One plugin instance; handed to the host as an opaque pointer.
final class SMACross {
    let host: UnsafePointer<tbot_host_t>?
    var fast: Int64 = 5
    var slow: Int64 = 20
    var stopPct = 0.01
    var targetPct = 0.02
    var symbols: [SymbolState] = []

    init(host: UnsafePointer<tbot_host_t>?, params: [(key: String, value: String)]) throws {
        self.host = host
        for (key, value) in params { try apply(key: key, value: value) }
    }

    private func apply(key: String, value: String) throws {
        var parsed = true
        var expected = "a decimal"
        switch key {
        case "fast":
            expected = "an integer"
            if let v = Int64(value) { fast = v } else { parsed = false }
        case "slow":
            expected = "an integer"
            if let v = Int64(value) { slow = v } else { parsed = false }
        case "stop_pct":
            if let v = Double(value), v.isFinite { stopPct = v } else { parsed = false }
        case "target_pct":
            if let v = Double(value), v.isFinite { targetPct = v } else { parsed = false }
        default:
            throw StrategyError(status: TBOT_ERR_INVALID_ARGUMENT,
                                message: "unknown parameter '\(key)' (value '\(value)')")
        }
        if !parsed {
            throw StrategyError(status: TBOT_ERR_INVALID_ARGUMENT,
                                message: "invalid value '\(value)' for \(key): expected \(expected)")
        }
    }

    /// Why the parameters are unusable, or nil when they are fine.
    func parameterProblem() -> String? {
        if fast < 1 { return "fast (\(fast)) must be at least 1" }
        if slow <= fast { return "slow (\(slow)) must be greater than fast (\(fast))" }
        if slow > maxSlow { return "slow (\(slow)) must be at most \(maxSlow)" }
        if !(stopPct > 0.0 && stopPct < 0.5) {
            return cFormat("stop_pct (%g) must be greater than 0 and less than 0.5", stopPct)
        }
        if !(targetPct > 0.0 && targetPct < 1.0) {
            return cFormat("target_pct (%g) must be greater than 0 and less than 1", targetPct)
        }
        return nil
    }

    func resetSymbols() {
        symbols.removeAll()
    }

    private func state(for symbol: String) throws -> SymbolState {
        if let found = symbols.first(where: { $0.symbol == symbol }) { return found }
        if symbols.count == maxSymbols {
            throw StrategyError(
                status: TBOT_ERR_INVALID_ARGUMENT,
                message: "too many symbols: \(symbol) would be number \(maxSymbols + 1), the limit is \(maxSymbols)")
        }
        let added = SymbolState(symbol: symbol, slow: slow)
        symbols.append(added)
        return added
    }

    /// Updates the averages with one close; returns the intent of a crossover, if any.
    func onBar(symbol: String, close: Double) throws -> tbot_intent_t? {
        if let problem = parameterProblem() {
            throw StrategyError(status: TBOT_ERR_INVALID_ARGUMENT, message: problem)
        }
        let st = try state(for: symbol)
        // Read the closes leaving each window before the new one overwrites a slot.
        st.count += 1
        let slot = Int((st.count - 1) % slow)
        let outFast = st.count > fast ? st.ring[Int((st.count - 1 - fast) % slow)] : 0.0
        let outSlow = st.count > slow ? st.ring[slot] : 0.0
        st.ring[slot] = close
        st.sumFast += close
        if st.count > fast { st.sumFast -= outFast }
        st.sumSlow += close
        if st.count > slow { st.sumSlow -= outSlow }
        if st.count < slow { return nil }  // not warm yet

        let fastSMA = st.sumFast / Double(fast)
        let slowSMA = st.sumSlow / Double(slow)
        var intent: tbot_intent_t?
        if let prev = st.previous {
            if prev.fast <= prev.slow && fastSMA > slowSMA {
                intent = cross(symbol: symbol, up: true, close: close, fast: fastSMA, slow: slowSMA)
            } else if prev.fast >= prev.slow && fastSMA < slowSMA {
                intent = cross(symbol: symbol, up: false, close: close, fast: fastSMA, slow: slowSMA)
            }
        }
        st.previous = (fastSMA, slowSMA)
        return intent
    }

    private func cross(symbol: String, up: Bool, close: Double, fast: Double, slow: Double) -> tbot_intent_t {
        var intent = tbot_intent_t()
        intent.size = cSize(tbot_intent_t.self)
        intent.action = up ? TBOT_INTENT_ENTER : TBOT_INTENT_EXIT
        intent.side = up ? TBOT_SIDE_BUY : TBOT_SIDE_SELL
        intent.rank = 1
        copyCString(symbol, into: &intent.symbol)
        intent.entry_price = close
        if up {
            intent.stop_price = close * (1.0 - stopPct)
            intent.target_price = close * (1.0 + targetPct)
        }
        // 1% of separation between the averages is full confidence.
        let confidence = abs(fast - slow) / slow * 100.0
        intent.confidence = confidence < 1.0 ? confidence : 1.0
        copyCString(up ? "sma_cross_up" : "sma_cross_down", into: &intent.tag)
        return intent
    }
}

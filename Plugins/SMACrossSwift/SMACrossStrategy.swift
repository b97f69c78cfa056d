// The crossover logic. Mirrors Plugins/SMACrossC/sma_cross.c: the same exact averages
// (tbot_indicators.h's tbot_xsma_t) and the same rule, so the same bars give identical
// intents. A cross fires when fast - slow becomes non-zero with the opposite sign of its
// last non-zero value; an exact tie neither fires nor resets.
import TBotPluginAPI

let maxSymbols = 64
let maxSlow: Int64 = 1000

/// Rolling state of one symbol: both exact averages and the sign of the last non-zero
/// difference (0 before the first).
final class SymbolState {
    let symbol: String
    var fast = tbot_xsma_t()
    var slow = tbot_xsma_t()
    var lastSign: Int32 = 0

    init?(symbol: String, fast fastPeriod: Int64, slow slowPeriod: Int64) {
        self.symbol = symbol
        guard tbot_xsma_init(&fast, Int32(fastPeriod)) == 0, tbot_xsma_init(&slow, Int32(slowPeriod)) == 0 else { return nil }
    }

    deinit {
        tbot_xsma_free(&fast)
        tbot_xsma_free(&slow)
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
    var size: Int64 = 0  // whole shares per entry; 0 = the host sizes
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
        case "size":
            expected = "an integer"
            if let v = Int64(value) { size = v } else { parsed = false }
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
        if size < 0 || size > 1_000_000_000 {
            return "size (\(size)) must be from 0 (the host sizes) to 1000000000 shares"
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
        guard let added = SymbolState(symbol: symbol, fast: fast, slow: slow) else {
            throw StrategyError(status: TBOT_ERR_INTERNAL, message: "out of memory")
        }
        symbols.append(added)
        return added
    }

    /// Updates the averages with one close; returns the intent of a crossover, if any.
    func onBar(symbol: String, close: Double) throws -> tbot_intent_t? {
        if let problem = parameterProblem() {
            throw StrategyError(status: TBOT_ERR_INVALID_ARGUMENT, message: problem)
        }
        let st = try state(for: symbol)
        var warm = tbot_xsma_push(&st.fast, close) != 0
        warm = tbot_xsma_push(&st.slow, close) != 0 && warm
        guard warm else { return nil }
        let sign = tbot_xsma_compare(&st.fast, &st.slow)
        guard sign != 0 else { return nil }  // an exact tie neither fires nor resets
        var intent: tbot_intent_t?
        if st.lastSign != 0 && sign != st.lastSign {
            intent = cross(symbol: symbol, up: sign > 0, close: close, fast: st.fast.value, slow: st.slow.value)
        }
        st.lastSign = sign
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
            intent.max_quantity = size * TBOT_QTY_SCALE
        }
        // 1% of separation between the averages is full confidence.
        let confidence = abs(fast - slow) / slow * 100.0
        intent.confidence = confidence < 1.0 ? confidence : 1.0
        copyCString(up ? "sma_cross_up" : "sma_cross_down", into: &intent.tag)
        return intent
    }
}

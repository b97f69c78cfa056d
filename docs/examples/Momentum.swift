// Momentum.swift - a strategy plugin in Swift: buy strength, exit when it fades.
//
// Per symbol: momentum is close / close `lookback` bars ago - 1. ENTER BUY when it
// reaches `threshold` (stop `stop_pct` below the close, no target); EXIT SELL when it
// falls to 0 or below while long. The host flattens what is left at session end.
//
// Built against PluginAPI/include alone (its module.modulemap declares TBotPluginAPI),
// from the repository root, with the same toolchain as the host:
//   swiftc -emit-library -I PluginAPI/include docs/examples/Momentum.swift -o /tmp/libmomentum.so
import TBotPluginAPI

// MARK: - The strategy, in plain Swift

struct PluginError: Error {
    let status: tbot_status_t
    let message: String
}

/// One plugin instance. The host holds it as an opaque pointer (see `create`).
final class Momentum {
    let host: UnsafePointer<tbot_host_t>  // host-owned, valid until destroy returns
    var lookback = 3
    var threshold = 0.02
    var stopPct = 0.01
    private var closes: [String: [Double]] = [:]  // last lookback + 1 closes per symbol
    private var long: Set<String> = []

    init(host: UnsafePointer<tbot_host_t>, params: [(key: String, value: String)]) throws {
        self.host = host
        for (key, value) in params {
            switch key {
            case "lookback": lookback = try parse(Int(value), key, value, "an integer")
            case "threshold": threshold = try parse(Double(value), key, value, "a decimal")
            case "stop_pct": stopPct = try parse(Double(value), key, value, "a decimal")
            default: throw PluginError(status: TBOT_ERR_INVALID_ARGUMENT, message: "unknown parameter '\(key)'")
            }
        }
    }

    private func parse<T>(_ parsed: T?, _ key: String, _ value: String, _ expected: String) throws -> T {
        guard let parsed else {
            throw PluginError(status: TBOT_ERR_INVALID_ARGUMENT,
                              message: "invalid value '\(value)' for \(key): expected \(expected)")
        }
        return parsed
    }

    /// Why the parameters are unusable, or nil. The self_check contract.
    func problem() -> String? {
        if !(1...100).contains(lookback) { return "lookback must be between 1 and 100" }
        if !(threshold > 0 && threshold < 1) { return "threshold must be greater than 0 and less than 1" }
        if !(stopPct > 0 && stopPct < 0.5) { return "stop_pct must be greater than 0 and less than 0.5" }
        return nil
    }

    func log(_ level: tbot_log_level_t, _ message: String) {
        host.pointee.log(host.pointee.host_ctx, level, message)
    }

    func sessionStart() {
        closes.removeAll()
        long.removeAll()
    }

    /// One bar in; at most one intent out.
    func onBar(symbol: String, close: Double) -> tbot_intent_t? {
        var window = closes[symbol, default: []]
        window.append(close)
        if window.count > lookback + 1 { window.removeFirst() }
        closes[symbol] = window
        guard window.count == lookback + 1 else { return nil }  // not warm yet

        let momentum = close / window[0] - 1
        if !long.contains(symbol) && momentum >= threshold {
            long.insert(symbol)
            // Twice the threshold is full confidence.
            return intent(.enter, symbol, entry: close, stop: close * (1 - stopPct),
                          confidence: min(1, momentum / (2 * threshold)), tag: "momentum_up")
        }
        if long.contains(symbol) && momentum <= 0 {
            long.remove(symbol)
            return intent(.exit, symbol, entry: close, stop: 0, confidence: 1, tag: "momentum_faded")
        }
        return nil
    }

    enum Action { case enter, exit }

    private func intent(_ action: Action, _ symbol: String, entry: Double, stop: Double,
                        confidence: Double, tag: String) -> tbot_intent_t {
        var intent = tbot_intent_t()  // zeroed
        intent.size = cSize(tbot_intent_t.self)
        intent.action = action == .enter ? TBOT_INTENT_ENTER : TBOT_INTENT_EXIT
        intent.side = action == .enter ? TBOT_SIDE_BUY : TBOT_SIDE_SELL
        intent.rank = 1
        copyCString(symbol, into: &intent.symbol)
        intent.entry_price = entry
        intent.stop_price = stop
        intent.target_price = 0  // none: ride the move until it fades
        intent.confidence = confidence
        copyCString(tag, into: &intent.tag)
        return intent
    }
}

// MARK: - Crossing the C ABI

/// sizeof() as C computes it (MemoryLayout.size leaves out tail padding).
func cSize<T>(_: T.Type) -> UInt32 { UInt32(MemoryLayout<T>.stride) }

/// A C string for a literal: it lives in the library's read-only data.
func cString(_ literal: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(literal.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// Copies text into an inline char array (a tuple in Swift), truncated, NUL-terminated.
func copyCString<Tuple>(_ text: String, into tuple: inout Tuple) {
    withUnsafeMutableBytes(of: &tuple) { bytes in
        let destination = bytes.baseAddress!.assumingMemoryBound(to: CChar.self)
        text.withCString { tbot_copy_string(destination, bytes.count, $0) }
    }
}

/// Writes a message into a host-owned buffer of `capacity` bytes.
func writeMessage(_ message: String, to buffer: UnsafeMutablePointer<CChar>?, capacity: UInt32) {
    message.withCString { tbot_copy_string(buffer, Int(capacity), $0) }
}

func instance(_ pointer: UnsafeMutableRawPointer?) -> Momentum {
    Unmanaged<Momentum>.fromOpaque(pointer!).takeUnretainedValue()
}

// The tables must sit at stable addresses for the life of the library: allocate them
// once (Swift globals initialise lazily and thread-safely) and never free them.
// @convention(c) closures capture nothing; the instance arrives as the first argument.
// No Swift error may cross the boundary: every throw is caught and turned into a status.
nonisolated(unsafe) let strategyFunctions: UnsafeMutablePointer<tbot_strategy_api_t> = {
    let table = UnsafeMutablePointer<tbot_strategy_api_t>.allocate(capacity: 1)
    table.initialize(to: tbot_strategy_api_t(
        size: cSize(tbot_strategy_api_t.self),
        session_start: { pointer, _, _, _ in
            instance(pointer).sessionStart()
            return TBOT_OK
        },
        on_bar: { pointer, bar, sink, _, _ in
            let symbol = String(cString: bar!.pointee.symbol)
            if var intent = instance(pointer).onBar(symbol: symbol, close: bar!.pointee.close) {
                // The sink copies the intent; a malformed one is logged and dropped by the host.
                _ = sink!.pointee.emit(sink!.pointee.sink_ctx, &intent)
            }
            return TBOT_OK
        },
        session_end: { _, _, _, _, _ in TBOT_OK }))
    return table
}()

nonisolated(unsafe) let descriptor: UnsafeMutablePointer<tbot_plugin_descriptor_t> = {
    let d = UnsafeMutablePointer<tbot_plugin_descriptor_t>.allocate(capacity: 1)
    d.initialize(to: tbot_plugin_descriptor_t(
        abi_major: UInt32(TBOT_ABI_VERSION_MAJOR),
        abi_minor: UInt32(TBOT_ABI_VERSION_MINOR),
        size: cSize(tbot_plugin_descriptor_t.self),
        kind: TBOT_KIND_STRATEGY,
        id: cString("momentum_swift"),
        name: cString("Momentum (Swift example)"),
        version: cString("1.0.0"),
        description: cString("Buys when the close is up `threshold` over `lookback` bars; exits when that fades."),
        create: { host, params, err, errCap in
            var pairs: [(key: String, value: String)] = []
            if let params = params?.pointee, let items = params.items {  // valid only during create
                for item in UnsafeBufferPointer(start: items, count: Int(params.count)) {
                    pairs.append((item.key.map { String(cString: $0) } ?? "", item.value.map { String(cString: $0) } ?? ""))
                }
            }
            do {
                let strategy = try Momentum(host: host!, params: pairs)
                strategy.log(TBOT_LOG_INFO, "momentum_swift created: lookback=\(strategy.lookback) threshold=\(strategy.threshold)")
                return Unmanaged.passRetained(strategy).toOpaque()  // released by destroy
            } catch let error as PluginError {
                writeMessage(error.message, to: err, capacity: errCap)
            } catch {
                writeMessage("\(error)", to: err, capacity: errCap)
            }
            return nil
        },
        destroy: { pointer in
            if let pointer { Unmanaged<Momentum>.fromOpaque(pointer).release() }
        },
        self_check: { pointer, reason, reasonCap in
            guard let problem = instance(pointer).problem() else { return TBOT_OK }
            writeMessage(problem, to: reason, capacity: reasonCap)
            return TBOT_ERR_INVALID_ARGUMENT
        },
        get_extension: nil,
        functions: UnsafeRawPointer(strategyFunctions)))
    return d
}()

/// The only symbol the host looks up.
@_cdecl("tbot_plugin_entry")
public func tbotPluginEntry() -> UnsafePointer<tbot_plugin_descriptor_t> {
    UnsafePointer(descriptor)
}

// Entry point and C function tables of the Swift SMA crossover strategy.
import Glibc
import TBotPluginAPI

private func instance(_ pointer: UnsafeMutableRawPointer?) -> SMACross {
    Unmanaged<SMACross>.fromOpaque(pointer!).takeUnretainedValue()
}

/// Reads the host's parameter array (valid only during create) into Swift strings.
func readParams(_ params: UnsafePointer<tbot_params_t>?) -> [(key: String, value: String)] {
    guard let params = params?.pointee, let items = params.items else { return [] }
    return (0..<Int(params.count)).map { i in
        let item = items[i]
        return (item.key.map { String(cString: $0) } ?? "", item.value.map { String(cString: $0) } ?? "")
    }
}

// The tables live at stable heap addresses, allocated once on first use (Swift
// globals are initialised lazily and thread-safely) and never freed.
private nonisolated(unsafe) let strategyFunctions: UnsafeMutablePointer<tbot_strategy_api_t> = {
    let table = UnsafeMutablePointer<tbot_strategy_api_t>.allocate(capacity: 1)
    table.initialize(to: tbot_strategy_api_t(
        size: cSize(tbot_strategy_api_t.self),
        session_start: { pointer, _, _, _ in
            instance(pointer).resetSymbols()
            return TBOT_OK
        },
        on_bar: { pointer, bar, sink, err, errCap in
            let strategy = instance(pointer)
            do {
                if let problem = strategy.parameterProblem() {
                    throw StrategyError(status: TBOT_ERR_INVALID_ARGUMENT, message: problem)
                }
                guard let bar, let cSymbol = bar.pointee.symbol, let sink, let emit = sink.pointee.emit else {
                    throw StrategyError(status: TBOT_ERR_INVALID_ARGUMENT,
                                        message: "on_bar needs a bar with a symbol and a sink")
                }
                let symbol = String(cString: cSymbol)
                if strlen(cSymbol) >= Int(TBOT_SYMBOL_CAP) {
                    throw StrategyError(status: TBOT_ERR_INVALID_ARGUMENT,
                                        message: "symbol \(symbol) is longer than \(TBOT_SYMBOL_CAP - 1) bytes")
                }
                if var intent = try strategy.onBar(symbol: symbol, close: bar.pointee.close) {
                    // A rejected intent is the host's to log; the strategy's state is still right.
                    _ = emit(sink.pointee.sink_ctx, &intent)
                }
                return TBOT_OK
            } catch let error as StrategyError {
                writeMessage(error.message, to: err, capacity: errCap)
                return error.status
            } catch {
                writeMessage("\(error)", to: err, capacity: errCap)
                return TBOT_ERR_INTERNAL
            }
        },
        session_end: { _, _, _, _, _ in
            TBOT_OK  // crossovers only; the host flattens what is left
        }
    ))
    return table
}()

private nonisolated(unsafe) let descriptor: UnsafeMutablePointer<tbot_plugin_descriptor_t> = {
    let d = UnsafeMutablePointer<tbot_plugin_descriptor_t>.allocate(capacity: 1)
    d.initialize(to: tbot_plugin_descriptor_t(
        abi_major: UInt32(TBOT_ABI_VERSION_MAJOR),
        abi_minor: UInt32(TBOT_ABI_VERSION_MINOR),
        size: cSize(tbot_plugin_descriptor_t.self),
        kind: TBOT_KIND_STRATEGY,
        id: staticCString("sma_cross_swift"),
        name: staticCString("SMA cross (Swift)"),
        version: staticCString("1.0.0"),
        description: staticCString(
            "Buys when the fast SMA crosses above the slow SMA, exits when it crosses below."),
        create: { host, params, err, errCap in
            do {
                let strategy = try SMACross(host: host, params: readParams(params))
                if let host, let log = host.pointee.log {
                    log(host.pointee.host_ctx, TBOT_LOG_INFO,
                        "sma_cross_swift created: fast=\(strategy.fast) slow=\(strategy.slow) size=\(strategy.size)")
                }
                return Unmanaged.passRetained(strategy).toOpaque()
            } catch let error as StrategyError {
                writeMessage(error.message, to: err, capacity: errCap)
            } catch {
                writeMessage("\(error)", to: err, capacity: errCap)
            }
            return nil
        },
        destroy: { pointer in
            guard let pointer else { return }
            Unmanaged<SMACross>.fromOpaque(pointer).release()
        },
        self_check: { pointer, reason, reasonCap in
            guard let problem = instance(pointer).parameterProblem() else { return TBOT_OK }
            writeMessage(problem, to: reason, capacity: reasonCap)
            return TBOT_ERR_INVALID_ARGUMENT
        },
        get_extension: nil,
        functions: UnsafeRawPointer(strategyFunctions)
    ))
    return d
}()

@_cdecl("tbot_plugin_entry")
public func tbotPluginEntry() -> UnsafePointer<tbot_plugin_descriptor_t> {
    UnsafePointer(descriptor)
}

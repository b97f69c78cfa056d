// Entry point, descriptor and C function tables of the Alpaca broker.
import TBotPluginAPI

private func broker(_ pointer: UnsafeMutableRawPointer?) -> AlpacaBroker {
    Unmanaged<AlpacaBroker>.fromOpaque(pointer!).takeUnretainedValue()
}

/// Runs `body` on the instance and turns a thrown BrokerError into status + message.
/// Every call starts with a clean fault, so last_fault describes this call only.
private func call(_ pointer: UnsafeMutableRawPointer?, _ err: UnsafeMutablePointer<CChar>?, _ errCap: UInt32,
                  _ body: (AlpacaBroker) throws -> Void) -> tbot_status_t {
    guard let pointer else {
        writeMessage("no instance", to: err, capacity: errCap)
        return TBOT_ERR_INVALID_ARGUMENT
    }
    let instance = broker(pointer)
    instance.api.clearFault()
    do {
        try body(instance)
        return TBOT_OK
    } catch let error as BrokerError {
        writeMessage(instance.settings.redact(error.message), to: err, capacity: errCap)
        return error.status
    } catch {
        writeMessage(instance.settings.redact("\(error)"), to: err, capacity: errCap)
        return TBOT_ERR_INTERNAL
    }
}

/// A required pointer argument, or an INVALID_ARGUMENT error naming it.
private func required<T>(_ value: T?, _ name: String) throws -> T {
    guard let value else { throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT, message: "\(name) is NULL") }
    return value
}

private func text(_ pointer: UnsafePointer<CChar>?, _ name: String) throws -> String {
    String(cString: try required(pointer, name))
}

// Tables live at stable heap addresses, allocated once on first use (Swift globals are
// initialised lazily and thread-safely) and never freed.
private func allocateOnce<T>(_ value: T) -> UnsafeMutablePointer<T> {
    let pointer = UnsafeMutablePointer<T>.allocate(capacity: 1)
    pointer.initialize(to: value)
    return pointer
}

private nonisolated(unsafe) let brokerFunctions = allocateOnce(tbot_broker_api_t(
    size: cSize(tbot_broker_api_t.self),
    get_account: { pointer, out, err, errCap in
        call(pointer, err, errCap) { writeOutput(try $0.account(), to: try required(out, "out")) }
    },
    list_positions: { pointer, sink, err, errCap in
        call(pointer, err, errCap) { broker in
            let sink = try required(sink, "sink").pointee
            let emit = try required(sink.emit, "sink.emit")
            for var position in try broker.positions() { emit(sink.sink_ctx, &position) }
        }
    },
    submit_order: { pointer, request, out, err, errCap in
        call(pointer, err, errCap) { broker in
            let request = try required(request, "request").pointee
            let out = try required(out, "out")
            writeOutput(try broker.submit(request), to: out)
        }
    },
    cancel_order: { pointer, orderId, err, errCap in
        call(pointer, err, errCap) { try $0.cancel(try text(orderId, "order_id")) }
    },
    get_order: { pointer, orderId, out, err, errCap in
        call(pointer, err, errCap) { broker in
            let id = try text(orderId, "order_id")
            writeOutput(try broker.order(id), to: try required(out, "out"))
        }
    },
    list_fills: { pointer, since, sink, err, errCap in
        call(pointer, err, errCap) { broker in
            let sink = try required(sink, "sink").pointee
            let emit = try required(sink.emit, "sink.emit")
            // Fetch everything first: a failure on a later page emits nothing.
            for var fill in try broker.fills(since: since) { emit(sink.sink_ctx, &fill) }
        }
    },
    is_tradable: { pointer, symbol, out, err, errCap in
        call(pointer, err, errCap) { try required(out, "out").pointee = try $0.isTradable(try text(symbol, "symbol")) ? 1 : 0 }
    },
    supports_fractional: { pointer, symbol, out, err, errCap in
        call(pointer, err, errCap) { try required(out, "out").pointee = try $0.isFractionable(try text(symbol, "symbol")) ? 1 : 0 }
    },
    min_order_size: { pointer, symbol, out, err, errCap in
        call(pointer, err, errCap) { writeOutput(try $0.minimum(try text(symbol, "symbol")), to: try required(out, "out")) }
    }
))

private nonisolated(unsafe) let barsTable = allocateOnce(tbot_broker_bars_t(
    size: cSize(tbot_broker_bars_t.self),
    list_bars: { pointer, symbol, interval, start, end, sink, err, errCap in
        call(pointer, err, errCap) { broker in
            let sink = try required(sink, "sink").pointee
            let emit = try required(sink.emit, "sink.emit")
            let name = try text(symbol, "symbol")
            // Fetch every page first: a failure on a later page emits nothing.
            let bars = try broker.bars(name, interval: interval, start: start, end: end)
            name.withCString { cName in
                for var bar in bars {
                    bar.symbol = cName
                    emit(sink.sink_ctx, &bar)
                }
            }
        }
    }
))

private nonisolated(unsafe) let clockTable = allocateOnce(tbot_broker_clock_t(
    size: cSize(tbot_broker_clock_t.self),
    market_clock: { pointer, out, err, errCap in
        call(pointer, err, errCap) { writeOutput(try $0.marketClock(), to: try required(out, "out")) }
    }
))

private nonisolated(unsafe) let assetsTable = allocateOnce(tbot_broker_assets_t(
    size: cSize(tbot_broker_assets_t.self),
    is_shortable: { pointer, symbol, out, err, errCap in
        call(pointer, err, errCap) { try required(out, "out").pointee = try $0.isShortable(try text(symbol, "symbol")) ? 1 : 0 }
    }
))

private nonisolated(unsafe) let faultsTable = allocateOnce(tbot_broker_faults_t(
    size: cSize(tbot_broker_faults_t.self),
    last_fault: { pointer, out in
        guard let pointer, let out else { return }
        let fault = broker(pointer).api.fault
        var value = tbot_fault_t()
        value.size = cSize(tbot_fault_t.self)
        value.http_status = fault.httpStatus
        value.timed_out = fault.timedOut ? 1 : 0
        value.retry_after_ms = fault.retryAfterMs
        copyCString(fault.code, into: &value.code)
        writeOutput(value, to: out)
    }
))

private nonisolated(unsafe) let shortSelling = allocateOnce(tbot_capability_t(
    size: cSize(tbot_capability_t.self),
    id: staticCString("tbot.broker.short_selling")  // == TBOT_EXT_BROKER_SHORT_SELLING
))

private nonisolated(unsafe) let descriptor = allocateOnce(tbot_plugin_descriptor_t(
    abi_major: UInt32(TBOT_ABI_VERSION_MAJOR),
    abi_minor: UInt32(TBOT_ABI_VERSION_MINOR),
    size: cSize(tbot_plugin_descriptor_t.self),
    kind: TBOT_KIND_BROKER,
    id: staticCString("alpaca_broker"),
    name: staticCString("Alpaca broker"),
    version: staticCString("0.1.0"),
    description: staticCString("Alpaca trading API v2 (paper or live account) and market data v2 bars."),
    create: { host, params, err, errCap in
        do {
            return Unmanaged.passRetained(try AlpacaBroker(host: host, params: readParams(params))).toOpaque()
        } catch let error as BrokerError {
            writeMessage(error.message, to: err, capacity: errCap)
        } catch {
            writeMessage("\(error)", to: err, capacity: errCap)
        }
        return nil
    },
    destroy: { pointer in
        guard let pointer else { return }
        Unmanaged<AlpacaBroker>.fromOpaque(pointer).release()
    },
    self_check: { pointer, reason, reasonCap in
        guard let pointer else { return TBOT_ERR_INVALID_ARGUMENT }
        let instance = broker(pointer)
        instance.api.clearFault()
        guard let problem = instance.selfCheckProblem() else { return TBOT_OK }
        writeMessage(instance.settings.redact(problem), to: reason, capacity: reasonCap)
        return TBOT_ERR_FATAL
    },
    get_extension: { _, extensionId in
        guard let extensionId else { return nil }
        switch String(cString: extensionId) {
        case TBOT_EXT_BROKER_BARS: return UnsafeRawPointer(barsTable)
        case TBOT_EXT_BROKER_CLOCK: return UnsafeRawPointer(clockTable)
        case TBOT_EXT_BROKER_ASSETS: return UnsafeRawPointer(assetsTable)
        case TBOT_EXT_BROKER_FAULTS: return UnsafeRawPointer(faultsTable)
        case TBOT_EXT_BROKER_SHORT_SELLING: return UnsafeRawPointer(shortSelling)
        default: return nil
        }
    },
    functions: UnsafeRawPointer(brokerFunctions)
))

@_cdecl("tbot_plugin_entry")
public func tbotPluginEntry() -> UnsafePointer<tbot_plugin_descriptor_t> {
    UnsafePointer(descriptor)
}

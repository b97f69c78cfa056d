// Entry point and C function tables of the paper broker.
import TBotPluginAPI

private func broker(_ pointer: UnsafeMutableRawPointer?) -> PaperBroker {
    Unmanaged<PaperBroker>.fromOpaque(pointer!).takeUnretainedValue()
}

/// Runs `body` on the instance and turns a thrown BrokerError into status + message.
private func call(_ pointer: UnsafeMutableRawPointer?, _ err: UnsafeMutablePointer<CChar>?, _ errCap: UInt32,
                  _ body: (PaperBroker) throws -> Void) -> tbot_status_t {
    guard let pointer else {
        writeMessage("no instance", to: err, capacity: errCap)
        return TBOT_ERR_INVALID_ARGUMENT
    }
    do {
        try body(broker(pointer))
        return TBOT_OK
    } catch let error as BrokerError {
        writeMessage(error.message, to: err, capacity: errCap)
        return error.status
    } catch {
        writeMessage("\(error)", to: err, capacity: errCap)
        return TBOT_ERR_INTERNAL
    }
}

/// A required pointer argument, or an INVALID_ARGUMENT error naming it.
private func required<T>(_ value: T?, _ name: String) throws -> T {
    guard let value else { throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT, message: "\(name) is NULL") }
    return value
}

// Tables and the capability live at stable heap addresses, allocated once on first
// use (Swift globals are initialised lazily and thread-safely) and never freed.
private func allocateOnce<T>(_ value: T) -> UnsafeMutablePointer<T> {
    let pointer = UnsafeMutablePointer<T>.allocate(capacity: 1)
    pointer.initialize(to: value)
    return pointer
}

private nonisolated(unsafe) let simulation = allocateOnce(tbot_broker_simulation_t(
    size: cSize(tbot_broker_simulation_t.self),
    on_bar: { pointer, bar, err, errCap in
        // The bar path, millions of times a second in a backtest. For a symbol seen before
        // with no working orders it is a C-string comparison (with the symbol the replay's
        // order predicts) and three stores: no String, no dictionary, no allocation, no
        // reference counting. With working orders, a bar inside their trigger band is as cheap.
        if let pointer, let bar, let symbol = bar.pointee.symbol {
            // Finite and positive: the bit patterns of +0 and of everything from +infinity
            // up (NaNs, negatives) fall outside 1..<infinity's, checked as one comparison.
            if bar.pointee.close.bitPattern &- 1 < Double.infinity.bitPattern &- 1 {
                let header = Unmanaged<PaperBroker>.fromOpaque(pointer)._withUnsafeGuaranteedRef { $0.marketHeader }
                // The host's symbol number (ABI 1.3) when the bar is as large as this build's
                // struct, which ends with it: the size is a constant, so is the check.
                let number = bar.pointee.size >= MemoryLayout<tbot_bar_t>.size ? bar.pointee.symbol_id : 0
                let slot = header.predicted(symbol, number: number)
                if slot >= 0 { return storeBar(pointer, bar, header, slot, err, errCap) }
                return lookUpBar(pointer, bar, header, symbol, number, err, errCap)
            }
        }
        // Errors: a NULL argument or an unusable close.
        return slowBar(pointer, bar, -1, err, errCap)
    }
))

/// Stores the bar (usable close) in its symbol's slot; the symbol's working orders, when
/// the bar may reach them, go to the slow path.
@inline(__always)
private func storeBar(_ pointer: UnsafeMutableRawPointer, _ bar: UnsafePointer<tbot_bar_t>,
                      _ header: UnsafeMutablePointer<MarketHeader>, _ slot: Int,
                      _ err: UnsafeMutablePointer<CChar>?, _ errCap: UInt32) -> tbot_status_t {
    let entry = header.pointee.slots + slot
    let start = bar.pointee.start_ns
    entry.pointee.close = bar.pointee.close
    entry.pointee.startNs = start
    entry.pointee.volume = bar.pointee.volume
    if entry.pointee.working == 0 { return TBOT_OK }
    // NaN fails these comparisons and goes to the checks of the slow path.
    if bar.pointee.low > entry.pointee.triggerLow && bar.pointee.high < entry.pointee.triggerHigh
        && start < entry.pointee.expiresNs { return TBOT_OK }
    return slowBar(pointer, bar, slot, err, errCap)
}

/// A bar whose symbol is not the predicted one: found by hash, or new (the slow path adds it).
@inline(never)
private func lookUpBar(_ pointer: UnsafeMutableRawPointer, _ bar: UnsafePointer<tbot_bar_t>,
                       _ header: UnsafeMutablePointer<MarketHeader>, _ symbol: UnsafePointer<CChar>, _ number: UInt32,
                       _ err: UnsafeMutablePointer<CChar>?, _ errCap: UInt32) -> tbot_status_t {
    let slot = header.lookUp(symbol, number: number)
    if slot >= 0 { return storeBar(pointer, bar, header, slot, err, errCap) }
    return slowBar(pointer, bar, -1, err, errCap)
}

/// Everything on_bar does besides storing the bar, out of line so that the fast path stays
/// a small function.
@inline(never)
private func slowBar(_ pointer: UnsafeMutableRawPointer?, _ bar: UnsafePointer<tbot_bar_t>?, _ slot: Int,
                     _ err: UnsafeMutablePointer<CChar>?, _ errCap: UInt32) -> tbot_status_t {
    call(pointer, err, errCap) { broker in
        try broker.onBar(try required(bar, "bar").pointee, slot: slot)
    }
}

private nonisolated(unsafe) let fractionalCapability = allocateOnce(tbot_capability_t(
    size: cSize(tbot_capability_t.self),
    id: staticCString("tbot.broker.fractional")  // == TBOT_EXT_BROKER_FRACTIONAL
))

private nonisolated(unsafe) let shortSellingCapability = allocateOnce(tbot_capability_t(
    size: cSize(tbot_capability_t.self),
    id: staticCString("tbot.broker.short_selling")  // == TBOT_EXT_BROKER_SHORT_SELLING
))

private nonisolated(unsafe) let assets = allocateOnce(tbot_broker_assets_t(
    size: cSize(tbot_broker_assets_t.self),
    is_shortable: { pointer, symbol, out, err, errCap in
        call(pointer, err, errCap) { broker in
            let symbol = String(cString: try required(symbol, "symbol"))
            try required(out, "out").pointee = broker.isShortable(symbol) ? 1 : 0
        }
    }
))

private nonisolated(unsafe) let brokerFunctions = allocateOnce(tbot_broker_api_t(
    size: cSize(tbot_broker_api_t.self),
    get_account: { pointer, out, err, errCap in
        call(pointer, err, errCap) { try required(out, "out").pointee = try $0.account() }
    },
    list_positions: { pointer, sink, err, errCap in
        call(pointer, err, errCap) { broker in
            let sink = try required(sink, "sink").pointee
            let emit = try required(sink.emit, "sink.emit")
            for var position in try broker.positionList() { emit(sink.sink_ctx, &position) }
        }
    },
    submit_order: { pointer, request, out, err, errCap in
        call(pointer, err, errCap) { broker in
            let request = try required(request, "request").pointee
            let out = try required(out, "out")
            out.pointee = try broker.submit(OrderTicket(
                clientOrderId: request.client_order_id.map { String(cString: $0) } ?? "",
                symbol: request.symbol.map { String(cString: $0) } ?? "",
                side: request.side, type: request.type, timeInForce: request.time_in_force, quantity: request.quantity,
                limitPrice: request.limit_price, stopPrice: request.stop_price, trailPercent: request.trail_percent,
                takeProfitPrice: request.take_profit_price, stopLossPrice: request.stop_loss_price))
        }
    },
    cancel_order: { pointer, orderId, err, errCap in
        call(pointer, err, errCap) { try $0.cancel(id: String(cString: try required(orderId, "order_id"))) }
    },
    get_order: { pointer, orderId, out, err, errCap in
        call(pointer, err, errCap) { broker in
            let id = String(cString: try required(orderId, "order_id"))
            try required(out, "out").pointee = try broker.order(id: id)
        }
    },
    list_fills: { pointer, since, sink, err, errCap in
        call(pointer, err, errCap) { broker in
            let sink = try required(sink, "sink").pointee
            let emit = try required(sink.emit, "sink.emit")
            // Fills are kept in time order: start at the first one due (binary search).
            let fills = broker.state.fills
            for index in broker.firstFill(since: since)..<fills.count {
                var fill = fills[index]
                emit(sink.sink_ctx, &fill)
            }
        }
    },
    is_tradable: { pointer, symbol, out, err, errCap in
        call(pointer, err, errCap) { _ in
            let symbol = String(cString: try required(symbol, "symbol"))
            try required(out, "out").pointee = PaperBroker.isTradable(symbol) ? 1 : 0
        }
    },
    supports_fractional: { pointer, _, out, err, errCap in
        call(pointer, err, errCap) { try required(out, "out").pointee = $0.fractional ? 1 : 0 }
    },
    min_order_size: { pointer, _, out, err, errCap in
        call(pointer, err, errCap) { try required(out, "out").pointee = $0.minimum() }
    }
))

private nonisolated(unsafe) let descriptor = allocateOnce(tbot_plugin_descriptor_t(
    abi_major: UInt32(TBOT_ABI_VERSION_MAJOR),
    abi_minor: UInt32(TBOT_ABI_VERSION_MINOR),
    size: cSize(tbot_plugin_descriptor_t.self),
    kind: TBOT_KIND_BROKER,
    id: staticCString("paper_broker"),
    name: staticCString("Paper broker"),
    version: staticCString("0.3.0"),
    description: staticCString("Simulated broker: market, limit, stop, trailing stop and bracket orders filled from the host's bars."),
    create: { host, params, err, errCap in
        do {
            return Unmanaged.passRetained(try PaperBroker(host: host, params: readParams(params))).toOpaque()
        } catch let error as BrokerError {
            writeMessage(error.message, to: err, capacity: errCap)
        } catch {
            writeMessage("\(error)", to: err, capacity: errCap)
        }
        return nil
    },
    destroy: { pointer in
        guard let pointer else { return }
        Unmanaged<PaperBroker>.fromOpaque(pointer).release()
    },
    self_check: { pointer, reason, reasonCap in
        guard let problem = broker(pointer).parameterProblem() else { return TBOT_OK }
        writeMessage(problem, to: reason, capacity: reasonCap)
        return TBOT_ERR_INVALID_ARGUMENT
    },
    get_extension: { pointer, extensionId in
        guard let extensionId else { return nil }
        switch String(cString: extensionId) {
        case TBOT_EXT_BROKER_SIMULATION:
            return UnsafeRawPointer(simulation)
        case TBOT_EXT_BROKER_FRACTIONAL:
            guard let pointer, broker(pointer).fractional else { return nil }
            return UnsafeRawPointer(fractionalCapability)
        case TBOT_EXT_BROKER_SHORT_SELLING:
            guard let pointer, broker(pointer).allowShort else { return nil }
            return UnsafeRawPointer(shortSellingCapability)
        case TBOT_EXT_BROKER_ASSETS:
            return UnsafeRawPointer(assets)
        default:
            return nil
        }
    },
    functions: UnsafeRawPointer(brokerFunctions)
))

@_cdecl("tbot_plugin_entry")
public func tbotPluginEntry() -> UnsafePointer<tbot_plugin_descriptor_t> {
    UnsafePointer(descriptor)
}

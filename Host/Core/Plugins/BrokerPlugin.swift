import TBotPluginAPI

/// Typed calls into a loaded broker plugin.
public final class BrokerPlugin {
    public let instance: PluginInstance
    private let api: tbot_broker_api_t
    // The simulation's bar feed (nil for real brokers), ready to call on every bar.
    private let handle: UnsafeMutableRawPointer
    private let simulationOnBar: BarFunction?
    private let barMessages = PluginMessageBuffer()

    public var id: String { instance.info.id }
    /// Retries transient failures of every call but the simulation's feed; nil: one attempt.
    public var retry: BrokerRetry?
    /// True for brokers that take the market from the host (paper, backtest).
    public var isSimulated: Bool { simulationOnBar != nil }

    public init?(_ instance: PluginInstance) {
        guard instance.info.kind == .broker, let table = instance.descriptor.functions,
              let api = try? FunctionTables.broker(table).get() else { return nil }
        self.instance = instance
        self.api = api
        handle = instance.handle
        simulationOnBar = instance.extensionTable(TBOT_EXT_BROKER_SIMULATION).flatMap {
            ABIStruct.read($0, baseline: ABIStruct.baseline(through: \tbot_broker_simulation_t.on_bar), as: tbot_broker_simulation_t.self)
        }.flatMap { $0.on_bar }
    }

    public func hasCapability(_ id: String) -> Bool { instance.hasCapability(id) }

    /// Feeds a simulated broker the bar before strategies see it; a no-op for real brokers.
    public func marketBar(_ bar: Bar) throws {
        guard simulationOnBar != nil else { return }
        try bar.withABI { try marketBar(abi: $0) }
    }

    /// Feeds a bar already in ABI form (the pipeline's shared slot).
    func marketBar(abi raw: UnsafePointer<tbot_bar_t>) throws {
        guard let simulationOnBar else { return }
        let status = simulationOnBar(handle, raw, barMessages.prepared(), barMessages.capacity)
        if status != TBOT_OK { try barMessages.raise(instance, "simulation.on_bar", status) }
    }

    public func account() throws -> BrokerAccount {
        var raw = tbot_account_t()
        raw.size = ABIStruct.size(tbot_account_t.self)
        try call("get_account") { api.get_account(instance.handle, &raw, $0, $1) }
        return BrokerAccount(cash: Money(units: raw.cash), equity: Money(units: raw.equity),
                             buyingPower: Money(units: raw.buying_power), currency: CStrings.string(fromTuple: raw.currency))
    }

    public func positions() throws -> [BrokerPosition] {
        let box = SinkBox<BrokerPosition>()
        var sink = tbot_position_sink_t(size: ABIStruct.size(tbot_position_sink_t.self),
                                        sink_ctx: Unmanaged.passUnretained(box).toOpaque()) { context, position in
            guard let context, let p = position?.pointee else { return }
            Unmanaged<SinkBox<BrokerPosition>>.fromOpaque(context).takeUnretainedValue().items.append(BrokerPosition(
                symbol: CStrings.string(fromTuple: p.symbol), quantity: Quantity(units: p.quantity),
                averageEntryPrice: p.average_entry_price, lastPrice: p.last_price, marketValue: Money(units: p.market_value)))
        }
        try call("list_positions") { api.list_positions(instance.handle, &sink, $0, $1) }
        return box.items
    }

    public func submit(_ request: OrderRequest) throws -> BrokerOrder {
        var out = tbot_order_t()
        out.size = ABIStruct.size(tbot_order_t.self)
        try request.clientOrderID.withCString { clientID in
            try request.symbol.withCString { symbol in
                var raw = tbot_order_request_t()
                raw.size = ABIStruct.size(tbot_order_request_t.self)
                raw.client_order_id = clientID
                raw.symbol = symbol
                raw.side = request.side.abiValue
                raw.type = request.type.abiValue
                raw.time_in_force = request.timeInForce.abiValue
                raw.quantity = request.quantity.units
                (raw.limit_price, raw.stop_price) = request.type.limitAndStopPrices
                raw.trail_percent = request.type.trailPercent
                raw.take_profit_price = request.takeProfitPrice ?? 0
                raw.stop_loss_price = request.stopLossPrice ?? 0
                try call("submit_order") { api.submit_order(instance.handle, &raw, &out, $0, $1) }
            }
        }
        return BrokerOrder(out)
    }

    public func cancel(orderID: String) throws {
        try orderID.withCString { order in
            try call("cancel_order") { api.cancel_order(instance.handle, order, $0, $1) }
        }
    }

    public func order(id orderID: String) throws -> BrokerOrder {
        var out = tbot_order_t()
        out.size = ABIStruct.size(tbot_order_t.self)
        try orderID.withCString { order in
            try call("get_order") { api.get_order(instance.handle, order, &out, $0, $1) }
        }
        return BrokerOrder(out)
    }

    public func fills(since: Int64) throws -> [BrokerFill] {
        let box = SinkBox<BrokerFill>()
        var sink = tbot_fill_sink_t(size: ABIStruct.size(tbot_fill_sink_t.self),
                                    sink_ctx: Unmanaged.passUnretained(box).toOpaque()) { context, fill in
            guard let context, let fill else { return }
            Unmanaged<SinkBox<BrokerFill>>.fromOpaque(context).takeUnretainedValue().items.append(BrokerFill(fill.pointee))
        }
        try call("list_fills") { api.list_fills(instance.handle, since, &sink, $0, $1) }
        return box.items
    }

    public func isTradable(_ symbol: String) throws -> Bool {
        try flag("is_tradable", symbol, api.is_tradable)
    }

    public func supportsFractional(_ symbol: String) throws -> Bool {
        try flag("supports_fractional", symbol, api.supports_fractional)
    }

    public func minimumOrder(_ symbol: String) throws -> OrderMinimum {
        var raw = tbot_order_minimum_t()
        raw.size = ABIStruct.size(tbot_order_minimum_t.self)
        try symbol.withCString { name in
            try call("min_order_size") { api.min_order_size(instance.handle, name, &raw, $0, $1) }
        }
        return OrderMinimum(quantity: Quantity(units: raw.min_quantity), notional: Money(units: raw.min_notional))
    }

    private typealias FlagFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, UnsafeMutablePointer<Int32>?,
                                                     UnsafeMutablePointer<CChar>?, UInt32) -> tbot_status_t

    private func flag(_ name: String, _ symbol: String, _ function: FlagFunction) throws -> Bool {
        var value: Int32 = 0
        try symbol.withCString { text in
            try call(name) { function(instance.handle, text, &value, $0, $1) }
        }
        return value != 0
    }
}

/// Collects what a plugin emits through a sink callback.
final class SinkBox<Item> {
    var items: [Item] = []
}

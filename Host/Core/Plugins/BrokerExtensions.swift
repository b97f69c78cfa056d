import TBotPluginAPI

/// The market's clock as a live broker reports it (tbot.broker.clock). UTC nanoseconds.
public struct MarketClock: Equatable, Sendable {
    public let isOpen: Bool
    public let timestampNanoseconds: Int64
    public let nextOpenNanoseconds: Int64
    public let nextCloseNanoseconds: Int64

    public init(isOpen: Bool, timestampNanoseconds: Int64, nextOpenNanoseconds: Int64, nextCloseNanoseconds: Int64) {
        self.isOpen = isOpen
        self.timestampNanoseconds = timestampNanoseconds
        self.nextOpenNanoseconds = nextOpenNanoseconds
        self.nextCloseNanoseconds = nextCloseNanoseconds
    }
}

/// What the broker said about the last failed call (tbot.broker.faults), for pacing and
/// recording retries.
public struct BrokerFault: Equatable, Sendable {
    /// HTTP status of the last response; nil when no response came (network error, timeout).
    public let httpStatus: Int?
    /// The call ran out of time (API_TIMEOUT).
    public let timedOut: Bool
    /// The broker's Retry-After in milliseconds; nil when it gave none.
    public let retryAfterMilliseconds: Int64?
    /// The broker's own error code as text; empty when none.
    public let code: String

    public init(httpStatus: Int?, timedOut: Bool, retryAfterMilliseconds: Int64?, code: String) {
        self.httpStatus = httpStatus
        self.timedOut = timedOut
        self.retryAfterMilliseconds = retryAfterMilliseconds
        self.code = code
    }
}

/// Typed calls into the ABI 1.2 broker extensions. Each returns nil when the broker does
/// not offer the extension, and throws PluginCallError when the call fails.
extension BrokerPlugin {
    /// tbot.broker.bars: the complete bars of `symbol` starting in [start, end) (UTC ns),
    /// oldest first.
    public func bars(symbol: String, intervalSeconds: UInt32, start: Int64, end: Int64) throws -> [Bar]? {
        guard let table = extensionTable(TBOT_EXT_BROKER_BARS, through: \tbot_broker_bars_t.list_bars),
              let listBars = table.list_bars else { return nil }
        let box = SinkBox<Bar>()
        var sink = tbot_bar_sink_t(size: ABIStruct.size(tbot_bar_sink_t.self),
                                   sink_ctx: Unmanaged.passUnretained(box).toOpaque()) { context, bar in
            guard let context, let bar else { return }
            let raw = ABIStruct.read(UnsafeRawPointer(bar), declaredSize: bar.pointee.size, as: tbot_bar_t.self)
            guard let name = raw.symbol else { return }
            Unmanaged<SinkBox<Bar>>.fromOpaque(context).takeUnretainedValue().items.append(Bar(
                symbol: String(cString: name), startNanoseconds: raw.start_ns, intervalSeconds: raw.interval_seconds,
                open: raw.open, high: raw.high, low: raw.low, close: raw.close, volume: raw.volume))
        }
        try symbol.withCString { name in
            try PluginCallError.check(id, "bars.list_bars") {
                listBars(instance.handle, name, intervalSeconds, start, end, &sink, $0, $1)
            }
        }
        return box.items
    }

    /// tbot.broker.clock: the broker's market clock (the watchdog's heartbeat).
    public func marketClock() throws -> MarketClock? {
        guard let table = extensionTable(TBOT_EXT_BROKER_CLOCK, through: \tbot_broker_clock_t.market_clock),
              let marketClock = table.market_clock else { return nil }
        var raw = tbot_market_clock_t()
        raw.size = ABIStruct.size(tbot_market_clock_t.self)
        try PluginCallError.check(id, "clock.market_clock") { marketClock(instance.handle, &raw, $0, $1) }
        return MarketClock(isOpen: raw.is_open != 0, timestampNanoseconds: raw.timestamp_ns,
                           nextOpenNanoseconds: raw.next_open_ns, nextCloseNanoseconds: raw.next_close_ns)
    }

    /// tbot.broker.assets: whether the account may sell `symbol` short now.
    public func isShortable(_ symbol: String) throws -> Bool? {
        guard let table = extensionTable(TBOT_EXT_BROKER_ASSETS, through: \tbot_broker_assets_t.is_shortable),
              let isShortable = table.is_shortable else { return nil }
        var value: Int32 = 0
        try symbol.withCString { name in
            try PluginCallError.check(id, "assets.is_shortable") { isShortable(instance.handle, name, &value, $0, $1) }
        }
        return value != 0
    }

    /// tbot.broker.faults: ask right after a call failed; nil without the extension.
    public func lastFault() -> BrokerFault? {
        guard let table = extensionTable(TBOT_EXT_BROKER_FAULTS, through: \tbot_broker_faults_t.last_fault),
              let lastFault = table.last_fault else { return nil }
        var raw = tbot_fault_t()
        raw.size = ABIStruct.size(tbot_fault_t.self)
        raw.retry_after_ms = -1
        lastFault(instance.handle, &raw)
        return BrokerFault(httpStatus: raw.http_status > 0 ? Int(raw.http_status) : nil, timedOut: raw.timed_out != 0,
                           retryAfterMilliseconds: raw.retry_after_ms >= 0 ? raw.retry_after_ms : nil,
                           code: CStrings.string(fromTuple: raw.code))
    }

    /// The plugin's table for `extensionID` when it declares at least `lastField`.
    private func extensionTable<T, Field>(_ extensionID: String, through lastField: KeyPath<T, Field>) -> T? {
        instance.extensionTable(extensionID).flatMap { ABIStruct.read($0, baseline: ABIStruct.baseline(through: lastField), as: T.self) }
    }
}

import Foundation
import TBotPluginAPI

/// What a filter decided about one intent.
public enum FilterVerdict: Equatable, Sendable {
    case allow(reason: String)
    case block(reason: String)
}

/// Typed calls into a loaded filter plugin.
public final class FilterPlugin {
    public let instance: PluginInstance
    private let api: tbot_filter_api_t
    /// ABI 1.1: the filter wants every bar (indicator state); nil when it judges intents alone.
    private let bars: tbot_filter_bars_t?
    // The bar feed's call (nil without the feed), ready to make on every bar.
    private let handle: UnsafeMutableRawPointer
    private let barsOnBar: BarFunction?
    private let barMessages = PluginMessageBuffer()

    public var id: String { instance.info.id }
    /// True when the filter takes the bar feed (TBOT_EXT_FILTER_BARS).
    public var wantsBars: Bool { bars != nil }

    public init?(_ instance: PluginInstance) {
        guard instance.info.kind == .filter, let table = instance.descriptor.functions,
              let api = try? FunctionTables.filter(table).get() else { return nil }
        self.instance = instance
        self.api = api
        handle = instance.handle
        bars = instance.extensionTable(TBOT_EXT_FILTER_BARS).flatMap {
            ABIStruct.read($0, baseline: ABIStruct.baseline(through: \tbot_filter_bars_t.session_start), as: tbot_filter_bars_t.self)
        }.flatMap { $0.on_bar == nil ? nil : $0 }
        barsOnBar = bars?.on_bar
    }

    /// Delivers one bar to a filter that takes the feed; a no-op for the others.
    public func marketBar(_ bar: Bar) throws {
        guard bars != nil else { return }
        try bar.withABI { try marketBar(abi: $0) }
    }

    /// Delivers a bar already in ABI form (the pipeline's shared slot).
    func marketBar(abi raw: UnsafePointer<tbot_bar_t>) throws {
        guard let barsOnBar else { return }
        let status = barsOnBar(handle, raw, barMessages.prepared(), barMessages.capacity)
        if status != TBOT_OK { try barMessages.raise(instance, "bars.on_bar", status) }
    }

    /// Tells a filter that takes the feed that a session begins (its session_start may be NULL).
    public func sessionStart(_ session: SessionWindow) throws {
        guard let start = bars?.session_start else { return }
        try session.withABI { raw in
            try PluginCallError.check(id, "bars.session_start") { start(instance.handle, raw, $0, $1) }
        }
    }

    /// Throws PluginCallError when the filter itself fails; the caller decides (warn and allow,
    /// unless fatal).
    public func evaluate(_ intent: TradeIntent, lastBar: Bar?, vix: Double?, now: Int64) throws -> FilterVerdict {
        var rawIntent = intent.abiValue
        var verdict: tbot_verdict_t = 0
        var reasonText = ""
        func call(_ barPointer: UnsafePointer<tbot_bar_t>?) throws {
            var context = tbot_market_context_t(size: ABIStruct.size(tbot_market_context_t.self),
                                                now_ns: now, last_bar: barPointer, vix: vix ?? .nan)
            let (status, reason) = CStrings.withMessageBuffer { buffer, cap in
                api.evaluate(instance.handle, &rawIntent, &context, &verdict, buffer, cap)
            }
            reasonText = reason
            guard status == TBOT_OK else {
                throw PluginCallError(pluginID: id, function: "evaluate", status: status, message: reason)
            }
        }
        if let lastBar { try lastBar.withABI { try call($0) } } else { try call(nil) }
        switch verdict {
        case TBOT_VERDICT_ALLOW: return .allow(reason: reasonText)
        case TBOT_VERDICT_BLOCK:
            return .block(reason: reasonText.isEmpty ? "blocked by \(id) without a reason" : reasonText)
        default:
            throw PluginCallError(pluginID: id, function: "evaluate", status: TBOT_ERR_INTERNAL,
                                  message: "verdict \(verdict) is neither ALLOW (1) nor BLOCK (2)")
        }
    }
}

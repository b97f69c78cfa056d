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

    public var id: String { instance.info.id }

    public init?(_ instance: PluginInstance) {
        guard instance.info.kind == .filter, let table = instance.descriptor.functions,
              let api = try? FunctionTables.filter(table).get() else { return nil }
        self.instance = instance
        self.api = api
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

import TBotPluginAPI

/// The four kinds of fault the seed's error handler names. Every broker failure the
/// runtime records carries one, so an operator can tell an outage from a refusal.
public enum FaultClass: String, Sendable, Codable {
    /// Connectivity: timeouts, refused connections, 5xx and 429 answers.
    case network = "NetworkError"
    /// The broker said no: rejections, unknown orders, margin, asset class.
    case broker = "BrokerError"
    /// A plugin or host bug, or a request the plugin calls invalid.
    case logic = "LogicError"
    /// Missing or rejected credentials and other configuration the operator must fix.
    case config = "ConfigError"

    /// Classifies a failed plugin call. Credentials refused (HTTP 401, or 403 outside an
    /// order) are configuration; a transient status is the network's.
    public static func of(_ error: PluginCallError, detail: BrokerFault?) -> FaultClass {
        switch error.status {
        case TBOT_ERR_TRANSIENT:
            return .network
        case TBOT_ERR_FATAL:
            let status = detail?.httpStatus ?? 0
            return status == 401 || status == 403 ? .config : .broker
        case TBOT_ERR_REJECTED, TBOT_ERR_NOT_FOUND:
            return .broker
        default:
            return .logic
        }
    }

    /// Only transient failures are worth another attempt; a retried submit reuses its
    /// client_order_id, which the ABI makes the broker deduplicate.
    public static func isRetryable(_ error: PluginCallError) -> Bool { error.status == TBOT_ERR_TRANSIENT }
}

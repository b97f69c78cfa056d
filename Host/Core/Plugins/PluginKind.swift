import TBotPluginAPI

/// The three kinds of plugin the ABI defines, named as in manifests and the CLI.
public enum PluginKind: String, CaseIterable, Sendable, Codable {
    case strategy
    case filter
    case broker

    init?(abiValue: tbot_kind_t) {
        switch abiValue {
        case TBOT_KIND_STRATEGY: self = .strategy
        case TBOT_KIND_FILTER: self = .filter
        case TBOT_KIND_BROKER: self = .broker
        default: return nil
        }
    }

    var abiValue: tbot_kind_t {
        switch self {
        case .strategy: TBOT_KIND_STRATEGY
        case .filter: TBOT_KIND_FILTER
        case .broker: TBOT_KIND_BROKER
        }
    }
}

/// The ABI version this host was compiled against.
public enum HostABI {
    public static let major = UInt32(TBOT_ABI_VERSION_MAJOR)
    public static let minor = UInt32(TBOT_ABI_VERSION_MINOR)
    public static var text: String { "\(major).\(minor)" }
}

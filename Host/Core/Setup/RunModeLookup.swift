import Foundation

extension LedgerMode {
    /// The configuration key under which plugins read the run mode (ABI 1.2).
    public static let configKey = "TBOT_RUN_MODE"

    /// The host's config lookup as plugins see it: TBOT_RUN_MODE answers this mode, every
    /// other key goes to the config (which never hands out a secret).
    func lookup(_ key: String, config: RuntimeConfig) -> String? {
        key == Self.configKey ? rawValue : config.lookup(key)
    }
}

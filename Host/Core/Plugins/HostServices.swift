import Foundation
import Logging
import TBotPluginAPI

/// What the host offers plugins: its log, its clock and read-only runtime configuration.
/// Shared by every instance of a run.
public final class HostEnvironment {
    public let clock: HostClock
    public let logger: Logger
    /// Returns the value of a runtime configuration key, or nil (unknown key or a secret).
    public let configLookup: (String) -> String?

    public init(clock: HostClock, logger: Logger, configLookup: @escaping (String) -> String?) {
        self.clock = clock
        self.logger = logger
        self.configLookup = configLookup
    }
}

/// The tbot_host_t handed to one plugin instance. Owns the C table at a stable address
/// and the context the C callbacks find through host_ctx; both live as long as the instance.
final class HostServices {
    let pluginID: String
    let environment: HostEnvironment
    let table: UnsafeMutablePointer<tbot_host_t>

    init(pluginID: String, environment: HostEnvironment) {
        self.pluginID = pluginID
        self.environment = environment
        table = .allocate(capacity: 1)
        table.initialize(to: tbot_host_t(
            size: ABIStruct.size(tbot_host_t.self),
            abi_major: HostABI.major,
            abi_minor: HostABI.minor,
            host_ctx: nil,
            log: hostLog,
            now_ns: hostNow,
            config_get: hostConfigGet,
            get_extension: hostGetExtension))
        table.pointee.host_ctx = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        table.deinitialize(count: 1)
        table.deallocate()
    }

    static func from(_ context: UnsafeMutableRawPointer?) -> HostServices {
        Unmanaged<HostServices>.fromOpaque(context!).takeUnretainedValue()
    }
}

private func hostLog(_ context: UnsafeMutableRawPointer?, _ level: tbot_log_level_t, _ message: UnsafePointer<CChar>?) {
    let services = HostServices.from(context)
    let text = message.map { String(cString: $0) } ?? ""
    let swiftLevel: Logger.Level
    switch level {
    case TBOT_LOG_DEBUG: swiftLevel = .debug
    case TBOT_LOG_WARNING: swiftLevel = .warning
    case TBOT_LOG_ERROR: swiftLevel = .error
    default: swiftLevel = .info
    }
    services.environment.logger.log(level: swiftLevel, "\(text)", metadata: ["plugin": "\(services.pluginID)"])
}

private func hostNow(_ context: UnsafeMutableRawPointer?) -> tbot_time_ns_t {
    HostServices.from(context).environment.clock.nowNanoseconds
}

private func hostConfigGet(
    _ context: UnsafeMutableRawPointer?, _ key: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<CChar>?,
    _ capacity: UInt32, _ length: UnsafeMutablePointer<UInt32>?
) -> tbot_status_t {
    guard let key else { return TBOT_ERR_INVALID_ARGUMENT }
    guard let value = HostServices.from(context).environment.configLookup(String(cString: key)) else {
        return TBOT_ERR_NOT_FOUND
    }
    let bytes = Array(value.utf8)
    length?.pointee = UInt32(bytes.count)
    guard let out, bytes.count < Int(capacity) else { return TBOT_ERR_INVALID_ARGUMENT }
    for (index, byte) in bytes.enumerated() { out[index] = CChar(bitPattern: byte) }
    out[bytes.count] = 0
    return TBOT_OK
}

/// No host extensions exist in ABI 1.0; the query is there so later minors can add them.
private func hostGetExtension(_ context: UnsafeMutableRawPointer?, _ id: UnsafePointer<CChar>?) -> UnsafeRawPointer? {
    nil
}

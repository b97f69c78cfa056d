import TBotPluginAPI

/// A plugin function returned a status other than TBOT_OK.
public struct PluginCallError: Error, Equatable, CustomStringConvertible {
    public let pluginID: String
    public let function: String
    public let status: Int32
    public let message: String

    public var statusName: String {
        switch status {
        case TBOT_ERR_INVALID_ARGUMENT: "invalid argument"
        case TBOT_ERR_UNSUPPORTED: "unsupported"
        case TBOT_ERR_NOT_FOUND: "not found"
        case TBOT_ERR_REJECTED: "rejected"
        case TBOT_ERR_TRANSIENT: "transient"
        case TBOT_ERR_INTERNAL: "internal"
        case TBOT_ERR_FATAL: "fatal"
        default: "status \(status)"
        }
    }

    public var isFatal: Bool { status == TBOT_ERR_FATAL }

    public var description: String {
        "\(pluginID).\(function) failed (\(statusName)): \(message.isEmpty ? "no message" : message)"
    }

    /// Runs one plugin call with an error buffer and turns a failure status into this error.
    /// The buffer is on the stack and its text is read only on a failure: this runs for every
    /// bar a strategy or a simulated broker sees.
    static func check(_ pluginID: String, _ function: String,
                      _ call: (UnsafeMutablePointer<CChar>, UInt32) -> tbot_status_t) throws {
        let capacity = CStrings.messageCapacity
        let failure: PluginCallError? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer in
            guard let base = buffer.baseAddress else { return nil }
            base[0] = 0
            let status = call(base, UInt32(capacity))
            guard status != TBOT_OK else { return nil }
            base[capacity - 1] = 0
            return PluginCallError(pluginID: pluginID, function: function, status: status, message: String(cString: base))
        }
        if let failure { throw failure }
    }
}

/// The shape of the per-bar feeds of simulated brokers and filters (tbot_broker_simulation_t
/// and tbot_filter_bars_t on_bar).
typealias BarFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<tbot_bar_t>?, UnsafeMutablePointer<CChar>?,
                                        UInt32) -> tbot_status_t

/// The error buffer of one plugin function called on every bar, allocated once with the
/// wrapper that owns it and reused: no allocation, closure or reference counting per call.
/// One call at a time uses it (the bar feed is single-threaded); the text is read only on
/// a failure, with the same rules as `PluginCallError.check`.
struct PluginMessageBuffer: ~Copyable {
    private let base: UnsafeMutablePointer<CChar>
    let capacity = UInt32(CStrings.messageCapacity)

    init() {
        base = .allocate(capacity: CStrings.messageCapacity)
        base.initialize(repeating: 0, count: CStrings.messageCapacity)
    }

    deinit { base.deallocate() }

    /// The buffer, emptied for the next call.
    @inline(__always)
    func prepared() -> UnsafeMutablePointer<CChar> {
        base[0] = 0
        return base
    }

    /// Throws the error of a call to `instance`'s `function` that returned `status` (not
    /// TBOT_OK). Out of line: the calls' success path stays small.
    @inline(never)
    func raise(_ instance: PluginInstance, _ function: String, _ status: tbot_status_t) throws -> Never {
        base[CStrings.messageCapacity - 1] = 0
        throw PluginCallError(pluginID: instance.info.id, function: function, status: status, message: String(cString: base))
    }
}

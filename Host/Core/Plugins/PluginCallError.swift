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
    static func check(_ pluginID: String, _ function: String,
                      _ call: (UnsafeMutablePointer<CChar>, UInt32) -> tbot_status_t) throws {
        let (status, message) = CStrings.withMessageBuffer(call)
        guard status == TBOT_OK else {
            throw PluginCallError(pluginID: pluginID, function: function, status: status, message: message)
        }
    }
}

import TBotPluginAPI

/// The descriptor's text fields copied into Swift, for listings and reasons.
public struct PluginDescriptorInfo: Equatable, Sendable {
    public let id: String
    public let name: String
    public let version: String
    public let description: String
    public let kind: PluginKind
    public let abiMajor: UInt32
    public let abiMinor: UInt32

    public var abi: String { "\(abiMajor).\(abiMinor)" }
}

struct DescriptorProblem: Error {
    let text: String
}

/// Checks a descriptor before anything in it is called.
enum DescriptorCheck {
    static let baseline = ABIStruct.baseline(through: \tbot_plugin_descriptor_t.functions)

    /// The descriptor copied out of the plugin, and what it says, once every check passed.
    static func validate(_ pointer: UnsafePointer<tbot_plugin_descriptor_t>)
        -> Result<(tbot_plugin_descriptor_t, PluginDescriptorInfo), DescriptorProblem> {
        // The version comes first and is read alone: a struct of another major may differ after it.
        let raw = UnsafeRawPointer(pointer)
        let major = raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
        let minor = raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
        let abi = "\(major).\(minor)"
        if major != HostABI.major {
            return .failure(.init(text: "ABI \(abi) is not supported by this host (ABI \(HostABI.text)): major version differs"))
        }
        if minor > HostABI.minor {
            return .failure(.init(text: "ABI \(abi) is newer than this host's ABI \(HostABI.text)"))
        }
        let size = ABIStruct.declaredSize(raw, offset: 8)
        if Int(size) < baseline {
            return .failure(.init(text: "descriptor size \(size) is smaller than the ABI 1.0 descriptor (\(baseline))"))
        }
        let d = ABIStruct.read(raw, declaredSize: size, as: tbot_plugin_descriptor_t.self)
        guard let kind = PluginKind(abiValue: d.kind) else {
            return .failure(.init(text: "descriptor kind \(d.kind) is not strategy (1), filter (2) or broker (3)"))
        }
        guard let idPointer = d.id else { return .failure(.init(text: "descriptor id is NULL")) }
        let id = String(cString: idPointer)
        guard PluginID.isValid(id) else {
            return .failure(.init(text: "descriptor id '\(id)' is not made of [a-z0-9_]"))
        }
        guard d.create != nil, d.destroy != nil, d.self_check != nil else {
            return .failure(.init(text: "descriptor of '\(id)' lacks create, destroy or self_check"))
        }
        guard let functions = d.functions else {
            return .failure(.init(text: "descriptor of '\(id)' has no \(kind.rawValue) function table"))
        }
        if let problem = FunctionTables.problem(kind: kind, table: functions) {
            return .failure(.init(text: "\(kind.rawValue) table of '\(id)': \(problem)"))
        }
        return .success((d, PluginDescriptorInfo(
            id: id,
            name: d.name.map { String(cString: $0) } ?? id,
            version: d.version.map { String(cString: $0) } ?? "unknown",
            description: d.description.map { String(cString: $0) } ?? "",
            kind: kind, abiMajor: major, abiMinor: minor)))
    }
}

/// Plugin ids are the join key between files, manifests and the CLI.
public enum PluginID {
    public static func isValid(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }
}

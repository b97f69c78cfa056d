import Foundation

/// Where a plugin stands after a scan.
public enum PluginState: String, Sendable, Codable {
    /// Enabled, created and passed self_check: ready for use.
    case loaded
    /// Enabled (or found) but unusable; `reason` says why.
    case blocked
    /// Its manifest says enabled = false.
    case disabled
    /// A library in the plugins folder with no manifest: disabled until enabled.
    case discovered
}

/// One row of `tbot plugins list`: a manifest, a dropped library, or both.
public struct PluginEntry: Encodable {
    public let id: String
    public let kind: PluginKind?
    /// What the library's descriptor says, when it could be read.
    public let descriptorInfo: PluginDescriptorInfo?
    /// Full path of the library file.
    public let library: String
    public let manifest: String?
    public let enabled: Bool
    public let state: PluginState
    public let reason: String?
    public let instance: PluginInstance?

    public var name: String? { descriptorInfo?.name }
    public var version: String? { descriptorInfo?.version }
    public var abi: String? { descriptorInfo?.abi }
    /// A manifest that exists but could not be parsed (its kind is then unknown).
    public var hasInvalidManifest: Bool { manifest != nil && kind == nil }

    enum CodingKeys: String, CodingKey {
        case id, kind, name, version, abi, library, manifest, enabled, state, reason
    }

    /// Every key is always present (null when unknown), so scripts can rely on the shape.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(kind?.rawValue, forKey: .kind)
        try container.encode(name, forKey: .name)
        try container.encode(version, forKey: .version)
        try container.encode(abi, forKey: .abi)
        try container.encode(library, forKey: .library)
        try container.encode(manifest, forKey: .manifest)
        try container.encode(enabled, forKey: .enabled)
        try container.encode(state, forKey: .state)
        try container.encode(reason, forKey: .reason)
    }
}

import Foundation

/// One configuration key: how it is read, its seed default and what an operator should write.
public struct ConfigKey: Sendable {
    public let name: String
    public let kind: ConfigValueKind
    /// The seed's value (or the host's default for host keys), in normalised spelling.
    public let defaultValue: String
    /// Seed keys are required in a file so a forgotten line never falls back silently.
    public let required: Bool
    /// One line on what the key does, used for `.env_bot.example` and help output.
    public let summary: String

    public init(_ name: String, _ kind: ConfigValueKind, default defaultValue: String, required: Bool = true, summary: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.required = required
        self.summary = summary
    }

    /// The accepted form in words, e.g. "a decimal between 0 and 1, e.g. 0.1".
    public var expectedForm: String { kind.expectedForm(example: defaultValue) }

    /// Shown after a missing key: the default is a hint, not a fallback.
    public var defaultDescription: String { defaultValue.isEmpty ? "empty" : defaultValue }
}

/// All keys the host knows, in the seed's order, followed by the optional host keys.
public enum ConfigSchema {
    public static let keys: [ConfigKey] = generalKeys + riskKeys + routingKeys
        + sessionKeys("OPEN") + sessionKeys("MID") + sessionKeys("CLOSE")
        + reportingKeys + riskEngineKeys + hostKeys + runtimeKeys

    private static let byName: [String: ConfigKey] = Dictionary(uniqueKeysWithValues: keys.map { ($0.name, $0) })

    public static func key(_ name: String) -> ConfigKey? { byName[name] }

    /// The strategy sessions in the seed's order.
    public static let sessions = ConfigValueKind.sessionNames
}

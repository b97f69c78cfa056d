import Foundation

/// Secret values (ENV_BOT_KEY, SMTP_PASS, APCA_API_KEY_ID, APCA_API_SECRET_KEY): the process
/// environment first, then `.env` in the working directory. An empty value counts as unset.
/// Printing a Secrets shows key names only; values leave only through `value(_:)`.
public struct Secrets: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public static let envBotKey = "ENV_BOT_KEY"
    public static let smtpPassword = "SMTP_PASS"
    public static let alpacaKeyID = "APCA_API_KEY_ID"
    public static let alpacaSecretKey = "APCA_API_SECRET_KEY"

    private let environment: [String: String]
    private let dotEnv: [String: String]
    /// The `.env` file read, or nil when there was none.
    public let dotEnvPath: String?

    public init(environment: [String: String], dotEnv: [String: String] = [:], dotEnvPath: String? = nil) {
        self.environment = environment
        self.dotEnv = dotEnv
        self.dotEnvPath = dotEnvPath
    }

    /// Reads `.env` in `workingDirectory` when present; a syntax error there is thrown (file and line, no value).
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws -> Secrets {
        let path = RuntimeConfig.resolve(DotEnv.fileName, environment: environment, workingDirectory: workingDirectory)
        guard let values = try DotEnv.load(path: path) else { return Secrets(environment: environment) }
        return Secrets(environment: environment, dotEnv: values, dotEnvPath: path)
    }

    public func value(_ key: String) -> String? {
        if let value = environment[key], !value.isEmpty { return value }
        if let value = dotEnv[key], !value.isEmpty { return value }
        return nil
    }

    /// Where a key's value comes from, for messages: "the environment", the .env path, or nil.
    public func origin(_ key: String) -> String? {
        if let value = environment[key], !value.isEmpty { return "the environment" }
        if let value = dotEnv[key], !value.isEmpty { return dotEnvPath ?? DotEnv.fileName }
        return nil
    }

    public var description: String {
        let keys = Set(dotEnv.keys).filter { RuntimeConfig.isSecretKey($0) }.sorted()
        return "Secrets(.env: \(dotEnvPath ?? "none"), secret keys in .env: \(keys.joined(separator: ", ")))"
    }

    public var debugDescription: String { description }

    /// dump() and the debugger see no values either.
    public var customMirror: Mirror { Mirror(self, children: ["dotEnvPath": dotEnvPath as Any]) }
}

import Foundation

extension RuntimeConfig {
    public static let defaultsSource = "built-in defaults"
    /// Read when `load` gets no path, before looking for `.env_bot` in the working directory.
    public static let pathVariable = "TBOT_ENV_BOT"
    public static let defaultFileName = ".env_bot"

    /// The seed's values plus the host's defaults. The seed values are a valid configuration;
    /// if they ever stop being one, that is a bug in the schema, caught by the tests.
    public static let defaults: RuntimeConfig = {
        let checked = ConfigValidator.check([], file: defaultsSource, requireAll: false)
        precondition(checked.issues.isEmpty, "built-in config defaults are invalid:\n"
                     + checked.issues.map(\.description).joined(separator: "\n"))
        return RuntimeConfig(source: defaultsSource, values: checked.values, lines: [:], warnings: [])
    }()

    /// Validates a whole file's text: every problem is reported in one ConfigError.
    /// Every required (seed) key must be present; unknown keys become warnings.
    public static func validate(text: String, file: String) -> Result<RuntimeConfig, ConfigError> {
        let parsed = EnvBotParser.parse(text, file: file)
        let checked = ConfigValidator.check(parsed.entries, unreadable: parsed.unreadableKeys, file: file, requireAll: true)
        let issues = sortedByLine(parsed.issues + checked.issues)
        guard issues.isEmpty else { return .failure(ConfigError(file: file, issues: issues)) }
        return .success(RuntimeConfig(source: file, values: checked.values, lines: checked.lines, warnings: checked.warnings))
    }

    /// Loads the configuration the host runs with.
    /// - An explicit `path` (absolute, relative to `workingDirectory`, or `~/...`) must exist.
    /// - No path: `$TBOT_ENV_BOT` if set, else `.env_bot` in `workingDirectory` if present,
    ///   else `.env_bot.enc` there if present, else the built-in defaults.
    /// - A path ending in `.enc` is decrypted in memory with ENV_BOT_KEY (`secrets`, by default
    ///   the environment, then `.env` in `workingDirectory`); no plaintext is written. Issues name
    ///   the `.enc` file and the line of the decrypted text.
    public static func load(
        path: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String = FileManager.default.currentDirectoryPath,
        secrets: Secrets? = nil
    ) throws -> RuntimeConfig {
        let explicit = path ?? environment[pathVariable].flatMap { $0.isEmpty ? nil : $0 }
        let file: String
        if let explicit {
            file = resolve(explicit, environment: environment, workingDirectory: workingDirectory)
        } else {
            let plain = resolve(defaultFileName, environment: environment, workingDirectory: workingDirectory)
            let encrypted = plain + ConfigEncryption.encryptedSuffix
            if FileManager.default.fileExists(atPath: plain) {
                file = plain
            } else if FileManager.default.fileExists(atPath: encrypted) {
                file = encrypted
            } else {
                return defaults
            }
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isFolder) else {
            throw standalone(file, "config file \(file) not found")
        }
        guard !isFolder.boolValue else { throw standalone(file, "config file \(file) is a folder, not a file") }
        guard var data = FileManager.default.contents(atPath: file) else {
            throw standalone(file, "config file \(file) cannot be read")
        }
        if file.hasSuffix(ConfigEncryption.encryptedSuffix) {
            do {
                let keys = try secrets ?? Secrets.load(environment: environment, workingDirectory: workingDirectory)
                data = try ConfigEncryption.open(data, key: try ConfigEncryption.key(from: keys), file: file)
            } catch let error as ConfigEncryptionError {
                throw standalone(file, error.description)
            } catch let error as DotEnvError {
                throw standalone(file, "cannot read the key for \(file): \(error)")
            }
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw standalone(file, "config file \(file) is not UTF-8 text")
        }
        return try load(text: text, file: file)
    }

    /// A config from text already in memory (a decrypted file); `file` is the name issues carry.
    public static func load(text: String, file: String) throws -> RuntimeConfig {
        try validate(text: text, file: file).get()
    }

    private static func standalone(_ file: String, _ message: String) -> ConfigError {
        ConfigError(file: file, issues: [ConfigIssue(file: "", key: nil, line: nil, message: message, expected: nil)])
    }

    static func resolve(_ path: String, environment: [String: String], workingDirectory: String) -> String {
        if path == "~" || path.hasPrefix("~/"), let home = environment["HOME"], !home.isEmpty {
            return home + path.dropFirst()
        }
        if path.hasPrefix("/") { return path }
        return workingDirectory.hasSuffix("/") ? workingDirectory + path : workingDirectory + "/" + path
    }

    private static func sortedByLine(_ issues: [ConfigIssue]) -> [ConfigIssue] {
        issues.enumerated()
            .sorted { ($0.element.line ?? .max, $0.offset) < ($1.element.line ?? .max, $1.offset) }
            .map(\.element)
    }
}

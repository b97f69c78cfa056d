import Foundation

/// The validated runtime configuration: every known key, normalised, plus typed values the host uses.
/// Built only through `load`, `validate` or `defaults`, so every value here has passed the schema.
public struct RuntimeConfig: Sendable {
    public enum LogFormat: String, Sendable {
        case json, csv
    }

    /// The file path, or "built-in defaults".
    public let source: String
    /// Non-fatal findings, e.g. "/x/.env_bot:12: unknown key FOO_BAR (ignored)".
    public let warnings: [String]
    private let values: [String: String]
    private let lines: [String: Int]

    public let testMode: Bool
    public let disableAllTrades: Bool
    public let forcePaperExport: Bool
    public let logFormat: LogFormat
    public let totalAllocation: Decimal
    public let maxTrades: Int
    public let weights: [Decimal]
    public let dailyLossLimit: Decimal
    public let maxRiskPerTrade: Decimal
    public let maxOpenPositions: Int
    public let minPrice: Decimal
    public let maxPrice: Decimal
    public let minVolumeThreshold: Int
    public let fractional: Bool
    public let apiRetryLimit: Int
    public let apiTimeoutSeconds: Int
    public let strategySequence: [String]
    /// nil when STRATEGY_OVERRIDE is empty.
    public let strategyOverride: String?
    /// Lower-case three-letter names in the file's order, e.g. ["mon", "tue"].
    public let tradingDays: [String]
    public let sleepTimeMilliseconds: Int
    public let defenseModeActive: Bool
    public let defenseModeTradeLimitPct: Int
    public let defenseModeTotalAllocation: Decimal
    /// nil when PLUGINS_DIR is empty: use plugins/ next to the manifests folder.
    public let pluginsDir: String?
    public let manifestsDir: String
    public let outputDir: String
    public let backupDir: String
    public let backupRetentionDays: Int
    /// ENTITY_CODE, JURISDICTION_CODE, BROKER_CODE, BOT_ID: the ledger file's name parts.
    public let ledgerIdentity: LedgerIdentity

    init(source: String, values: [String: String], lines: [String: Int], warnings: [String]) {
        self.source = source
        self.values = values
        self.lines = lines
        self.warnings = warnings
        let read = TypedReader(values: values)
        testMode = read.bool("TEST_MODE")
        disableAllTrades = read.bool("DISABLE_ALL_TRADES")
        forcePaperExport = read.bool("FORCE_PAPER_EXPORT")
        logFormat = LogFormat(rawValue: read.text("LOG_FORMAT")) ?? .json
        totalAllocation = read.decimal("TOTAL_ALLOCATION")
        maxTrades = read.int("MAX_TRADES")
        weights = ConfigValueKind.commaItems(read.text("WEIGHTS")).compactMap(ConfigLiterals.decimal)
        dailyLossLimit = read.decimal("DAILY_LOSS_LIMIT")
        maxRiskPerTrade = read.decimal("MAX_RISK_PER_TRADE")
        maxOpenPositions = read.int("MAX_OPEN_POSITIONS")
        minPrice = read.decimal("MIN_PRICE")
        maxPrice = read.decimal("MAX_PRICE")
        minVolumeThreshold = read.int("MIN_VOLUME_THRESHOLD")
        fractional = read.bool("FRACTIONAL")
        apiRetryLimit = read.int("API_RETRY_LIMIT")
        apiTimeoutSeconds = read.int("API_TIMEOUT")
        strategySequence = read.list("STRATEGY_SEQUENCE")
        strategyOverride = read.text("STRATEGY_OVERRIDE").isEmpty ? nil : read.text("STRATEGY_OVERRIDE")
        tradingDays = read.list("TRADING_DAYS")
        sleepTimeMilliseconds = ConfigLiterals.durationMilliseconds(read.text("SLEEP_TIME")) ?? 1000
        defenseModeActive = read.bool("DEFENSE_MODE_ACTIVE")
        defenseModeTradeLimitPct = read.int("DEFENSE_MODE_TRADE_LIMIT_PCT")
        defenseModeTotalAllocation = read.decimal("DEFENSE_MODE_TOTAL_ALLOCATION")
        pluginsDir = read.text("PLUGINS_DIR").isEmpty ? nil : read.text("PLUGINS_DIR")
        manifestsDir = read.text("MANIFESTS_DIR")
        outputDir = read.text("OUTPUT_DIR")
        backupDir = read.text("BACKUP_DIR")
        backupRetentionDays = read.int("BACKUP_RETENTION_DAYS")
        ledgerIdentity = LedgerIdentity(entity: read.text("ENTITY_CODE"), jurisdiction: read.text("JURISDICTION_CODE"),
                                        broker: read.text("BROKER_CODE"), bot: read.text("BOT_ID"))
    }

    /// The normalised value of any known key (secrets never get here: no schema key is one).
    public func string(_ key: String) -> String? { values[key] }

    /// What a plugin may see through the host's config lookup: nil for secrets and unknown keys.
    public func lookup(_ key: String) -> String? {
        Self.isSecretKey(key) ? nil : values[key]
    }

    /// The line a key was set on, for messages from later checks; nil for defaulted keys.
    public func line(_ key: String) -> Int? { lines[key] }

    /// Every known key with its normalised value, in schema order (for `config show`-style output).
    public var allValues: [(key: String, value: String)] {
        ConfigSchema.keys.compactMap { key in values[key.name].map { (key.name, $0) } }
    }

    /// START_TIME_<SESSION> in UTC. `session` is open, mid or close in any letter case;
    /// any other name is a programming error.
    public func startTime(session: String) -> (hour: Int, minute: Int) {
        guard let text = values["START_TIME_\(session.uppercased())"], let time = ConfigLiterals.timeOfDay(text) else {
            preconditionFailure("unknown strategy session \(session); expected one of open, mid, close")
        }
        return time
    }

    /// STRAT_<SESSION>_ENABLED. Same session names as `startTime`.
    public func sessionEnabled(_ session: String) -> Bool {
        guard let text = values["STRAT_\(session.uppercased())_ENABLED"] else {
            preconditionFailure("unknown strategy session \(session); expected one of open, mid, close")
        }
        return text == "true"
    }
}

/// Reads already-validated normalised values; a failure here is a schema bug, not operator input.
private struct TypedReader {
    let values: [String: String]

    func text(_ key: String) -> String {
        guard let value = values[key] else { preconditionFailure("config key \(key) has no validated value") }
        return value
    }

    func bool(_ key: String) -> Bool { text(key) == "true" }

    func int(_ key: String) -> Int {
        guard let value = ConfigLiterals.integer(text(key)) else { preconditionFailure("config key \(key) is not an integer") }
        return value
    }

    func decimal(_ key: String) -> Decimal {
        guard let value = ConfigLiterals.decimal(text(key)) else { preconditionFailure("config key \(key) is not a decimal") }
        return value
    }

    func list(_ key: String) -> [String] {
        text(key).split(separator: ",").map(String.init)
    }
}

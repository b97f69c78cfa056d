import Foundation

// The seed's `.env_bot` keys with the seed's values as defaults, then the host's own optional keys.
extension ConfigSchema {
    static let generalKeys: [ConfigKey] = [
        ConfigKey("VERSION_TAG", .versionTag, default: "v1.0.0",
                  summary: "Release tag of this configuration (must match VERSION.md)"),
        ConfigKey("BUILD_MODE", .choice(["debug", "release"], allowEmpty: false), default: "release",
                  summary: "Internal behaviour and logging verbosity"),
        ConfigKey("DISABLE_ALL_TRADES", .boolean, default: "false",
                  summary: "Master kill switch: when true no entry is sent (exits still close positions)"),
        ConfigKey("TEST_MODE", .boolean, default: "true",
                  summary: "Paper trading APIs and shortened analysis/monitoring windows"),
        ConfigKey("FORCE_PAPER_EXPORT", .boolean, default: "false",
                  summary: "Write all logs and ledgers as paper, regardless of TEST_MODE"),
        ConfigKey("DEBUG_LOG_LEVEL", .choice(["quiet", "info", "verbose"], allowEmpty: false), default: "verbose",
                  summary: "Logging level"),
        ConfigKey("ENABLE_LOGGING", .boolean, default: "true",
                  summary: "Write log files to logs/ and backups/"),
        ConfigKey("LOG_FORMAT", .choice(["json", "csv"], allowEmpty: false), default: "json",
                  summary: "Log output format: json (structured) or csv (flat)"),
    ]

    static let riskKeys: [ConfigKey] = [
        ConfigKey("TRADE_CONFIRMATION_REQUIRED", .boolean, default: "false",
                  summary: "Wait for manual confirmation before sending each trade"),
        ConfigKey("API_RETRY_LIMIT", .integer(min: 0, max: 20, unit: nil), default: "3",
                  summary: "Retries of a failed broker API call"),
        ConfigKey("API_TIMEOUT", .integer(min: 1, max: 600, unit: "seconds"), default: "30",
                  summary: "Seconds before a broker API call times out"),
        ConfigKey("FRACTIONAL", .boolean, default: "true",
                  summary: "Allow fractional shares (the broker must support them)"),
        ConfigKey("TOTAL_ALLOCATION", .decimal(.positiveRatio, unit: "share of broker float"), default: "0.02",
                  summary: "Risk allowed per strategy session at a broker, as a share of its float (0.02 = 2%)"),
        ConfigKey("MAX_TRADES", .integer(min: 1, max: 20, unit: nil), default: "4",
                  summary: "Maximum trades per strategy window; WEIGHTS needs exactly this many entries"),
        ConfigKey("WEIGHTS", .weights, default: "0.4,0.2,0.2,0.2",
                  summary: "Split of TOTAL_ALLOCATION across the session's trades, best-ranked first"),
        ConfigKey("DAILY_LOSS_LIMIT", .decimal(.positiveRatio, unit: "share of broker float"), default: "0.05",
                  summary: "Realized daily loss at a broker, as a share of its float, that halts that broker for the day"),
        ConfigKey("MAX_RISK_PER_TRADE", .decimal(.positiveRatio, unit: "share of account value"), default: "0.025",
                  summary: "Maximum allocation of one trade as a share of the account"),
        ConfigKey("MAX_OPEN_POSITIONS", .integer(min: 1, max: 1000, unit: nil), default: "5",
                  summary: "Cap on simultaneous open positions across all strategies"),
        ConfigKey("MIN_PRICE", .decimal(.positive, unit: "US dollars"), default: "5",
                  summary: "Minimum share price allowed per trade"),
        ConfigKey("MAX_PRICE", .decimal(.positive, unit: "US dollars"), default: "100",
                  summary: "Maximum share price allowed per trade"),
        ConfigKey("MIN_VOLUME_THRESHOLD", .integer(min: 0, max: nil, unit: "shares"), default: "1000000",
                  summary: "Minimum volume filter (ignored when TEST_MODE=true)"),
    ]

    static let routingKeys: [ConfigKey] = [
        ConfigKey("ALPACA_ENABLED", .boolean, default: "true",
                  summary: "Enable the Alpaca broker integration"),
        ConfigKey("IBKR_ENABLED", .boolean, default: "false",
                  summary: "Enable the Interactive Brokers integration"),
        ConfigKey("ALPACA_MODE", .choice(["paper", "live"], allowEmpty: false), default: "paper",
                  summary: "Alpaca account: paper or live"),
        ConfigKey("IBKR_MODE", .choice(["paper", "live"], allowEmpty: false), default: "paper",
                  summary: "IBKR account: paper or live"),
        ConfigKey("STRATEGY_SEQUENCE", .sessions, default: "open,mid,close",
                  summary: "Strategy sessions to run, in order"),
        ConfigKey("STRATEGY_OVERRIDE", .choice(sessions, allowEmpty: true), default: "",
                  summary: "Run only this session instead of STRATEGY_SEQUENCE; empty for the normal order"),
        ConfigKey("TRADING_DAYS", .weekdays, default: "mon,tue,wed,thu,fri",
                  summary: "Days on which trading is allowed (UTC)"),
        ConfigKey("SLEEP_TIME", .duration, default: "1s",
                  summary: "Interval between polling cycles of runtime monitoring"),
    ]

    /// The same eleven keys for each session; the seed names some with a prefix, some with a suffix.
    static func sessionKeys(_ s: String) -> [ConfigKey] {
        let label = s.lowercased()
        let start = ["OPEN": "14:30", "MID": "15:30", "CLOSE": "19:30"][s] ?? ""
        let analysis = ["OPEN": "20", "MID": "10", "CLOSE": "10"][s] ?? ""
        let monitoring = ["OPEN": "30", "MID": "45", "CLOSE": "30"][s] ?? ""
        let short = ["OPEN": "LongPut", "MID": "InverseETF", "CLOSE": "LongPut"][s] ?? ""
        let minutes = ConfigValueKind.integer(min: 1, max: 390, unit: "minutes")
        var keys = [
            ConfigKey("MAX_GAP_PCT_\(s)", .decimal(.unitInterval, unit: nil), default: "0.1",
                      summary: "Maximum gap from open to current price for \(label) candidates (0.1 = 10%)"),
            ConfigKey("MIN_MARKET_CAP_\(s)", .integer(min: 0, max: nil, unit: "US dollars"), default: "2000000000",
                      summary: "Minimum market cap of \(label) candidates"),
            ConfigKey("MAX_MARKET_CAP_\(s)", .integer(min: 0, max: nil, unit: "US dollars"), default: "10000000000",
                      summary: "Maximum market cap of \(label) candidates"),
            ConfigKey("STRAT_\(s)_ENABLED", .boolean, default: "true",
                      summary: "Enable the \(label) strategy session"),
            ConfigKey("START_TIME_\(s)", .timeOfDay, default: start,
                      summary: "UTC start of the \(label) session"),
            ConfigKey("\(s)_ANALYSIS_TIME", minutes, default: analysis,
                      summary: "Minutes of analysis before the \(label) session may signal"),
            ConfigKey("\(s)_BREAKOUT_TIME", minutes, default: "10",
                      summary: "Minutes allowed for the \(label) breakout to happen"),
            ConfigKey("\(s)_MONITORING_TIME", minutes, default: monitoring,
                      summary: "Minutes to manage \(label) positions after entry"),
        ]
        keys += sessionSpecificKeys(s)
        keys.append(ConfigKey("SHORT_TYPE_\(s)", .choice(["disabled", "ShortSell", "LongPut", "InverseETF"], allowEmpty: false),
                              default: short, summary: "How the \(label) session goes short"))
        return keys
    }

    private static func sessionSpecificKeys(_ s: String) -> [ConfigKey] {
        switch s {
        case "OPEN":
            return [ConfigKey("STRAT_OPEN_BUFFER", .decimal(.unitInterval, unit: nil), default: "0.02",
                              summary: "Breakout threshold beyond the opening high/low range (0.02 = 2%)")]
        case "MID":
            return [ConfigKey("STRAT_MID_VWAP_THRESHOLD", .decimal(.unitInterval, unit: nil), default: "0.02",
                              summary: "VWAP deviation required to enter a mid-session trade (0.02 = 2%)")]
        case "CLOSE":
            return [ConfigKey("STRAT_CLOSE_VIX_THRESHOLD", .decimal(DecimalBounds(lower: 0, upper: 200), unit: "VIX level"),
                              default: "15", summary: "Minimum VIX level required to allow a close-session entry")]
        default:
            return []
        }
    }

    static let reportingKeys: [ConfigKey] = [
        ConfigKey("NOTIFY_ON_FILL", .boolean, default: "true",
                  summary: "Send an email alert on trade entry"),
        ConfigKey("NOTIFY_ON_EXIT", .boolean, default: "true",
                  summary: "Send an email alert on trade exit"),
        ConfigKey("LEDGER_EXPORT_MODE", .choice(["auto", "off"], allowEmpty: false), default: "auto",
                  summary: "auto exports the ledger after each trade, off never does"),
        ConfigKey("DEFENSE_MODE_ACTIVE", .boolean, default: "false",
                  summary: "Defense Mode (disaster risk reduction) is on"),
        ConfigKey("DEFENSE_MODE_TRADE_LIMIT_PCT", .integer(min: 0, max: 100, unit: "percent"), default: "66",
                  summary: "Percentage of the normal trade limit allowed in Defense Mode (rounded down)"),
        ConfigKey("DEFENSE_MODE_TOTAL_ALLOCATION", .decimal(.unitInterval, unit: "share of broker float"), default: "0.01",
                  summary: "Maximum session allocation in Defense Mode (0.01 = 1%)"),
    ]

    /// The risk engine's limits that the seed states in prose rather than as `.env_bot` keys
    /// (the Unified Capital Risk Controls, the Disaster Risk Reduction Protocol, the redesign's
    /// risk manager). Optional, with the seed's numbers as defaults; docs/risk.md explains each.
    static let riskEngineKeys: [ConfigKey] = [
        ConfigKey("MAX_CONCURRENT_TRADES_PER_BROKER", .integer(min: 1, max: 100, unit: nil), default: "3", required: false,
                  summary: "Open positions allowed at once at one broker, across all strategies"),
        ConfigKey("CANDIDATE_MULTIPLIER", .integer(min: 1, max: 20, unit: nil), default: "3", required: false,
                  summary: "Ranked pool size is MAX_TRADES times this; lower-ranked candidates are fallbacks"),
        ConfigKey("MAX_POSITION_PCT", .decimal(.positiveRatio, unit: "share of capital"), default: "0.10", required: false,
                  summary: "Largest position value as a share of the account capital (0.10 = 10%)"),
        ConfigKey("MIN_REWARD_RISK", .decimal(DecimalBounds(lower: 0, upper: 100), unit: "reward per unit of risk"), default: "1.5",
                  required: false, summary: "Entries whose target pays less than this many times the stop distance are rejected; 0 turns the rule off"),
        ConfigKey("MAX_SPREAD_PCT", .decimal(.positiveRatio, unit: "share of entry price"), default: "0.015", required: false,
                  summary: "Entries whose bid/ask spread is wider than this share of the entry are rejected before a live order"),
        ConfigKey("MARKET_CHECKS_IN_TEST_MODE", .boolean, default: "false", required: false,
                  summary: "Run the volume and spread checks even when TEST_MODE=true (the seed skips them)"),
        ConfigKey("MAX_PORTFOLIO_HEAT", .decimal(.positiveRatio, unit: "share of capital"), default: "0.03", required: false,
                  summary: "Sum of the open risk of every position, as a share of the account capital, an entry may not push above"),
        ConfigKey("MAX_POSITIONS_PER_SECTOR", .integer(min: 1, max: 100, unit: nil), default: "2", required: false,
                  summary: "Open positions allowed in one sector of the sector map"),
        ConfigKey("SECTOR_MAP_FILE", .path(emptyMeans: "sectors.csv in the manifests folder, when it exists"), default: "", required: false,
                  summary: "CSV file (symbol,sector) naming each symbol's sector"),
        ConfigKey("MAX_CORRELATION", .decimal(.unitInterval, unit: nil), default: "0.7", required: false,
                  summary: "An entry whose daily-return correlation with an open position is above this is rejected"),
        ConfigKey("CORRELATION_LOOKBACK_DAYS", .integer(min: 5, max: 59, unit: "days"), default: "30", required: false,
                  summary: "Days of daily returns the correlation check uses"),
        ConfigKey("CIRCUIT_BREAKER_DAILY_LOSS", .decimal(.positiveRatio, unit: "share of capital"), default: "0.02", required: false,
                  summary: "Realized loss in one UTC day, across all brokers, that blocks every entry until the next day"),
        ConfigKey("BROKER_FLOAT_PCT", .decimal(.positiveRatio, unit: "share of capital"), default: "0.5", required: false,
                  summary: "Share of capital deployed to brokers, split equally among the active ones"),
        ConfigKey("REBALANCE_TRIGGER_PCT", .decimal(.positiveRatio, unit: "share of target float"), default: "0.10", required: false,
                  summary: "A broker float further than this from its target produces a rebalance notification"),
        ConfigKey("INVERSE_ETF_MAP", .symbolMap, default: "SPY:SH,QQQ:SQQQ", required: false,
                  summary: "Underlying:inverse ETF pairs used when SHORT_TYPE is InverseETF"),
        ConfigKey("SHORT_TYPE_DEFAULT", .choice(["disabled", "ShortSell", "LongPut", "InverseETF"], allowEmpty: false),
                  default: "ShortSell", required: false,
                  summary: "How sessions other than open, mid and close (demo, backtest) go short"),
        ConfigKey("DEFENSE_WIN_RATE_FLOOR", .decimal(.unitInterval, unit: nil), default: "0.50", required: false,
                  summary: "Defense Mode starts when the rolling win rate falls below this"),
        ConfigKey("DEFENSE_WIN_RATE_DAYS", .integer(min: 1, max: 365, unit: "days"), default: "30", required: false,
                  summary: "Days of closed trades in the rolling win rate (one month)"),
        ConfigKey("DEFENSE_MIN_TRADES", .integer(min: 1, max: 10000, unit: "trades"), default: "10", required: false,
                  summary: "Closed trades needed before the rolling win rate can start Defense Mode"),
        ConfigKey("DEFENSE_FLOAT_DRAWDOWN", .decimal(.positiveRatio, unit: "share of starting float"), default: "0.15", required: false,
                  summary: "Defense Mode starts when a broker's float is this far below its starting float"),
        ConfigKey("DEFENSE_KILL_SWITCH_LIMIT", .integer(min: 0, max: 100, unit: "firings"), default: "2", required: false,
                  summary: "Defense Mode starts when the kill switch fired more than this many times in the window"),
        ConfigKey("DEFENSE_KILL_SWITCH_WINDOW", .integer(min: 1, max: 365, unit: "trading days"), default: "20", required: false,
                  summary: "Trading days over which kill switch firings are counted"),
        ConfigKey("DEFENSE_EXIT_WIN_RATE", .decimal(.unitInterval, unit: nil), default: "0.55", required: false,
                  summary: "Win rate that must be exceeded to leave Defense Mode"),
        ConfigKey("DEFENSE_EXIT_TRADES", .integer(min: 1, max: 10000, unit: "trades"), default: "60", required: false,
                  summary: "Leave Defense Mode after this many trades since activation with a win rate above DEFENSE_EXIT_WIN_RATE"),
        ConfigKey("DEFENSE_EXIT_SESSIONS", .integer(min: 1, max: 10000, unit: "sessions"), default: "30", required: false,
                  summary: "Or after this many consecutive sessions each above DEFENSE_EXIT_WIN_RATE"),
    ]

    /// Not in the seed: optional, so an operator's seed file still loads unchanged.
    static let hostKeys: [ConfigKey] = [
        ConfigKey("PLUGINS_DIR", .path(emptyMeans: "plugins/ next to the manifests folder"), default: "", required: false,
                  summary: "Folder of plugin libraries (.so)"),
        ConfigKey("MANIFESTS_DIR", .path(emptyMeans: nil), default: "manifests", required: false,
                  summary: "Folder of plugin manifests (TOML)"),
        ConfigKey("OUTPUT_DIR", .path(emptyMeans: nil), default: "output", required: false,
                  summary: "Folder for ledgers, trade histories, summaries and logs"),
        ConfigKey("BACKUP_DIR", .path(emptyMeans: nil), default: "backups", required: false,
                  summary: "Folder for timestamped ledger backups"),
        ConfigKey("BACKUP_RETENTION_DAYS", .integer(min: 1, max: 3650, unit: "days"), default: "30", required: false,
                  summary: "Ledger backups older than this are deleted when a session starts"),
        ConfigKey("ENTITY_CODE", .code, default: "TBOT", required: false,
                  summary: "Ledger identity: the legal entity that owns the account"),
        ConfigKey("JURISDICTION_CODE", .code, default: "US", required: false,
                  summary: "Ledger identity: the jurisdiction the account is held in"),
        ConfigKey("BROKER_CODE", .code, default: "PAPER", required: false,
                  summary: "Ledger identity: the broker the bot trades through"),
        ConfigKey("BOT_ID", .code, default: "001", required: false,
                  summary: "Ledger identity: this bot's id"),
        ConfigKey("VIX_DATA_FILE", .path(emptyMeans: "no VIX series: VIX gates report an error and let entries pass"), default: "",
                  required: false, summary: "Daily VIX bars (any OHLCV format tbot reads); filters see the last close known at each moment"),
    ]

    /// Live runtime keys (broker endpoints, watchdog, notifications). Optional like the host keys;
    /// the Alpaca URLs and the SMTP names are the seed's `.env` names.
    static let runtimeKeys: [ConfigKey] = [
        ConfigKey("ALPACA_PAPER_URL", .url(emptyMeans: nil), default: "https://paper-api.alpaca.markets", required: false,
                  summary: "Alpaca trading API base URL of the paper account"),
        ConfigKey("ALPACA_LIVE_URL", .url(emptyMeans: nil), default: "https://api.alpaca.markets", required: false,
                  summary: "Alpaca trading API base URL of the live account (used only by `tbot run --live`)"),
        ConfigKey("ALPACA_DATA_URL", .url(emptyMeans: nil), default: "https://data.alpaca.markets", required: false,
                  summary: "Alpaca market data API base URL (bars)"),
        ConfigKey("ALPACA_DATA_FEED", .choice(["iex", "sip"], allowEmpty: false), default: "iex", required: false,
                  summary: "Alpaca market data feed for bars: iex (free plans) or sip"),
        ConfigKey("CONTROL_DIR", .path(emptyMeans: nil), default: "control", required: false,
                  summary: "Folder of the operator's control files (control_start.txt, control_stop.txt)"),
        ConfigKey("WATCHDOG_INTERVAL", .integer(min: 1, max: 3600, unit: "seconds"), default: "30", required: false,
                  summary: "Seconds between broker heartbeats during a session"),
        ConfigKey("WATCHDOG_THRESHOLD", .integer(min: 1, max: 3600, unit: "seconds"), default: "120", required: false,
                  summary: "A broker unreachable this long: cancel pending orders, suspend entries and alert"),
        ConfigKey("WATCHDOG_GRACE", .integer(min: 0, max: 86400, unit: "seconds"), default: "300", required: false,
                  summary: "After the threshold, seconds the broker has to come back before a graceful shutdown"),
        ConfigKey("SMTP_HOST", .text, default: "", required: false,
                  summary: "SMTP server for e-mail alerts; empty sends no e-mail"),
        ConfigKey("SMTP_PORT", .integer(min: 1, max: 65535, unit: nil), default: "587", required: false,
                  summary: "SMTP port (465 implicit TLS, 587 STARTTLS, 25 or a test sink plain)"),
        ConfigKey("SMTP_SECURITY", .choice(["starttls", "tls", "none"], allowEmpty: false), default: "starttls", required: false,
                  summary: "SMTP transport security: starttls, tls (implicit) or none (local sinks only)"),
        ConfigKey("SMTP_USER", .text, default: "", required: false,
                  summary: "SMTP login name; the password comes from SMTP_PASS in the environment or .env"),
        ConfigKey("SMTP_FROM", .emails(emptyMeans: "SMTP_USER"), default: "", required: false,
                  summary: "Sender address of alerts"),
        ConfigKey("ALERT_EMAIL", .emails(emptyMeans: "no recipient: alerts are only logged"), default: "", required: false,
                  summary: "Recipients of alerts, comma-separated"),
        ConfigKey("NOTIFY_IN_TEST_MODE", .boolean, default: "false", required: false,
                  summary: "Send e-mail even when TEST_MODE=true (off by default)"),
    ]
}

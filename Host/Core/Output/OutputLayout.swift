import Foundation

/// Every file a run writes, derived from the output folder, the identity and the mode.
/// A layout of one mode names no file of another, so code holding a paper layout cannot
/// reach a live file.
public struct OutputLayout: Equatable, Sendable {
    public let outputDirectory: URL
    public let backupDirectory: URL
    public let identity: LedgerIdentity
    public let mode: LedgerMode

    public init(outputDirectory: URL, backupDirectory: URL, identity: LedgerIdentity, mode: LedgerMode) {
        self.outputDirectory = outputDirectory
        self.backupDirectory = backupDirectory
        self.identity = identity
        self.mode = mode
    }

    /// From the config (OUTPUT_DIR, BACKUP_DIR, identity, TEST_MODE / FORCE_PAPER_EXPORT), relative
    /// paths resolved against `workingDirectory`.
    public init(config: RuntimeConfig, workingDirectory: String, mode: LedgerMode? = nil) {
        let base = URL(fileURLWithPath: workingDirectory, isDirectory: true)
        self.init(outputDirectory: URL(fileURLWithPath: config.outputDir, relativeTo: base).standardizedFileURL,
                  backupDirectory: URL(fileURLWithPath: config.backupDir, relativeTo: base).standardizedFileURL,
                  identity: config.ledgerIdentity, mode: mode ?? config.ledgerMode)
    }

    /// The live ledger keeps the seed's exact name; the others carry their mode.
    public var ledgerFile: URL {
        let suffix = mode == .live ? "" : "_\(mode.rawValue)"
        return outputDirectory.appendingPathComponent("ledgers/\(identity.stem)_ledger\(suffix).db")
    }

    /// Trade history of one session, e.g. `..._BOT_2024-01-02_demo_trade_history_paper.csv`.
    public func tradeHistory(session: String, date: String, extension ext: String) -> URL {
        outputDirectory.appendingPathComponent("trades/\(identity.stem)_\(date)_\(session)_trade_history_\(mode.rawValue).\(ext)")
    }

    public func dailySummary(date: String) -> URL {
        outputDirectory.appendingPathComponent("summaries/\(identity.stem)_\(date)_daily_summary_\(mode.rawValue).json")
    }

    /// A strategy or error log, e.g. `open_paper.log`.
    public func log(_ name: String) -> URL {
        outputDirectory.appendingPathComponent("logs/\(name)_\(mode.rawValue).log")
    }

    /// Backups of this ledger: `backups/{stem}_ledger_{mode}_{UTC stamp}.db`.
    public func backupFile(stamp: String) -> URL {
        backupDirectory.appendingPathComponent("\(identity.stem)_ledger_\(mode.rawValue)_\(stamp).db")
    }

    /// Why the kill switch halted a broker today, e.g. `control/shutdown_flag_paper_broker_paper.json`.
    public func shutdownFlag(broker: String) -> URL {
        outputDirectory.appendingPathComponent("control/shutdown_flag_\(broker)_\(mode.rawValue).json")
    }

    public var backupPrefix: String { "\(identity.stem)_ledger_\(mode.rawValue)_" }
}

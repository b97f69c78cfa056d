/// Whose ledger a file is: ENTITY_CODE, JURISDICTION_CODE, BROKER_CODE and BOT_ID from the
/// config, joined into every output file name so two bots never share a file.
public struct LedgerIdentity: Equatable, Sendable, Codable {
    public let entity: String
    public let jurisdiction: String
    public let broker: String
    public let bot: String

    public init(entity: String, jurisdiction: String, broker: String, bot: String) {
        self.entity = entity
        self.jurisdiction = jurisdiction
        self.broker = broker
        self.bot = bot
    }

    /// `{ENTITY}_{JURISDICTION}_{BROKER}_{BOT_ID}_BOT`, the seed's file name stem.
    public var stem: String { "\(entity)_\(jurisdiction)_\(broker)_\(bot)_BOT" }
}

/// Which books a run writes. Paper and live never share a file; a backtest has its own.
public enum LedgerMode: String, Sendable, Codable, CaseIterable {
    case paper
    case live
    case backtest
}

extension RuntimeConfig {
    /// TEST_MODE=true or FORCE_PAPER_EXPORT=true: everything goes to the paper variants.
    public var ledgerMode: LedgerMode { testMode || forcePaperExport ? .paper : .live }
}

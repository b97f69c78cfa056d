import Foundation

/// What `tbot backtest` was asked to run.
public struct BacktestOptions: Sendable {
    public var strategyID: String
    public var dataPath: String
    /// How the data file is read (symbol, time zone of zoneless times, skip-and-count, range).
    public var read = OHLCVReadOptions()
    /// Starting cash; nil takes the account's total_capital from account.toml.
    public var cash: Money?
    /// `--param NAME=VALUE`: replaces (or adds) a strategy parameter of the manifest.
    public var parameters: [ManifestParameter] = []
    /// Where the backtest's books and reports go.
    public var outputDirectory: String
    public var brokerID = "paper_broker"
    public var fill = FillModel()

    /// The simulated broker's fill settings, passed to it as manifest parameters.
    public struct FillModel: Sendable, Equatable {
        /// "next_open" (default): a market order fills at the next bar's open; "close": at the
        /// close of the bar it was decided on.
        public var price = "next_open"
        public var commissionPerOrder: String?
        public var commissionPerShare: String?
        public var slippageBps: String?

        public init() {}

        var parameters: [ManifestParameter] {
            [ManifestParameter(key: "fill_price", value: price)]
                + [("commission_per_order", commissionPerOrder), ("commission_per_share", commissionPerShare), ("slippage_bps", slippageBps)]
                .compactMap { key, value in value.map { ManifestParameter(key: key, value: $0) } }
        }
    }

    public init(strategyID: String, dataPath: String, outputDirectory: String) {
        self.strategyID = strategyID
        self.dataPath = dataPath
        self.outputDirectory = outputDirectory
    }
}

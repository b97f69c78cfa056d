import Foundation

/// The seed's daily summary: trade counts, win/loss ratio, PnL totals, execution speed, most
/// and least profitable symbols and the strategies triggered, over one UTC day of one mode.
/// A closed trade is a record with a PnL; records with an error_code are counted by code.
public struct DailySummary: Equatable, Sendable {
    public struct SymbolResult: Equatable, Sendable {
        public let ticker: String
        public let pnl: Money
    }

    public struct StrategyResult: Equatable, Sendable {
        public let name: String
        /// Every record of the strategy, closed trades and failed orders alike.
        public let records: Int
        public let closedTrades: Int
        public let netPnL: Money
    }

    public struct ErrorCodeCount: Equatable, Sendable {
        public let code: String
        public let count: Int
    }

    /// Over every record that carries an execution time, rejected orders included.
    public struct ExecutionSpeed: Equatable, Sendable {
        public let samples: Int
        public let meanMilliseconds: Double
        public let medianMilliseconds: Double
        public let maxMilliseconds: Double
    }

    public let date: String
    public let identity: String
    public let mode: LedgerMode
    public let records: Int
    public let closedTrades: Int
    public let wins: Int
    public let losses: Int
    public let breakeven: Int
    /// Record count per error_code, by code.
    public let errorCodes: [ErrorCodeCount]
    public let grossProfit: Money
    public let grossLoss: Money
    public let netPnL: Money
    public let executionSpeed: ExecutionSpeed?
    public let mostProfitable: SymbolResult?
    public let leastProfitable: SymbolResult?
    /// Distinct strategies, by name.
    public let strategies: [StrategyResult]

    /// Fails when a record belongs to another mode or another UTC day.
    public init(records: [TradeRecord], date: String, identity: LedgerIdentity, mode: LedgerMode) throws {
        for record in records {
            if record.mode != mode { throw ReportError.modeMismatch(expected: mode, found: record.mode) }
            let day = Self.utcDate(nanoseconds: record.timeNanoseconds)
            if day != date { throw ReportError.outsideDay(date: date, found: day) }
        }
        self.date = date
        self.identity = identity.stem
        self.mode = mode
        self.records = records.count
        let closed = records.compactMap { record in record.pnl.map { (record, $0) } }
        closedTrades = closed.count
        wins = closed.filter { $0.1 > .zero }.count
        losses = closed.filter { $0.1 < .zero }.count
        breakeven = closed.filter { $0.1 == .zero }.count
        errorCodes = Dictionary(grouping: records.compactMap(\.errorCode), by: { $0 })
            .map { ErrorCodeCount(code: $0.key, count: $0.value.count) }.sorted { $0.code < $1.code }
        grossProfit = closed.map(\.1).filter { $0 > .zero }.reduce(.zero, +)
        grossLoss = closed.map(\.1).filter { $0 < .zero }.reduce(.zero, +)
        netPnL = grossProfit + grossLoss
        executionSpeed = Self.speed(records.compactMap(\.executionMilliseconds).filter(\.isFinite))

        // Ties go to the alphabetically first ticker, so the pick never depends on input order.
        let bySymbol = Dictionary(grouping: closed, by: { $0.0.ticker })
            .map { SymbolResult(ticker: $0.key, pnl: $0.value.map(\.1).reduce(.zero, +)) }
        mostProfitable = bySymbol.min { $0.pnl != $1.pnl ? $0.pnl > $1.pnl : $0.ticker < $1.ticker }
        leastProfitable = bySymbol.min { $0.pnl != $1.pnl ? $0.pnl < $1.pnl : $0.ticker < $1.ticker }
        strategies = Dictionary(grouping: records, by: \.strategyName).map { name, group in
            let results = group.compactMap(\.pnl)
            return StrategyResult(name: name, records: group.count, closedTrades: results.count, netPnL: results.reduce(.zero, +))
        }.sorted { $0.name < $1.name }
    }

    /// Wins per loss, four decimals (half-even); nil without losses.
    public var winLossRatio: String? {
        losses == 0 ? nil : DecimalText.format(Decimal(wins) / Decimal(losses), fractionDigits: 4)
    }

    /// Wins per closed trade, four decimals (half-even); nil without closed trades.
    public var winRate: String? {
        closedTrades == 0 ? nil : DecimalText.format(Decimal(wins) / Decimal(closedTrades), fractionDigits: 4)
    }

    /// `yyyy-MM-dd` of a host timestamp, UTC.
    public static func utcDate(nanoseconds: Int64) -> String {
        String(UTCTimestamp.iso8601(nanoseconds: nanoseconds).prefix(10))
    }

    /// Computes the summary and writes it to the layout's daily summary file.
    @discardableResult
    public static func write(_ records: [TradeRecord], date: String, layout: OutputLayout) throws -> URL {
        try ReportFile.checkName(date, what: "date")
        let summary = try DailySummary(records: records, date: date, identity: layout.identity, mode: layout.mode)
        let url = layout.dailySummary(date: date)
        try ReportFile.writeAtomically(summary.jsonText, to: url)
        return url
    }

    /// Sorted first, so the mean does not depend on the order of the records.
    private static func speed(_ values: [Double]) -> ExecutionSpeed? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        return ExecutionSpeed(samples: sorted.count, meanMilliseconds: sorted.reduce(0, +) / Double(sorted.count),
                              medianMilliseconds: median, maxMilliseconds: sorted[sorted.count - 1])
    }

    /// The file's text: keys in a fixed order, money as exact numbers, ratios as strings.
    public var jsonText: String {
        ReportJSON.object(members).rendered(pretty: true) + "\n"
    }

    private var members: [(String, ReportJSON)] {
        let money = { (value: Money) in ReportJSON.number(ReportText.money(value)) }
        let millis = { (value: Double) in ReportText.milliseconds(value).map(ReportJSON.number) ?? .null }
        let symbol = { (result: SymbolResult?) in
            result.map { ReportJSON.object([("ticker", .string($0.ticker)), ("pnl", money($0.pnl))]) } ?? .null
        }
        return [
            ("date", .string(date)),
            ("identity", .string(identity)),
            ("mode", .string(mode.rawValue)),
            ("trade_counts", .object([
                ("records", .number("\(records)")),
                ("closed_trades", .number("\(closedTrades)")),
                ("wins", .number("\(wins)")),
                ("losses", .number("\(losses)")),
                ("breakeven", .number("\(breakeven)")),
                ("by_error_code", .object(errorCodes.map { ($0.code, .number("\($0.count)")) })),
            ])),
            ("win_loss_ratio", winLossRatio.map(ReportJSON.string) ?? .null),
            ("win_rate", winRate.map(ReportJSON.string) ?? .null),
            ("pnl", .object([("gross_profit", money(grossProfit)), ("gross_loss", money(grossLoss)), ("net", money(netPnL))])),
            ("execution_speed", executionSpeed.map {
                .object([("samples", .number("\($0.samples)")), ("mean_ms", millis($0.meanMilliseconds)),
                         ("median_ms", millis($0.medianMilliseconds)), ("max_ms", millis($0.maxMilliseconds))])
            } ?? .null),
            ("most_profitable_symbol", symbol(mostProfitable)),
            ("least_profitable_symbol", symbol(leastProfitable)),
            ("strategies_triggered", .array(strategies.map {
                .object([("name", .string($0.name)), ("records", .number("\($0.records)")),
                         ("closed_trades", .number("\($0.closedTrades)")), ("net_pnl", money($0.netPnL))])
            })),
        ]
    }
}

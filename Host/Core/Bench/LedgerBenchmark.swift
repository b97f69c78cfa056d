import Foundation

/// `tbot bench ledger`: postings per second into a real SQLite file, in the two ways the
/// host writes: a backtest batches many transactions per commit (synchronous=NORMAL), a live
/// session commits every fill on its own with synchronous=FULL before deciding the next order.
public struct LedgerBenchmark {
    public var batchedTransactions: Int
    public var batchSize: Int
    public var durableTransactions: Int
    public var directory: URL

    public init(batchedTransactions: Int = 200_000, batchSize: Int = 10_000, durableTransactions: Int = 2_000,
                directory: URL = FileManager.default.temporaryDirectory) {
        self.batchedTransactions = batchedTransactions
        self.batchSize = batchSize
        self.durableTransactions = durableTransactions
        self.directory = directory
    }

    public struct Results: Sendable {
        /// Entries (postings) per second; each transaction here has two.
        public let batchedPostingsPerSecond: Double
        public let durablePostingsPerSecond: Double
        public let durableMillisecondsPerCommit: Double
    }

    public func run() throws -> Results {
        let batched = try measure(mode: .backtest, durability: .batch, count: batchedTransactions, perCommit: batchSize)
        let durable = try measure(mode: .paper, durability: .full, count: durableTransactions, perCommit: 1)
        return Results(batchedPostingsPerSecond: Double(batchedTransactions * 2) / batched,
                       durablePostingsPerSecond: Double(durableTransactions * 2) / durable,
                       durableMillisecondsPerCommit: durable * 1000 / Double(durableTransactions))
    }

    /// Seconds to post `count` fill-like transactions, `perCommit` per commit, into a fresh file.
    private func measure(mode: LedgerMode, durability: Ledger.Durability, count: Int, perCommit: Int) throws -> Double {
        let folder = directory.appendingPathComponent("tbot-ledger-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let identity = LedgerIdentity(entity: "BENCH", jurisdiction: "US", broker: "PAPER", bot: "001")
        let ledger = try Ledger(path: folder.appendingPathComponent("bench.db").path, mode: mode, identity: identity, durability: durability)
        try ledger.ensureAccounts(ChartOfAccounts.brokerAccounts("PAPER"))
        let cash = ChartOfAccounts.brokerCash("PAPER"), positions = ChartOfAccounts.brokerPositions("PAPER")
        let start = ABIBenchmark.monotonicNanoseconds()
        var posted = 0
        while posted < count {
            let size = min(perCommit, count - posted)
            let batch = (0..<size).map { index -> NewTransaction in
                let amount = Money(units: Int64(10_000 + (posted + index) % 5_000))
                return NewTransaction(kind: .fill, type: .buy, postedNanoseconds: Int64(posted + index), memo: "bench buy",
                                      audit: TransactionAudit(broker: "paper_broker", strategy: "bench", ticker: "SPY", side: "buy"),
                                      entries: [.debit(positions, amount), .credit(cash, amount)])
            }
            try ledger.post(batch)
            posted += size
        }
        return Double(ABIBenchmark.monotonicNanoseconds() - start) / 1e9
    }
}

import Foundation

/// How WEIGHTS splits a session's allocation across the intents it accepts.
///
/// The rule (docs/risk.md): with n accepted intents out of MAX_TRADES weights, each takes the
/// weight of its own slot; the weights of the unused slots (n+1 ... MAX_TRADES) are shared
/// equally by the accepted slots after the first (by the first alone when n is 1). The shares
/// are then handed out largest first, so the best-ranked intent never gets less than a later
/// one. With the seed's WEIGHTS 0.4,0.2,0.2,0.2 this gives exactly the seed's table:
/// 1 -> 100%; 2 -> 60/40; 3 -> 40/30/30; 4 -> 40/20/20/20.
/// Shares always sum to 1, so the session never uses more than its cap.
public struct SessionWeights: Sendable, Equatable {
    public let weights: [Decimal]

    public init(weights: [Decimal]) { self.weights = weights }

    /// The shares of `count` accepted intents, best-ranked first; empty for a count of 0.
    /// A count above the number of weights is clamped to it (MAX_TRADES bounds every session).
    public func shares(count: Int) -> [Decimal] {
        let n = min(max(count, 0), weights.count)
        guard n > 0 else { return [] }
        var shares = Array(weights.prefix(n))
        let unused = weights.dropFirst(n).reduce(Decimal(0), +)
        if n == 1 {
            shares[0] += unused
        } else {
            let each = unused / Decimal(n - 1)
            for slot in 1..<n { shares[slot] += each }
        }
        shares.sort(by: >)
        // Division by n - 1 may leave a repeating decimal; the first share absorbs the rest so
        // the total is exactly 1.
        let total = shares.reduce(Decimal(0), +)
        shares[0] += weights.reduce(Decimal(0), +) - total
        return shares
    }
}

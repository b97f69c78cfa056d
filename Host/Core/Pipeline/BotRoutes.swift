/// Which bots see a symbol's bars, worked out once per symbol and remembered: bots name
/// their symbols as a set, and hashing the symbol on every bar cost more than the rest of
/// the routing. The symbol of the previous bar is answered with one string compare.
struct BotRoutes {
    private let bots: [PipelineBot]
    private var indicesOf: [String: [Int]] = [:]
    private var last: (symbol: String, indices: [Int])?

    init(bots: [PipelineBot]) {
        self.bots = bots
    }

    /// Positions in `bots` of the bots that want `symbol`, in bot order.
    mutating func indices(for symbol: String) -> [Int] {
        if let last, last.symbol == symbol { return last.indices }
        let indices: [Int]
        if let known = indicesOf[symbol] {
            indices = known
        } else {
            indices = bots.indices.filter { bots[$0].wants(symbol) }
            indicesOf[symbol] = indices
        }
        last = (symbol, indices)
        return indices
    }
}

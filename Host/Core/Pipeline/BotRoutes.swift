/// Which bots see a symbol's bars, worked out once per symbol and remembered: bots name
/// their symbols as a set, and hashing the symbol on every bar cost more than the rest of
/// the routing. The symbol of the previous bar is answered with one string compare, and
/// the answer stays in `selected`, so the bar path copies no array.
struct BotRoutes {
    private let bots: [PipelineBot]
    private var indicesOf: [String: [Int]] = [:]
    private var lastSymbol: String?
    /// Positions in `bots` of the bots that want the symbol last selected, in bot order.
    private(set) var selected: [Int] = []

    init(bots: [PipelineBot]) {
        self.bots = bots
    }

    /// Selects the bots that want `symbol` into `selected`; returns how many there are.
    @inline(__always)
    mutating func select(_ symbol: String) -> Int {
        if lastSymbol != symbol { selectOther(symbol) }
        return selected.count
    }

    @inline(never)
    private mutating func selectOther(_ symbol: String) {
        if let known = indicesOf[symbol] {
            selected = known
        } else {
            selected = bots.indices.filter { bots[$0].wants(symbol) }
            indicesOf[symbol] = selected
        }
        lastSymbol = symbol
    }
}

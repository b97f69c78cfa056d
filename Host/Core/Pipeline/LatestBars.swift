/// The latest bar of each symbol, for prices at decision time. Written on every bar, so the
/// bar of the symbol written last is kept inline, outside the array: a write of the same
/// symbol is a string compare and seven stores, with no array access; the array and the
/// dictionary of slots are touched only when the symbol changes.
struct LatestBars {
    private var bars: [Bar] = []
    private var slotOf: [String: Int] = [:]
    /// The bar of the symbol written last; `bars[currentSlot]` is stale while it is here.
    private var current = Bar(symbol: "", startNanoseconds: 0, intervalSeconds: 0, open: 0, high: 0, low: 0, close: 0, volume: 0)
    private var currentSlot = -1

    @inline(__always)
    mutating func update(_ bar: Bar) {
        if currentSlot >= 0, current.symbol == bar.symbol {
            Self.copyValues(of: bar, into: &current)
            return
        }
        switchSymbol(to: bar)
    }

    @inline(never)
    private mutating func switchSymbol(to bar: Bar) {
        if currentSlot >= 0 { bars[currentSlot] = current }
        if let slot = slotOf[bar.symbol] {
            currentSlot = slot
        } else {
            currentSlot = bars.count
            slotOf[bar.symbol] = currentSlot
            bars.append(bar)
        }
        current = bar
    }

    /// Everything but the symbol, which is the same: no reference counting on the bar path.
    private static func copyValues(of bar: Bar, into slot: inout Bar) {
        slot.startNanoseconds = bar.startNanoseconds
        slot.intervalSeconds = bar.intervalSeconds
        slot.open = bar.open
        slot.high = bar.high
        slot.low = bar.low
        slot.close = bar.close
        slot.volume = bar.volume
    }

    subscript(symbol: String) -> Bar? {
        if currentSlot >= 0, current.symbol == symbol { return current }
        return slotOf[symbol].map { bars[$0] }
    }
}

/// The latest bar of each symbol, for prices at decision time. Written on every bar, so the
/// write is a string compare against the symbol written last and a store; the dictionary of
/// slots is consulted only when the symbol changes.
struct LatestBars {
    private var bars: [Bar] = []
    private var slotOf: [String: Int] = [:]
    private var lastSlot = -1

    mutating func update(_ bar: Bar) {
        if lastSlot >= 0, bars[lastSlot].symbol == bar.symbol {
            Self.copyValues(of: bar, into: &bars[lastSlot])
            return
        }
        if let slot = slotOf[bar.symbol] {
            bars[slot] = bar
            lastSlot = slot
        } else {
            lastSlot = bars.count
            slotOf[bar.symbol] = lastSlot
            bars.append(bar)
        }
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
        if lastSlot >= 0, bars[lastSlot].symbol == symbol { return bars[lastSlot] }
        return slotOf[symbol].map { bars[$0] }
    }
}

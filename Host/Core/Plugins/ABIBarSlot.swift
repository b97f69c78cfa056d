import TBotPluginAPI

/// The bar being delivered, in ABI form, kept at one address for a whole run: the broker,
/// the filters and the strategies of one bar read the same struct, and each symbol's C
/// string is made once per run instead of once per call. Plugins may read the pointers
/// only during the call they were passed to, so reusing the memory keeps the ABI's rules.
final class ABIBarSlot {
    let pointer: UnsafeMutablePointer<tbot_bar_t>
    /// The C string of every symbol seen (a run sees few), freed with the slot.
    private var symbolText: [String: UnsafeMutablePointer<CChar>] = [:]
    private var lastSymbol = ""

    init() {
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: tbot_bar_t())
        pointer.pointee.size = ABIStruct.size(tbot_bar_t.self)
    }

    deinit {
        for text in symbolText.values { text.deallocate() }
        pointer.deinitialize(count: 1)
        pointer.deallocate()
    }

    /// Writes `bar` into the slot; valid until the next `load`.
    @discardableResult
    @inline(__always)
    func load(_ bar: Bar) -> UnsafePointer<tbot_bar_t> {
        if bar.symbol != lastSymbol || pointer.pointee.symbol == nil { loadSymbol(bar.symbol) }
        pointer.pointee.interval_seconds = bar.intervalSeconds
        pointer.pointee.start_ns = bar.startNanoseconds
        pointer.pointee.open = bar.open
        pointer.pointee.high = bar.high
        pointer.pointee.low = bar.low
        pointer.pointee.close = bar.close
        pointer.pointee.volume = bar.volume
        return UnsafePointer(pointer)
    }

    @inline(never)
    private func loadSymbol(_ symbol: String) {
        pointer.pointee.symbol = UnsafePointer(text(of: symbol))
        pointer.pointee.symbol_id = SymbolNumbers.shared.number(of: symbol)
        lastSymbol = symbol
    }

    private func text(of symbol: String) -> UnsafeMutablePointer<CChar> {
        if let known = symbolText[symbol] { return known }
        let bytes = Array(symbol.utf8CString)
        let text = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        text.initialize(from: bytes, count: bytes.count)
        symbolText[symbol] = text
        return text
    }
}

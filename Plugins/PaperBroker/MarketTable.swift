// The per-symbol market state the simulation updates on every bar: last close, its
// bar's start and volume, and how many orders of the symbol are working. Built for the
// bar path, which runs millions of times a second in a backtest: it lives in manually managed
// memory (no reference counting, no exclusivity checks, no allocation), symbols are
// matched as C strings without building a Swift String, and the slot of the next bar
// is predicted from the order bars arrived in so far (a replay interleaves its
// symbols in a fixed order), so the usual lookup is one short byte comparison.
import TBotPluginAPI

/// What the bar path reads and writes for one symbol.
struct SymbolSlot {
    var close: Double = 0           // 0: no bar seen yet
    var startNs: tbot_time_ns_t = 0
    var volume: Double = 0          // of that bar
    // Quantity the fills of the bar starting volumeUsedStartNs took (max_volume_share).
    var volumeUsed: tbot_qty_t = 0
    var volumeUsedStartNs: tbot_time_ns_t = .min
    var working: Int32 = 0          // working orders of the symbol
    var next: Int32 = 0             // the slot whose bar followed this one's last time
    // A bar with low > triggerLow, high < triggerHigh and start_ns < expiresNs does nothing
    // to the symbol's working orders (the bar path then skips them). Set by
    // PaperBroker.recountWorking from the orders' prices.
    var triggerLow = -Double.infinity
    var triggerHigh = Double.infinity
    var expiresNs = tbot_time_ns_t.max
    // The host's number for the slot's symbol (tbot_bar_t.symbol_id, ABI 1.3) once a bar
    // carried it; 0 before. Process-local, never saved.
    var symbolNumber: UInt32 = 0
}

/// The table's raw storage, reached through one stable pointer.
struct MarketHeader {
    var slots: UnsafeMutablePointer<SymbolSlot>
    var names: UnsafeMutablePointer<CChar>  // capacity * symbolStride bytes, NUL-padded
    var count: Int
    var capacity: Int
    var last: Int                           // slot of the previous bar, -1 before the first
    var buckets: UnsafeMutablePointer<Int32> // open addressing: slot + 1, 0 = empty
    var bucketMask: Int
}

/// Bytes reserved per symbol name: the ABI's inline symbol capacity, NUL included.
let symbolStride = Int(TBOT_SYMBOL_CAP)

/// True when the NUL-terminated `symbol` equals the stored, NUL-padded `name`.
@inline(__always)
private func sameSymbol(_ symbol: UnsafePointer<CChar>, _ name: UnsafePointer<CChar>) -> Bool {
    var i = 0
    while i < symbolStride {
        let byte = symbol[i]
        if byte != name[i] { return false }
        if byte == 0 { return true }
        i += 1
    }
    return false  // longer than any stored name
}

/// FNV-1a over the symbol's bytes (at most symbolStride of them).
@inline(__always)
private func symbolHash(_ symbol: UnsafePointer<CChar>) -> Int {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    var i = 0
    while i < symbolStride {
        let byte = UInt8(bitPattern: symbol[i])
        if byte == 0 { break }
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        i += 1
    }
    return Int(truncatingIfNeeded: hash ^ (hash >> 29))
}

extension UnsafeMutablePointer where Pointee == MarketHeader {
    /// The slot of `symbol` when it is the one whose bar followed the last bar's symbol the
    /// last time (a replay's usual case), else -1. Allocation-free. `number` is the bar's
    /// symbol_id (0: none): when the slot knows its number too, the numbers decide and no
    /// name is compared.
    @inline(__always)
    func predicted(_ symbol: UnsafePointer<CChar>, number: UInt32) -> Int {
        let last = pointee.last
        guard last >= 0 else { return -1 }
        let predicted = Int(pointee.slots[last].next)
        let known = pointee.slots[predicted].symbolNumber
        if number == 0 || known == 0 {
            guard sameSymbol(symbol, pointee.names + predicted * symbolStride) else { return -1 }
            if known == 0 { pointee.slots[predicted].symbolNumber = number }
        } else if known != number {
            return -1
        }
        pointee.last = predicted
        return predicted
    }

    /// The slot of `symbol` by hash, or -1 when the table has none yet. Allocation-free.
    func lookUp(_ symbol: UnsafePointer<CChar>, number: UInt32) -> Int {
        let found = probe(symbol)
        if found >= 0 {
            noteSeen(found)
            if number != 0 { pointee.slots[found].symbolNumber = number }
        }
        return found
    }

    /// Records that `slot`'s bar came now: the prediction for the next lookup.
    @inline(__always)
    func noteSeen(_ slot: Int) {
        let last = pointee.last
        if last >= 0 { pointee.slots[last].next = Int32(truncatingIfNeeded: slot) }
        pointee.last = slot
    }

    private func probe(_ symbol: UnsafePointer<CChar>) -> Int {
        let mask = pointee.bucketMask
        var bucket = symbolHash(symbol) & mask
        while true {
            let entry = Int(pointee.buckets[bucket])
            if entry == 0 { return -1 }
            if sameSymbol(symbol, pointee.names + (entry - 1) * symbolStride) { return entry - 1 }
            bucket = (bucket + 1) & mask
        }
    }
}

/// Owns the header and the Swift-side views (names as Strings) used off the bar path.
final class MarketTable {
    let header: UnsafeMutablePointer<MarketHeader>
    private(set) var symbols: [String] = []  // slot -> symbol
    private var index: [String: Int] = [:]

    init() {
        let capacity = 16, buckets = 64
        header = .allocate(capacity: 1)
        let names = UnsafeMutablePointer<CChar>.allocate(capacity: capacity * symbolStride)
        names.initialize(repeating: 0, count: capacity * symbolStride)
        let bucketTable = UnsafeMutablePointer<Int32>.allocate(capacity: buckets)
        bucketTable.initialize(repeating: 0, count: buckets)
        header.initialize(to: MarketHeader(slots: .allocate(capacity: capacity), names: names, count: 0, capacity: capacity,
                                           last: -1, buckets: bucketTable, bucketMask: buckets - 1))
    }

    deinit {
        header.pointee.slots.deallocate()
        header.pointee.names.deallocate()
        header.pointee.buckets.deallocate()
        header.deallocate()
    }

    var count: Int { header.pointee.count }

    subscript(slot: Int) -> SymbolSlot {
        get { header.pointee.slots[slot] }
        set { header.pointee.slots[slot] = newValue }
    }

    /// The slot of `symbol`, or nil when no bar or order has named it.
    func slot(of symbol: String) -> Int? { index[symbol] }

    /// The last close of `symbol`, or nil before its first bar.
    func close(of symbol: String) -> Double? {
        guard let slot = index[symbol] else { return nil }
        let close = self[slot].close
        return close > 0 ? close : nil
    }

    /// The slot of `symbol`, created (without a price) when it has none. The caller
    /// checked that the symbol fits TBOT_SYMBOL_CAP.
    func slot(creating symbol: String) -> Int {
        if let slot = index[symbol] { return slot }
        precondition(!symbol.isEmpty && symbol.utf8.count < symbolStride, "symbol does not fit a slot")
        if header.pointee.count == header.pointee.capacity { grow() }
        let slot = header.pointee.count
        header.pointee.slots.advanced(by: slot).initialize(to: SymbolSlot(next: Int32(slot)))
        let name = header.pointee.names + slot * symbolStride
        symbol.withCString { tbot_copy_string(name, symbolStride, $0) }
        header.pointee.count = slot + 1
        symbols.append(symbol)
        index[symbol] = slot
        if 2 * (slot + 1) > header.pointee.bucketMask + 1 {
            rebuildBuckets(size: 2 * (header.pointee.bucketMask + 1))
        } else {
            insertBucket(slot)
        }
        return slot
    }

    /// Clears every slot's working count and trigger band.
    func resetWorking() {
        for slot in 0..<count {
            header.pointee.slots[slot].working = 0
            header.pointee.slots[slot].triggerLow = -.infinity
            header.pointee.slots[slot].triggerHigh = .infinity
            header.pointee.slots[slot].expiresNs = .max
        }
    }

    private func grow() {
        let old = header.pointee, capacity = old.capacity * 2
        let slots = UnsafeMutablePointer<SymbolSlot>.allocate(capacity: capacity)
        slots.moveInitialize(from: old.slots, count: old.count)
        let names = UnsafeMutablePointer<CChar>.allocate(capacity: capacity * symbolStride)
        names.initialize(repeating: 0, count: capacity * symbolStride)
        names.update(from: old.names, count: old.count * symbolStride)
        old.slots.deallocate()
        old.names.deallocate()
        header.pointee.slots = slots
        header.pointee.names = names
        header.pointee.capacity = capacity
    }

    private func rebuildBuckets(size: Int) {
        header.pointee.buckets.deallocate()
        let buckets = UnsafeMutablePointer<Int32>.allocate(capacity: size)
        buckets.initialize(repeating: 0, count: size)
        header.pointee.buckets = buckets
        header.pointee.bucketMask = size - 1
        for slot in 0..<count { insertBucket(slot) }
    }

    private func insertBucket(_ slot: Int) {
        let mask = header.pointee.bucketMask
        var bucket = symbolHash(header.pointee.names + slot * symbolStride) & mask
        while header.pointee.buckets[bucket] != 0 { bucket = (bucket + 1) & mask }
        header.pointee.buckets[bucket] = Int32(slot + 1)
    }
}

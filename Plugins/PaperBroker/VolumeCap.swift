// Partial fills (max_volume_share): how much of one bar's volume the account's orders of
// a symbol may take. The allowance is shared by every fill the bar makes, in the order
// they happen (working orders on the bar, then MARKET orders filled at its close), and
// counted in MarketTable's slot so that it needs no lookup of its own.
import Foundation
import TBotPluginAPI

struct VolumeCap {
    /// Share of a bar's volume one symbol's fills may take; 0 = unlimited.
    let share: Decimal

    var isLimited: Bool { share > 0 }

    /// The bar's allowance in quantity units: round-down(volume * share * 1e9), 0 for a
    /// volume that is not a finite positive number. Decimal, so the same bar always gives
    /// the same allowance whatever the platform.
    func allowance(volume: Double) -> tbot_qty_t {
        guard volume.isFinite, volume > 0, let exact = Decimal(string: "\(volume)") else { return 0 }
        var input = exact * share * Decimal(qtyScale)
        var result = Decimal()
        NSDecimalRound(&result, &input, 0, .down)
        return Int64("\(result)") ?? .max  // beyond Int64: more than any order
    }

    /// The piece of `rest` that can fill now, given what the bar's allowance still has.
    /// Whole shares unless the order's quantity is itself fractional.
    func piece(rest: tbot_qty_t, orderQuantity: tbot_qty_t, left: tbot_qty_t) -> tbot_qty_t {
        guard isLimited else { return rest }
        var available = max(0, left)
        if orderQuantity % qtyScale == 0 { available -= available % qtyScale }
        return min(rest, available)
    }
}

extension PaperBroker {
    /// What the bar of `slot` starting at `startNs` with `volume` still lets fill.
    func volumeLeft(slot: Int, startNs: tbot_time_ns_t, volume: Double) -> tbot_qty_t {
        guard volumeCap.isLimited else { return .max }
        let used = market[slot].volumeUsedStartNs == startNs ? market[slot].volumeUsed : 0
        return volumeCap.allowance(volume: volume) - used
    }

    /// Counts a fill of `quantity` against the bar of `slot` starting at `startNs`.
    func useVolume(slot: Int, startNs: tbot_time_ns_t, _ quantity: tbot_qty_t) {
        guard volumeCap.isLimited else { return }
        if market[slot].volumeUsedStartNs != startNs {
            market[slot].volumeUsedStartNs = startNs
            market[slot].volumeUsed = 0
        }
        market[slot].volumeUsed += quantity
    }
}

import Crypto
import Foundation

/// The host's own record of open positions at book value, per symbol, signed (long positive).
/// Every fill goes through it; it says how much of a fill opens or closes, what the closed
/// part cost, and the realized result, so the ledger postings and the trade history agree.
/// Book value excludes fees (they are expenses); fees and slippage of an open trade are
/// carried along so the trade's net P&L includes them.
public struct PositionBook: Sendable {
    public struct Holding: Equatable, Sendable {
        public var quantity: Quantity
        /// Signed: what the position cost (long) or raised (short), less slippage reclassed.
        public var bookValue: Money
        /// Fees and slippage charged to this trade while open, not yet in a realized result.
        public var carriedCosts: Money
        /// Signed value the opening fills actually paid or raised: the entry price's source.
        public var filledValue: Money
        public var tradeUUID: String
        public var strategy: String
        /// The strategy bot whose budget the trade uses ("" outside the budgets).
        public var bot: String = ""
    }

    /// What one fill did to the book.
    public struct Outcome: Equatable, Sendable {
        public let symbol: String
        public let side: TradeSide
        public let value: Money
        public let closedQuantity: Quantity
        public let closedValue: Money
        /// Signed book value removed by the closing part (long positive).
        public let closedBook: Money
        public let openedQuantity: Quantity
        public let openedValue: Money
        /// Proceeds less book of the closed part; nil when nothing closed.
        public let realized: Money?
        /// realized less the closed part's share of fees and slippage.
        public let netResult: Money?
        /// Average price the closed part was actually filled at when opened.
        public let entryPrice: Decimal?
        public let tradeUUID: String
        /// The bot of the trade the closed part belonged to (nil when nothing closed).
        public let closedBot: String?
    }

    public private(set) var holdings: [String: Holding] = [:]
    public private(set) var realized = Money.zero
    public private(set) var fees = Money.zero
    public private(set) var slippage = Money.zero
    public private(set) var wins = 0
    public private(set) var losses = 0
    private let uuidNamespace: String

    /// `uuidNamespace` makes trade UUIDs unique per ledger while staying deterministic.
    public init(uuidNamespace: String) { self.uuidNamespace = uuidNamespace }

    public var roundTrips: Int { wins + losses }

    /// Applies a fill. `strategy` and `bot` name who opened a new trade.
    public mutating func apply(_ fill: BrokerFill, strategy: String, bot: String = "") -> Outcome {
        let side = fill.side ?? .buy
        let signed = side == .buy ? fill.quantity : Quantity(units: -fill.quantity.units)
        var holding = holdings[fill.symbol]
        let value = Money.value(of: fill.quantity, at: fill.price)
        fees = fees + fill.fee

        var closedQuantity = Quantity.zero, closedValue = Money.zero, closedBook = Money.zero
        var realizedPart: Money?, netPart: Money?, entryPrice: Decimal?, closedBot: String?
        if var open = holding, (open.quantity.units > 0) != (signed.units > 0) {
            closedBot = open.bot
            closedQuantity = Quantity(units: min(abs(open.quantity.units), fill.quantity.units))
            closedValue = Money.value(of: closedQuantity, at: fill.price)
            // Closing the whole position (the usual case) takes whole amounts: the same result
            // as the proportional Decimal arithmetic with a share of exactly 1, without it.
            let whole = closedQuantity.units == abs(open.quantity.units)
            let share = whole ? 1 : closedQuantity.decimal / Quantity(units: abs(open.quantity.units)).decimal
            closedBook = whole ? open.bookValue : Money(open.bookValue.decimal * share)
            let carried = whole ? open.carriedCosts : Money(open.carriedCosts.decimal * share)
            // Money over shares: an exact quotient from integers, else Decimal's division.
            let filled = open.filledValue.units
            entryPrice = (filled == .min ? nil : FixedPointDecimal.quotient(abs(filled), digits: 4, by: abs(open.quantity.units), digits: 9))
                ?? abs(open.filledValue.decimal) / Quantity(units: abs(open.quantity.units)).decimal
            let cashEffect = side == .sell ? closedValue : -closedValue
            let result = cashEffect - closedBook
            let feeShare = closedQuantity == fill.quantity ? fill.fee : Money(fill.fee.decimal * closedQuantity.decimal / fill.quantity.decimal)
            realizedPart = result
            netPart = result - carried - feeShare
            realized = realized + result
            if netPart! > .zero { wins += 1 } else { losses += 1 }
            open.quantity = Quantity(units: open.quantity.units + (side == .buy ? closedQuantity.units : -closedQuantity.units))
            open.bookValue = open.bookValue - closedBook
            open.carriedCosts = open.carriedCosts - carried
            open.filledValue = whole ? .zero : open.filledValue - Money(open.filledValue.decimal * share)
            holding = open.quantity == .zero ? nil : open
        }
        let openedQuantity = Quantity(units: fill.quantity.units - closedQuantity.units)
        let openedValue = value - closedValue
        let tradeUUID: String
        if let holding {
            tradeUUID = holding.tradeUUID // still open: the same trade
        } else if openedQuantity > .zero {
            tradeUUID = uuid(for: fill) // a new trade (fresh, or the far side of a flip)
        } else {
            tradeUUID = holdings[fill.symbol]?.tradeUUID ?? uuid(for: fill) // closed in full
        }
        if openedQuantity > .zero {
            var open = holding ?? Holding(quantity: .zero, bookValue: .zero, carriedCosts: .zero, filledValue: .zero,
                                          tradeUUID: tradeUUID, strategy: strategy, bot: bot)
            open.quantity = Quantity(units: open.quantity.units + (side == .buy ? openedQuantity.units : -openedQuantity.units))
            open.bookValue = open.bookValue + (side == .buy ? openedValue : -openedValue)
            open.filledValue = open.filledValue + (side == .buy ? openedValue : -openedValue)
            open.carriedCosts = open.carriedCosts
                + (openedQuantity == fill.quantity ? fill.fee : Money(fill.fee.decimal * openedQuantity.decimal / fill.quantity.decimal))
            holding = open
        }
        holdings[fill.symbol] = holding
        return Outcome(symbol: fill.symbol, side: side, value: value, closedQuantity: closedQuantity, closedValue: closedValue,
                       closedBook: closedBook, openedQuantity: openedQuantity, openedValue: openedValue,
                       realized: realizedPart, netResult: netPart, entryPrice: entryPrice, tradeUUID: tradeUUID,
                       closedBot: closedBot)
    }

    /// Slippage reclassed out of an open position's book (see LedgerPoster).
    public mutating func reclassSlippage(symbol: String, amount: Money) {
        slippage = slippage + amount
        guard var open = holdings[symbol] else { return }
        open.bookValue = open.bookValue - amount
        open.carriedCosts = open.carriedCosts + amount
        holdings[symbol] = open
    }

    /// Slippage on a closing fill: the realized result grows back by it, the cost is the expense.
    public mutating func recordClosingSlippage(_ amount: Money) {
        slippage = slippage + amount
        realized = realized + amount
    }

    /// Buying power held in open positions (book value, either side), per bot.
    public var openBuyingPowerByBot: [String: Money] {
        var result: [String: Money] = [:]
        for holding in holdings.values { result[holding.bot, default: .zero] = result[holding.bot, default: .zero] + Money(units: abs(holding.bookValue.units)) }
        return result
    }

    /// Restores a holding read back from the ledger after a restart.
    public mutating func restore(symbol: String, holding: Holding) { holdings[symbol] = holding }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Deterministic: the same ledger and the same fill give the same id, in a replay too.
    private func uuid(for fill: BrokerFill) -> String {
        var name: [UInt8] = []
        name.reserveCapacity(uuidNamespace.utf8.count + fill.orderID.utf8.count + fill.fillID.utf8.count + 2)
        name.append(contentsOf: uuidNamespace.utf8)
        name.append(UInt8(ascii: "|"))
        name.append(contentsOf: fill.orderID.utf8)
        name.append(UInt8(ascii: "|"))
        name.append(contentsOf: fill.fillID.utf8)
        var bytes = Array(name.withUnsafeBytes { SHA256.hash(data: $0) }.prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80 // RFC 9562 version 8: custom, name-based
        bytes[8] = (bytes[8] & 0x3F) | 0x80 // RFC 4122 variant
        // 8-4-4-4-12 hex digits, lowercase.
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(Self.hexDigits[Int(byte >> 4)])
            text.append(Self.hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

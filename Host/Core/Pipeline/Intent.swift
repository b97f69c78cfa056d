import TBotPluginAPI

public enum TradeSide: String, Sendable, Codable {
    case buy = "BUY"
    case sell = "SELL"

    init?(abiValue: tbot_side_t) {
        switch abiValue {
        case TBOT_SIDE_BUY: self = .buy
        case TBOT_SIDE_SELL: self = .sell
        default: return nil
        }
    }

    var abiValue: tbot_side_t { self == .buy ? TBOT_SIDE_BUY : TBOT_SIDE_SELL }
    public var opposite: TradeSide { self == .buy ? .sell : .buy }
}

public enum IntentAction: String, Sendable, Codable {
    case enter = "ENTER"
    case exit = "EXIT"

    init?(abiValue: tbot_intent_action_t) {
        switch abiValue {
        case TBOT_INTENT_ENTER: self = .enter
        case TBOT_INTENT_EXIT: self = .exit
        default: return nil
        }
    }

    var abiValue: tbot_intent_action_t { self == .enter ? TBOT_INTENT_ENTER : TBOT_INTENT_EXIT }
}

/// A strategy's trade intent as the host keeps it: every field of tbot_intent_t.
public struct TradeIntent: Equatable, Sendable {
    public var strategyID: String
    public var action: IntentAction
    public var side: TradeSide
    public var rank: UInt32
    public var symbol: String
    public var entryPrice: Double
    public var stopPrice: Double
    public var targetPrice: Double
    public var confidence: Double
    public var tag: String
    /// ABI 1.1: the most the host may size the entry to (a fixed-size strategy's size); nil = no cap.
    public var maxQuantity: Quantity?

    public init(strategyID: String, action: IntentAction, side: TradeSide, rank: UInt32, symbol: String,
                entryPrice: Double, stopPrice: Double, targetPrice: Double, confidence: Double, tag: String,
                maxQuantity: Quantity? = nil) {
        self.strategyID = strategyID
        self.action = action
        self.side = side
        self.rank = rank
        self.symbol = symbol
        self.entryPrice = entryPrice
        self.stopPrice = stopPrice
        self.targetPrice = targetPrice
        self.confidence = confidence
        self.tag = tag
        self.maxQuantity = maxQuantity
    }

    /// Checks and copies an intent a plugin emitted; nil with the reason when malformed.
    static func from(_ raw: tbot_intent_t, strategyID: String) -> Result<TradeIntent, IntentRejection> {
        guard let action = IntentAction(abiValue: raw.action) else { return .failure(.init("action \(raw.action) is not ENTER (1) or EXIT (2)")) }
        guard let side = TradeSide(abiValue: raw.side) else { return .failure(.init("side \(raw.side) is not BUY (1) or SELL (2)")) }
        let symbol = CStrings.string(fromTuple: raw.symbol)
        guard Ticker.isValid(symbol) else { return .failure(.init("symbol '\(symbol)' is not a ticker (\(Ticker.rule))")) }
        guard raw.rank >= 1 else { return .failure(.init("rank must be 1 or more")) }
        let prices = [raw.entry_price, raw.stop_price, raw.target_price]
        guard prices.allSatisfy({ $0.isFinite && $0 >= 0 }) else { return .failure(.init("prices must be finite and not negative")) }
        guard raw.confidence.isFinite, (0...1).contains(raw.confidence) else { return .failure(.init("confidence \(raw.confidence) is outside 0...1")) }
        // A 1.0 plugin's intent ends before max_quantity: the reader zero-filled it (no cap).
        guard raw.max_quantity >= 0 else { return .failure(.init("max_quantity \(raw.max_quantity) is negative")) }
        return .success(TradeIntent(
            strategyID: strategyID, action: action, side: side, rank: raw.rank, symbol: symbol,
            entryPrice: raw.entry_price, stopPrice: raw.stop_price, targetPrice: raw.target_price,
            confidence: raw.confidence, tag: CStrings.string(fromTuple: raw.tag),
            maxQuantity: raw.max_quantity > 0 ? Quantity(units: raw.max_quantity) : nil))
    }

    /// The ABI form, for handing an intent to filter plugins.
    var abiValue: tbot_intent_t {
        var raw = tbot_intent_t()
        raw.size = ABIStruct.size(tbot_intent_t.self)
        raw.action = action.abiValue
        raw.side = side.abiValue
        raw.rank = rank
        CStrings.write(symbol, into: &raw.symbol)
        raw.entry_price = entryPrice
        raw.stop_price = stopPrice
        raw.target_price = targetPrice
        raw.confidence = confidence
        CStrings.write(tag, into: &raw.tag)
        raw.max_quantity = maxQuantity?.units ?? 0
        return raw
    }
}

public struct IntentRejection: Error, Equatable {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
}

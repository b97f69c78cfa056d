import TBotPluginAPI

public struct BrokerAccount: Equatable, Sendable {
    public let cash: Money
    public let equity: Money
    public let buyingPower: Money
    public let currency: String
}

public struct BrokerPosition: Equatable, Sendable {
    public let symbol: String
    public let quantity: Quantity
    public let averageEntryPrice: Double
    public let lastPrice: Double
    public let marketValue: Money
}

public enum OrderStatus: String, Sendable {
    case new = "NEW", partiallyFilled = "PARTIALLY_FILLED", filled = "FILLED", canceled = "CANCELED"
    case rejected = "REJECTED", expired = "EXPIRED", pendingCancel = "PENDING_CANCEL", unknown = "UNKNOWN"

    init(abiValue: tbot_order_status_t) {
        switch abiValue {
        case TBOT_ORDER_NEW: self = .new
        case TBOT_ORDER_PARTIALLY_FILLED: self = .partiallyFilled
        case TBOT_ORDER_FILLED: self = .filled
        case TBOT_ORDER_CANCELED: self = .canceled
        case TBOT_ORDER_REJECTED: self = .rejected
        case TBOT_ORDER_EXPIRED: self = .expired
        case TBOT_ORDER_PENDING_CANCEL: self = .pendingCancel
        default: self = .unknown
        }
    }
}

public enum OrderType: Sendable {
    case market
    case limit(price: Double)
    case stop(price: Double)
    case stopLimit(stop: Double, limit: Double)
    /// A stop that follows the best price since submission by `percent` (5 = 5%).
    case trailingStop(percent: Double)

    var abiValue: tbot_order_type_t {
        switch self {
        case .market: TBOT_ORDER_MARKET
        case .limit: TBOT_ORDER_LIMIT
        case .stop: TBOT_ORDER_STOP
        case .stopLimit: TBOT_ORDER_STOP_LIMIT
        case .trailingStop: TBOT_ORDER_TRAILING_STOP
        }
    }

    /// The request's limit_price and stop_price (0 where the type has none).
    var limitAndStopPrices: (limit: Double, stop: Double) {
        switch self {
        case .market, .trailingStop: (0, 0)
        case .limit(let price): (price, 0)
        case .stop(let price): (0, price)
        case .stopLimit(let stop, let limit): (limit, stop)
        }
    }

    /// The request's trail_percent (0 unless a trailing stop).
    var trailPercent: Double {
        if case .trailingStop(let percent) = self { return percent }
        return 0
    }
}

public enum TimeInForce: Sendable {
    case day, goodTillCanceled, immediateOrCancel

    var abiValue: tbot_time_in_force_t {
        switch self {
        case .day: TBOT_TIF_DAY
        case .goodTillCanceled: TBOT_TIF_GTC
        case .immediateOrCancel: TBOT_TIF_IOC
        }
    }
}

/// An order the host sized and wants placed.
public struct OrderRequest: Sendable {
    public let clientOrderID: String
    public let symbol: String
    public let side: TradeSide
    public let type: OrderType
    public let quantity: Quantity
    public let timeInForce: TimeInForce
    /// Bracket legs the broker attaches once the entry fills; nil = none.
    public let takeProfitPrice: Double?
    public let stopLossPrice: Double?

    public init(clientOrderID: String, symbol: String, side: TradeSide, type: OrderType, quantity: Quantity,
                timeInForce: TimeInForce = .day, takeProfitPrice: Double? = nil, stopLossPrice: Double? = nil) {
        self.clientOrderID = clientOrderID
        self.symbol = symbol
        self.side = side
        self.type = type
        self.quantity = quantity
        self.timeInForce = timeInForce
        self.takeProfitPrice = takeProfitPrice
        self.stopLossPrice = stopLossPrice
    }
}

public struct BrokerOrder: Equatable, Sendable {
    public let orderID: String
    public let clientOrderID: String
    public let symbol: String
    public let side: TradeSide?
    public let status: OrderStatus
    public let quantity: Quantity
    public let filledQuantity: Quantity
    public let averageFillPrice: Double
    public let rejectReason: String

    init(_ raw: tbot_order_t) {
        orderID = CStrings.string(fromTuple: raw.order_id)
        clientOrderID = CStrings.string(fromTuple: raw.client_order_id)
        symbol = CStrings.string(fromTuple: raw.symbol)
        side = TradeSide(abiValue: raw.side)
        status = OrderStatus(abiValue: raw.status)
        quantity = Quantity(units: raw.quantity)
        filledQuantity = Quantity(units: raw.filled_quantity)
        averageFillPrice = raw.average_fill_price
        rejectReason = CStrings.string(fromTuple: raw.reject_reason)
    }
}

public struct BrokerFill: Equatable, Sendable {
    public let fillID: String
    public let orderID: String
    public let symbol: String
    public let side: TradeSide?
    public let quantity: Quantity
    public let price: Double
    public let fee: Money
    public let timeNanoseconds: Int64

    init(_ raw: tbot_fill_t) {
        fillID = CStrings.string(fromTuple: raw.fill_id)
        orderID = CStrings.string(fromTuple: raw.order_id)
        symbol = CStrings.string(fromTuple: raw.symbol)
        side = TradeSide(abiValue: raw.side)
        quantity = Quantity(units: raw.quantity)
        price = raw.price
        fee = Money(units: raw.fee)
        timeNanoseconds = raw.time_ns
    }
}

public struct OrderMinimum: Equatable, Sendable {
    public let quantity: Quantity
    public let notional: Money

    public init(quantity: Quantity, notional: Money) {
        self.quantity = quantity
        self.notional = notional
    }
}

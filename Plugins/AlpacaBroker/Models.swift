// The JSON shapes this plugin reads, with only the fields it uses (docs/brokers/alpaca.md).
// Keys are snake_case on the wire (decoded with .convertFromSnakeCase).
import Foundation

/// A decimal value as Alpaca sends it: a JSON string ("187.5"), or a number in a few
/// older fields. Kept as text so that it becomes fixed point without a Double.
struct DecimalText: Decodable {
    let text: String

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            text = string
        } else {
            text = "\(try container.decode(Decimal.self))"
        }
    }
}

/// Alpaca's error body: {"code": 40310000, "message": "insufficient buying power"}.
struct ErrorBody: Decodable {
    let code: DecimalText?
    let message: String?
}

/// GET /v2/account
struct AccountBody: Decodable {
    let status: String?
    let currency: String?
    let cash: DecimalText
    let equity: DecimalText
    let buyingPower: DecimalText
    let tradingBlocked: Bool?
    let accountBlocked: Bool?
}

/// One element of GET /v2/positions
struct PositionBody: Decodable {
    let symbol: String
    let qty: DecimalText
    let side: String?
    let avgEntryPrice: DecimalText
    let currentPrice: DecimalText?
    let marketValue: DecimalText?
}

/// The order object of POST /v2/orders, GET /v2/orders/{id} and
/// GET /v2/orders:by_client_order_id.
struct OrderBody: Decodable {
    let id: String
    let clientOrderId: String?
    let symbol: String?
    let side: String?
    let type: String?
    let status: String
    let qty: DecimalText?
    let filledQty: DecimalText?
    let filledAvgPrice: DecimalText?
    let createdAt: String?
    let submittedAt: String?
    let updatedAt: String?
}

/// One element of GET /v2/account/activities/FILL
struct FillActivityBody: Decodable {
    let id: String
    let activityType: String?
    let orderId: String?
    let symbol: String?
    let side: String?
    let qty: DecimalText
    let price: DecimalText
    let transactionTime: String
}

/// GET /v2/assets/{symbol}
struct AssetBody: Decodable {
    let status: String?
    let tradable: Bool?
    let fractionable: Bool?
    let shortable: Bool?
    let easyToBorrow: Bool?
}

/// GET /v2/clock
struct ClockBody: Decodable {
    let timestamp: String
    let isOpen: Bool
    let nextOpen: String
    let nextClose: String
}

/// GET {data}/v2/stocks/{symbol}/bars. Prices are market data: doubles are fine.
struct BarsPageBody: Decodable {
    struct BarBody: Decodable {
        let t: String
        let o: Double
        let h: Double
        let l: Double
        let c: Double
        let v: Double
    }

    let bars: [BarBody]?
    let nextPageToken: String?
}

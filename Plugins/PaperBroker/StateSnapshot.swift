// The state file: one JSON object, keys sorted, no pretty printing. Money and
// quantities are integers in the ABI's fixed-point units (1/10000 USD, 1e-9 share),
// never doubles; prices are doubles, which JSON carries exactly in their shortest
// round-trip form. `working_orders` (orders still working, with their prices and
// bracket links) was added later: a file without it loads with none, and it is written
// only when some order is working, so an account without working orders saves exactly
// the bytes it always did.
//
// Version 2 adds optional keys only (trailing stops, IOC, partial fills, bar volumes) and
// allows short (negative) positions. A file is written as version 2 only when it holds
// something a version 1 reader would misread (a short position, a working order that is
// partly filled, trailing, IOC or a triggered stop), so that such a reader refuses it;
// everything else is still written as version 1, byte for byte as before. Both load.
import Foundation

struct StateSnapshot: Codable {
    static let currentVersion = 2

    var version: Int
    var cash: Int64
    var lastOrderNumber: Int
    var lastFillNumber: Int
    var positions: [String: PositionRecord]  // by symbol
    var lastBars: [String: LastBarRecord]    // by symbol
    var orders: [OrderRecord]                // in submission order
    var fills: [FillRecord]                  // oldest first
    var clientOrderIds: [String: String]     // client_order_id -> order_id
    var workingOrders: [WorkingRecord]?      // in submission order; nil (absent) when none

    // Explicit keys: a key strategy would also rewrite symbols used as dictionary keys.
    enum CodingKeys: String, CodingKey {
        case version, cash, positions, orders, fills
        case lastOrderNumber = "last_order_number"
        case lastFillNumber = "last_fill_number"
        case lastBars = "last_bars"
        case clientOrderIds = "client_order_ids"
        case workingOrders = "working_orders"
    }
}

/// An order with status NEW: what its OrderRecord does not say.
struct WorkingRecord: Codable {
    var orderId: String
    var limitPrice: Double
    var stopPrice: Double
    var triggered: Bool
    var expiresNs: Int64        // 0 = good till canceled
    var takeProfitPrice: Double // bracket entry; 0 = none
    var stopLossPrice: Double
    var leg: String             // "", "take_profit", "stop_loss"
    var parentOrderId: String   // leg: its entry; "" otherwise
    var siblingOrderId: String  // leg: the other leg; "" when none
    // Version 2, absent when not used:
    var trailPercent: Double?       // TRAILING_STOP
    var waterMark: Double?          // TRAILING_STOP
    var immediateOrCancel: Bool?    // true for IOC

    enum CodingKeys: String, CodingKey {
        case triggered, leg
        case trailPercent = "trail_percent"
        case waterMark = "water_mark"
        case immediateOrCancel = "immediate_or_cancel"
        case orderId = "order_id"
        case limitPrice = "limit_price"
        case stopPrice = "stop_price"
        case expiresNs = "expires_ns"
        case takeProfitPrice = "take_profit_price"
        case stopLossPrice = "stop_loss_price"
        case parentOrderId = "parent_order_id"
        case siblingOrderId = "sibling_order_id"
    }
}

struct PositionRecord: Codable {
    var quantity: Int64
    var averageEntryPrice: Double

    enum CodingKeys: String, CodingKey {
        case quantity
        case averageEntryPrice = "average_entry_price"
    }
}

struct LastBarRecord: Codable {
    var close: Double
    var startNs: Int64
    // Written only with max_volume_share set: the bar's volume and what fills took of it.
    var volume: Double?
    var volumeUsed: Int64?

    enum CodingKeys: String, CodingKey {
        case close, volume
        case startNs = "start_ns"
        case volumeUsed = "volume_used"
    }
}

struct OrderRecord: Codable {
    var orderId: String
    var clientOrderId: String
    var symbol: String
    var side: String    // "buy", "sell"
    var type: String    // "market", "limit", ...
    var status: String  // "new", "filled", "rejected", ...
    var quantity: Int64
    var filledQuantity: Int64
    var averageFillPrice: Double
    var submittedNs: Int64
    var updatedNs: Int64
    var rejectReason: String

    enum CodingKeys: String, CodingKey {
        case symbol, side, type, status, quantity
        case orderId = "order_id"
        case clientOrderId = "client_order_id"
        case filledQuantity = "filled_quantity"
        case averageFillPrice = "average_fill_price"
        case submittedNs = "submitted_ns"
        case updatedNs = "updated_ns"
        case rejectReason = "reject_reason"
    }
}

struct FillRecord: Codable {
    var fillId: String
    var orderId: String
    var symbol: String
    var side: String
    var quantity: Int64
    var price: Double
    var fee: Int64
    var timeNs: Int64

    enum CodingKeys: String, CodingKey {
        case symbol, side, quantity, price, fee
        case fillId = "fill_id"
        case orderId = "order_id"
        case timeNs = "time_ns"
    }
}

extension StateSnapshot {
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// Reads a version 1 or 2 file; the error text says what is wrong and where.
    static func decode(_ data: Data) throws -> StateSnapshot {
        struct VersionOnly: Decodable { let version: Int }
        guard !data.isEmpty else { throw StateFileError(message: "the file is empty") }
        let decoder = JSONDecoder()
        do {
            // The version first, so a newer file is reported as such, not as missing keys.
            let version = try decoder.decode(VersionOnly.self, from: data).version
            guard (1...currentVersion).contains(version) else {
                throw StateFileError(message: "unsupported version \(version) (this paper broker reads versions 1 to \(currentVersion))")
            }
            return try decoder.decode(StateSnapshot.self, from: data)
        } catch let error as DecodingError {
            throw StateFileError(message: describe(error, in: data))
        }
    }
}

/// A one-line account of a decoding failure, with the JSON path it happened at.
private func describe(_ error: DecodingError, in data: Data) -> String {
    func path(_ keys: [CodingKey]) -> String {
        let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return text.hasPrefix(".") ? String(text.dropFirst()) : text
    }
    switch error {
    case .dataCorrupted(let context):
        if context.codingPath.isEmpty {
            if let syntax = syntaxError(in: data) { return "not valid JSON (\(syntax))" }
            // JSONDecoder also reports a number that does not fit its field (1.5 or 1e30
            // for cash) as invalid JSON, without a path.
            return "a number does not fit its field (money, quantities and times are whole numbers within Int64)"
        }
        return "bad value at \(path(context.codingPath)): \(context.debugDescription)"
    case .keyNotFound(let key, let context):
        return "missing key \(path(context.codingPath + [key]))"
    case .typeMismatch(let type, let context):
        return "wrong type at \(path(context.codingPath)): expected \(type)"
    case .valueNotFound(let type, let context):
        return "null at \(path(context.codingPath)): expected \(type)"
    @unknown default:
        return "\(error)"
    }
}

/// Where the JSON syntax breaks, which JSONDecoder does not say but JSONSerialization does
/// ("Unexpected end of file during JSON parse"). Only runs for a file already refused.
private func syntaxError(in data: Data) -> String? {
    do {
        _ = try JSONSerialization.jsonObject(with: data)
        return nil
    } catch {
        guard var text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String else { return nil }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}

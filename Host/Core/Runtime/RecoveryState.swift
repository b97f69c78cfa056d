import Foundation

/// The orders a run left working, kept in OUTPUT_DIR/state/runtime_<mode>.json so a restart
/// after a crash knows them. Recovery rule: a fill of such an order is posted by the ledger
/// reconciliation; an order still open at restart is canceled (its session is over and no
/// strategy owns it any more), and both are reported.
public struct RecoveryState: Codable, Equatable {
    public var workingOrders: [String] = []
    public var session: String?

    enum CodingKeys: String, CodingKey {
        case session
        case workingOrders = "working_orders"
    }

    public init(workingOrders: [String] = [], session: String? = nil) {
        self.workingOrders = workingOrders
        self.session = session
    }

    public static func file(in layout: OutputLayout) -> URL {
        layout.outputDirectory.appendingPathComponent("state/runtime_\(layout.mode.rawValue).json")
    }

    public static func read(_ layout: OutputLayout) -> RecoveryState? {
        guard let data = try? Data(contentsOf: file(in: layout)) else { return nil }
        return try? JSONDecoder().decode(RecoveryState.self, from: data)
    }

    public func write(_ layout: OutputLayout) throws {
        let url = Self.file(in: layout)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: url, options: .atomic)
    }

    /// Applies the rule to the orders a previous run left; returns one report line per order.
    public static func recover(_ layout: OutputLayout, broker: BrokerPlugin) -> [String] {
        guard let state = read(layout), !state.workingOrders.isEmpty else { return [] }
        var lines: [String] = []
        for orderID in state.workingOrders {
            do {
                let order = try broker.order(id: orderID)
                switch order.status {
                case .new, .partiallyFilled, .pendingCancel:
                    try broker.cancel(orderID: orderID)
                    lines.append("recovery: order \(orderID) (\(order.symbol)) was still \(order.status.rawValue) from session \(state.session ?? "-"): canceled by rule")
                default:
                    lines.append("recovery: order \(orderID) (\(order.symbol)) ended \(order.status.rawValue) while the host was down")
                }
            } catch {
                lines.append("recovery: order \(orderID) could not be checked: \(error)")
            }
        }
        try? RecoveryState().write(layout)
        return lines
    }
}

import TBotPluginAPI

/// Verifies that a kind's function table is at least the ABI 1.0 size and has every
/// mandatory function, so the host never calls through a NULL pointer.
enum FunctionTableCheck {
    static func problem(kind: PluginKind, table: UnsafeRawPointer) -> String? {
        switch kind {
        case .strategy:
            let t = table.assumingMemoryBound(to: tbot_strategy_api_t.self).pointee
            if let p = sizeProblem(t.size, MemoryLayout<tbot_strategy_api_t>.size) { return p }
            return missing([("session_start", t.session_start != nil), ("on_bar", t.on_bar != nil),
                            ("session_end", t.session_end != nil)])
        case .filter:
            let t = table.assumingMemoryBound(to: tbot_filter_api_t.self).pointee
            if let p = sizeProblem(t.size, MemoryLayout<tbot_filter_api_t>.size) { return p }
            return missing([("evaluate", t.evaluate != nil)])
        case .broker:
            let t = table.assumingMemoryBound(to: tbot_broker_api_t.self).pointee
            if let p = sizeProblem(t.size, MemoryLayout<tbot_broker_api_t>.size) { return p }
            return missing([
                ("get_account", t.get_account != nil), ("list_positions", t.list_positions != nil),
                ("submit_order", t.submit_order != nil), ("cancel_order", t.cancel_order != nil),
                ("get_order", t.get_order != nil), ("list_fills", t.list_fills != nil),
                ("is_tradable", t.is_tradable != nil), ("supports_fractional", t.supports_fractional != nil),
                ("min_order_size", t.min_order_size != nil),
            ])
        }
    }

    private static func sizeProblem(_ size: UInt32, _ expected: Int) -> String? {
        Int(size) < expected ? "size \(size) is smaller than ABI 1.0's \(expected)" : nil
    }

    private static func missing(_ functions: [(String, Bool)]) -> String? {
        let absent = functions.filter { !$0.1 }.map(\.0)
        return absent.isEmpty ? nil : "missing \(absent.joined(separator: ", "))"
    }
}

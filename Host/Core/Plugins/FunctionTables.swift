import TBotPluginAPI

/// Reads a kind's function table out of the plugin and verifies it holds every ABI 1.0
/// function, so the host never calls through a NULL pointer or reads past the table.
enum FunctionTables {
    static func strategy(_ table: UnsafeRawPointer) -> Result<tbot_strategy_api_t, FunctionTableProblem> {
        guard let t = ABIStruct.read(table, baseline: ABIStruct.baseline(through: \tbot_strategy_api_t.session_end),
                                     as: tbot_strategy_api_t.self) else { return .failure(.tooSmall(declared: ABIStruct.declaredSize(table))) }
        return check(t, [("session_start", t.session_start != nil), ("on_bar", t.on_bar != nil), ("session_end", t.session_end != nil)])
    }

    static func filter(_ table: UnsafeRawPointer) -> Result<tbot_filter_api_t, FunctionTableProblem> {
        guard let t = ABIStruct.read(table, baseline: ABIStruct.baseline(through: \tbot_filter_api_t.evaluate),
                                     as: tbot_filter_api_t.self) else { return .failure(.tooSmall(declared: ABIStruct.declaredSize(table))) }
        return check(t, [("evaluate", t.evaluate != nil)])
    }

    static func broker(_ table: UnsafeRawPointer) -> Result<tbot_broker_api_t, FunctionTableProblem> {
        guard let t = ABIStruct.read(table, baseline: ABIStruct.baseline(through: \tbot_broker_api_t.min_order_size),
                                     as: tbot_broker_api_t.self) else { return .failure(.tooSmall(declared: ABIStruct.declaredSize(table))) }
        return check(t, [
            ("get_account", t.get_account != nil), ("list_positions", t.list_positions != nil),
            ("submit_order", t.submit_order != nil), ("cancel_order", t.cancel_order != nil),
            ("get_order", t.get_order != nil), ("list_fills", t.list_fills != nil),
            ("is_tradable", t.is_tradable != nil), ("supports_fractional", t.supports_fractional != nil),
            ("min_order_size", t.min_order_size != nil),
        ])
    }

    /// The problem with `kind`'s table, or nil when it is usable.
    static func problem(kind: PluginKind, table: UnsafeRawPointer) -> String? {
        let failure: FunctionTableProblem?
        switch kind {
        case .strategy: failure = strategy(table).failure
        case .filter: failure = filter(table).failure
        case .broker: failure = broker(table).failure
        }
        return failure?.description
    }

    private static func check<T>(_ table: T, _ functions: [(String, Bool)]) -> Result<T, FunctionTableProblem> {
        let absent = functions.filter { !$0.1 }.map(\.0)
        return absent.isEmpty ? .success(table) : .failure(.missing(absent))
    }
}

enum FunctionTableProblem: Error, CustomStringConvertible {
    case tooSmall(declared: UInt32)
    case missing([String])

    var description: String {
        switch self {
        case .tooSmall(let declared): return "size \(declared) is smaller than ABI 1.0's table"
        case .missing(let names): return "missing \(names.joined(separator: ", "))"
        }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

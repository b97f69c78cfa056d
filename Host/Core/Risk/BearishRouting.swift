import Foundation

/// Turns an entry intent into the order that expresses it. Long intents pass through. A
/// bearish (SELL) intent follows the session's SHORT_TYPE:
/// - ShortSell: sold short, only at a broker that declares short selling;
/// - InverseETF: the underlying's inverse ETF from INVERSE_ETF_MAP is bought instead, with the
///   intent's stop and target distances mirrored onto the ETF's last price (a stop 1% above
///   the underlying's entry becomes a stop 1% below the ETF's);
/// - LongPut: needs a broker that declares options and an option chain to pick a contract;
///   no chain source exists in this host, so it is rejected with LONG_PUT_UNAVAILABLE;
/// - disabled: dropped with SHORT_DISABLED.
enum BearishRouting {
    struct Rejection: Error {
        let code: RiskCode
        let detail: String
    }

    static func route(_ intent: TradeIntent, entry: Double, type: ShortType, limits: RiskLimits, facts: BrokerFacts,
                      lastPrice: (String) -> Double?) -> Result<RoutedEntry, Rejection> {
        guard intent.side == .sell else {
            return .success(RoutedEntry(symbol: intent.symbol, side: .buy, entry: entry, stop: intent.stopPrice,
                                        target: intent.targetPrice, route: "long"))
        }
        switch type {
        case .disabled:
            return .failure(Rejection(code: .shortDisabled, detail: "bearish intent on \(intent.symbol) dropped: SHORT_TYPE is disabled for this session"))
        case .shortSell:
            guard facts.shortSelling else {
                return .failure(Rejection(code: .shortUnsupported, detail: "SHORT_TYPE is ShortSell but broker \(facts.broker) does not declare short selling"))
            }
            return .success(RoutedEntry(symbol: intent.symbol, side: .sell, entry: entry, stop: intent.stopPrice,
                                        target: intent.targetPrice, route: "ShortSell"))
        case .longPut:
            let why = facts.options ? "no option chain source is configured to choose a put contract"
                                    : "broker \(facts.broker) does not declare options support"
            return .failure(Rejection(code: .longPutUnavailable, detail: "SHORT_TYPE is LongPut for \(intent.symbol) but \(why)"))
        case .inverseETF:
            guard let etf = limits.inverseETF[intent.symbol] else {
                return .failure(Rejection(code: .noInverseETF, detail: "SHORT_TYPE is InverseETF but INVERSE_ETF_MAP has no inverse ETF for \(intent.symbol)"))
            }
            guard let etfPrice = lastPrice(etf), etfPrice > 0, entry > 0 else {
                return .failure(Rejection(code: .noInverseETF, detail: "SHORT_TYPE is InverseETF (\(intent.symbol)->\(etf)) but there is no price of \(etf) yet"))
            }
            // Mirror the distances: the underlying rising by x% is the inverse ETF falling by about x%.
            let underlying = DecimalText.fromPrice(entry)
            let price = DecimalText.fromPrice(etfPrice)
            func mirrored(_ level: Double) -> Double {
                guard level > 0 else { return 0 }
                let move = (DecimalText.fromPrice(level) - underlying) / underlying
                return NSDecimalNumber(decimal: price * (1 - move)).doubleValue
            }
            return .success(RoutedEntry(symbol: etf, side: .buy, entry: etfPrice, stop: mirrored(intent.stopPrice),
                                        target: mirrored(intent.targetPrice), route: "InverseETF \(intent.symbol)->\(etf)"))
        }
    }
}

// The paper broker's instance: its parameters, the account it simulates and how that
// account reaches the state file. The rules live next door (docs/backtesting.md, "Fill
// model"): PaperBroker+Orders.swift (submit, cancel, order lifecycle),
// PaperBroker+Simulation.swift (what a bar does to working orders), PaperBroker+Booking.swift
// (cash, positions, buying power) and VolumeCap.swift (partial fills). With state_file set,
// every change to orders, fills and cash is on disk before the call that made it returns.
import Foundation
import TBotPluginAPI

struct BrokerError: Error {
    let status: tbot_status_t
    let message: String
}

/// Where a MARKET order fills.
enum FillPrice: String {
    case close
    case nextOpen = "next_open"
}

/// One submit_order request, read out of the C struct.
struct OrderTicket {
    var clientOrderId: String
    var symbol: String
    var side: tbot_side_t
    var type: tbot_order_type_t
    var timeInForce: tbot_time_in_force_t = TBOT_TIF_DAY
    var quantity: tbot_qty_t
    var limitPrice: Double = 0
    var stopPrice: Double = 0
    var trailPercent: Double = 0
    var takeProfitPrice: Double = 0
    var stopLossPrice: Double = 0
}

final class PaperBroker {
    let host: UnsafePointer<tbot_host_t>?
    let startingCashText: String
    let commissionText: String
    let commissionPerShareText: String
    let slippageText: String
    let maxVolumeShareText: String
    let startingCash: tbot_money_t
    let commission: tbot_money_t      // per order (per fill), money units
    let commissionPerShare: Decimal   // USD per share
    let slippageBps: Decimal
    let fillPrice: FillPrice
    let fractional: Bool
    let allowShort: Bool
    let volumeCap: VolumeCap          // max_volume_share; unlimited by default
    let stateFile: StateFile?         // nil: the account lives in memory only

    /// Last prices and working-order counts per symbol; `marketHeader` is its storage,
    /// kept here so that the bar path reaches it with one load.
    let market = MarketTable()
    let marketHeader: UnsafeMutablePointer<MarketHeader>
    let buyFactor: Double   // 1 + slippage_bps / 10000
    let sellFactor: Double  // 1 - slippage_bps / 10000

    var state: AccountState

    init(host: UnsafePointer<tbot_host_t>?, params: [(key: String, value: String)]) throws {
        var cashText = "100000", commissionText = "0", fractionalText = "true", stateFileText = ""
        var perShareText = "0", slippageText = "0", fillPriceText = FillPrice.close.rawValue
        var volumeShareText = "0", allowShortText = "false"
        for (key, value) in params {
            switch key {
            case "starting_cash": cashText = value
            case "commission_per_order": commissionText = value
            case "commission_per_share": perShareText = value
            case "slippage_bps": slippageText = value
            case "fill_price": fillPriceText = value
            case "fractional": fractionalText = value
            case "state_file": stateFileText = value
            case "max_volume_share": volumeShareText = value
            case "allow_short": allowShortText = value
            default:
                throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT,
                                  message: "unknown parameter '\(key)' (value '\(value)')")
            }
        }
        func money(_ key: String, _ text: String) throws -> tbot_money_t {
            guard let value = parseMoney(text) else {
                throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT,
                                  message: "invalid value '\(text)' for \(key): expected a decimal")
            }
            return value
        }
        func decimal(_ key: String, _ text: String, _ unit: String) throws -> Decimal {
            guard let value = parseDecimal(text) else {
                throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT,
                                  message: "invalid value '\(text)' for \(key): expected a decimal (\(unit))")
            }
            return value
        }
        func flag(_ key: String, _ text: String) throws -> Bool {
            guard text == "true" || text == "false" else {
                throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT,
                                  message: "invalid value '\(text)' for \(key): expected true or false")
            }
            return text == "true"
        }
        fractional = try flag("fractional", fractionalText)
        guard let fillPrice = FillPrice(rawValue: fillPriceText) else {
            throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT,
                              message: "invalid value '\(fillPriceText)' for fill_price: expected close or next_open")
        }
        self.host = host
        startingCashText = cashText
        self.commissionText = commissionText
        commissionPerShareText = perShareText
        self.slippageText = slippageText
        maxVolumeShareText = volumeShareText
        startingCash = try money("starting_cash", cashText)
        commission = try money("commission_per_order", commissionText)
        commissionPerShare = try decimal("commission_per_share", perShareText, "USD per share")
        slippageBps = try decimal("slippage_bps", slippageText, "basis points")
        volumeCap = VolumeCap(share: try decimal("max_volume_share", volumeShareText, "share of each bar's volume"))
        allowShort = try flag("allow_short", allowShortText)
        self.fillPrice = fillPrice
        // parseDecimal accepted the text, so Double reads it (correctly rounded).
        let bps = Double(slippageText) ?? 0
        buyFactor = 1 + bps / 10_000
        sellFactor = 1 - bps / 10_000
        marketHeader = market.header
        if stateFileText.isEmpty {
            stateFile = nil
            state = AccountState(cash: startingCash)
        } else {
            let file: StateFile
            do { file = try StateFile(parameter: stateFileText) } catch let error as StateFileError {
                throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT, message: error.message)
            }
            stateFile = file
            // A saved account wins over starting_cash; a fresh one is saved with its first order.
            if let (saved, bars) = try Self.load(file) {
                state = saved
                for (symbol, bar) in bars {
                    let slot = market.slot(creating: symbol)
                    market[slot].close = bar.close
                    market[slot].startNs = bar.startNs
                    market[slot].volume = bar.volume
                    market[slot].volumeUsed = bar.volumeUsed
                    market[slot].volumeUsedStartNs = bar.startNs
                }
                for i in state.working.indices {
                    state.working[i].slot = market.slot(creating: stringFromCArray(state.orders[state.working[i].orderIndex].symbol))
                }
                recountWorking()
            } else {
                state = AccountState(cash: startingCash)
            }
        }
    }

    func parameterProblem() -> String? {
        if startingCash <= 0 { return "starting_cash (\(startingCashText)) must be greater than 0" }
        if commission < 0 { return "commission_per_order (\(commissionText)) must not be negative" }
        if commissionPerShare < 0 { return "commission_per_share (\(commissionPerShareText)) must not be negative" }
        if slippageBps < 0 || slippageBps >= 10_000 {
            return "slippage_bps (\(slippageText)) must be at least 0 and below 10000"
        }
        if volumeCap.share < 0 || volumeCap.share > 1 {
            return "max_volume_share (\(maxVolumeShareText)) must be between 0 (unlimited) and 1"
        }
        if let problem = stateFile?.directoryProblem() { return problem }
        return nil
    }

    /// The host clock, or nil when the host offers none.
    func hostNow() -> tbot_time_ns_t? {
        guard let host, let nowNs = host.pointee.now_ns else { return nil }
        return nowNs(host.pointee.host_ctx)
    }

    /// The host clock; the last bar's time if the host offers none.
    func now(_ symbol: String) -> tbot_time_ns_t {
        if let time = hostNow() { return time }
        return market.slot(of: symbol).map { market[$0].startNs } ?? 0
    }

    // MARK: persistence

    /// The account saved in `file` with its last prices, or nil when the file does not
    /// exist yet. A file that cannot be read or parsed fails create: starting over would
    /// lose fills the host reconciles its ledger against.
    private static func load(_ file: StateFile) throws -> (AccountState, [(symbol: String, bar: LastBar)])? {
        do {
            guard let data = try file.contents() else { return nil }
            let snapshot = try StateSnapshot.decode(data)
            return (try AccountState(snapshot), try AccountState.lastBars(snapshot))
        } catch let error as StateFileError {
            throw BrokerError(status: TBOT_ERR_INVALID_ARGUMENT, message: "cannot load state_file \(file.path): \(error.message)")
        }
    }

    /// The state to go back to if the change about to be made cannot be saved. Without a
    /// state_file nothing can fail to save, so no copy is kept (a copy would make the next
    /// mutation duplicate every order and fill).
    func checkpoint() -> AccountState? {
        stateFile == nil ? nil : state
    }

    /// Writes the whole state durably before the calling function returns. When that
    /// fails, the change is undone (unless the file already shows it) and the call
    /// returns FATAL: an account that cannot be saved must stop taking orders.
    func save(undoingTo previous: AccountState?) throws {
        guard let stateFile else { return }
        do {
            try stateFile.replace(with: StateSnapshot(state, market: market, volumes: volumeCap.isLimited).encoded())
        } catch {
            let replaced = (error as? StateWriteError)?.replaced ?? false
            if !replaced, let previous {
                state = previous
                recountWorking()
            }
            let detail = (error as? StateWriteError)?.message ?? "\(error)"
            throw BrokerError(status: TBOT_ERR_FATAL, message: "cannot save state_file \(stateFile.path): \(detail)")
        }
    }

    // MARK: account

    func marketValue(_ symbol: String, _ position: Position) throws -> tbot_money_t {
        let price = market.close(of: symbol) ?? position.averageEntryPrice
        guard let value = fillValue(price: price, qty: position.quantity) else {
            throw BrokerError(status: TBOT_ERR_INTERNAL, message: "value of \(symbol) does not fit in money")
        }
        return value
    }

    func account() throws -> tbot_account_t {
        var equity = state.cash
        for (symbol, position) in state.positions { equity += try marketValue(symbol, position) }
        var out = tbot_account_t()
        out.size = cSize(tbot_account_t.self)
        out.cash = state.cash
        out.equity = equity  // signed: a short's market value is negative
        out.buying_power = max(0, try buyingPower())
        copyCString("USD", into: &out.currency)
        return out
    }

    /// Open positions, sorted by symbol so every run lists them in the same order.
    func positionList() throws -> [tbot_position_t] {
        try state.positions.keys.sorted().map { symbol in
            let position = state.positions[symbol]!
            var out = tbot_position_t()
            out.size = cSize(tbot_position_t.self)
            copyCString(symbol, into: &out.symbol)
            out.quantity = position.quantity
            out.average_entry_price = position.averageEntryPrice
            out.last_price = market.close(of: symbol) ?? position.averageEntryPrice
            out.market_value = try marketValue(symbol, position)
            return out
        }
    }

    // MARK: eligibility

    /// US-style tickers: 1 to 10 characters of A-Z and '.'.
    static func isTradable(_ symbol: String) -> Bool {
        let bytes = symbol.utf8
        return (1...10).contains(bytes.count) && bytes.allSatisfy { ($0 >= 65 && $0 <= 90) || $0 == 46 }
    }

    /// Every tradable symbol can be sold short when allow_short is on; none otherwise.
    func isShortable(_ symbol: String) -> Bool {
        allowShort && Self.isTradable(symbol)
    }

    func minimum() -> tbot_order_minimum_t {
        var out = tbot_order_minimum_t()
        out.size = cSize(tbot_order_minimum_t.self)
        out.min_quantity = fractional ? 1 : qtyScale
        out.min_notional = moneyScale  // 1.00 USD
        return out
    }
}

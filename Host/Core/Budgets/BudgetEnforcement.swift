import Foundation
import GRDB

/// A sized entry the host is about to send, as the budgets see it.
public struct BudgetEntryRequest: Sendable {
    public var bot: String
    public var symbol: String
    public var side: TradeSide
    public var quantity: Quantity
    public var entryPrice: Double
    public var stopPrice: Double
    /// Buying power already held in open positions by this bot and by its whole module.
    public var botOpenBuyingPower: Money
    public var moduleOpenBuyingPower: Money

    public init(bot: String, symbol: String, side: TradeSide, quantity: Quantity, entryPrice: Double, stopPrice: Double,
                botOpenBuyingPower: Money, moduleOpenBuyingPower: Money) {
        self.bot = bot
        self.symbol = symbol
        self.side = side
        self.quantity = quantity
        self.entryPrice = entryPrice
        self.stopPrice = stopPrice
        self.botOpenBuyingPower = botOpenBuyingPower
        self.moduleOpenBuyingPower = moduleOpenBuyingPower
    }

    /// What the position ties up: quantity x entry, through the one price-to-money conversion.
    public var buyingPower: Money { Money.value(of: quantity, at: entryPrice) }

    /// What the trade loses if the stop is hit: quantity x |entry - stop|.
    public var risk: Money {
        // Two short prices subtract exactly; their distance times the quantity is then the
        // integer product Money(quantity, timesUnits:) rounds the way the Decimal one is.
        if let entry = DecimalText.plainDigits(entryPrice), let stop = DecimalText.plainDigits(stopPrice) {
            let scale = max(entry.scale, stop.scale)
            let distance = Int128(entry.units) * FixedPointDecimal.powerOfTen(scale - entry.scale)
                - Int128(stop.units) * FixedPointDecimal.powerOfTen(scale - stop.scale)
            if let money = Money(quantity, timesUnits: Int128(distance.magnitude), scale: scale) { return money }
        }
        return Money(quantity.decimal * abs(DecimalText.fromPrice(entryPrice) - DecimalText.fromPrice(stopPrice)))
    }
}

public enum BudgetVerdict: Equatable, Sendable {
    case allowed(String)
    /// A stable code (BOT_PAUSED, MODULE_BUDGET, ...) and a sentence.
    case rejected(code: String, reason: String)
    /// The bot or module does not autotrade: the order waits in the approval queue.
    case needsApproval(String)
}

extension BudgetBook {
    /// Every entry passes here, before it is sent: pauses, the bot's and the module's available
    /// budget (budget minus buying power held in open positions), and the module's
    /// max_risk_per_trade. Exits never do: a paused bot still closes what it holds.
    public func check(_ request: BudgetEntryRequest, at now: Int64) throws -> BudgetVerdict {
        try refreshIfChanged()
        try liftExpiredPauses(at: now)
        guard let bot = bots[request.bot], !bot.retired, let planned = plan.bot(request.bot) else {
            return .rejected(code: "UNKNOWN_BOT", reason: "bot \(request.bot) is not declared in any enabled strategy manifest")
        }
        let module = modules[bot.module]
        if let account, account.pause.isPaused {
            return .rejected(code: "ACCOUNT_PAUSED", reason: "account \(account.name) is paused: \(account.pause.reason ?? "by the operator")")
        }
        if let module, module.pause.isPaused {
            return .rejected(code: "MODULE_PAUSED", reason: "module \(module.id) is paused: \(module.pause.reason ?? "by the operator")")
        }
        if bot.pause.isPaused {
            return .rejected(code: "BOT_PAUSED", reason: "bot \(bot.id) is paused: \(bot.pause.reason ?? "by the operator")")
        }
        let needed = request.buyingPower
        let botAvailable = budget(bot: bot.id) - request.botOpenBuyingPower
        if needed > botAvailable {
            return .rejected(code: "BOT_BUDGET", reason: "\(request.symbol): buying power \(needed.exactDescription) exceeds bot \(bot.id)'s "
                + "available budget \(botAvailable.exactDescription) (budget \(budget(bot: bot.id).exactDescription) less "
                + "\(request.botOpenBuyingPower.exactDescription) in open positions)")
        }
        let moduleBudget = capital(module: bot.module)
        let moduleAvailable = moduleBudget - request.moduleOpenBuyingPower
        if needed > moduleAvailable {
            return .rejected(code: "MODULE_BUDGET", reason: "\(request.symbol): buying power \(needed.exactDescription) exceeds module "
                + "\(bot.module)'s available budget \(moduleAvailable.exactDescription) (budget \(moduleBudget.exactDescription) less "
                + "\(request.moduleOpenBuyingPower.exactDescription) in open positions)")
        }
        let limit = planned.module.declaration.maxRiskPerTrade
        if request.risk > limit {
            let perShare = abs(DecimalText.fromPrice(request.entryPrice) - DecimalText.fromPrice(request.stopPrice))
            let fitting = perShare > 0 ? Quantity(truncating: limit.decimal / perShare).wholeSharesOnly : .zero
            let reason = "\(request.symbol): risk \(request.risk.exactDescription) exceeds module \(bot.module)'s max_risk_per_trade "
                + "\(limit.exactDescription)"
            // The seed asks the operator rather than silently trading smaller.
            try notify(BudgetEvent(atNanoseconds: now, level: .warning, subject: bot.id, title: "Trade exceeds max_risk_per_trade",
                                   message: "\(reason); at most \(fitting) shares fit. Increase the limit or use a smaller position size."))
            return .rejected(code: "MAX_RISK_PER_TRADE", reason: reason + "; a size of at most \(fitting) shares fits")
        }
        let sentence = "buying power \(needed.exactDescription) of bot \(bot.id) available \(botAvailable.exactDescription) "
            + "and module \(bot.module) available \(moduleAvailable.exactDescription); risk \(request.risk.exactDescription) "
            + "within \(limit.exactDescription)"
        if !planned.bot.autotrade || !planned.module.declaration.autotrade {
            let who = !planned.bot.autotrade ? "bot \(bot.id)" : "module \(bot.module)"
            return .needsApproval("\(who) does not autotrade; \(sentence)")
        }
        return .allowed(sentence)
    }

    /// A daily-loss pause ends at the next UTC day by itself.
    func liftExpiredPauses(at now: Int64) throws {
        // In id order: the events read the same whatever order the dictionary holds them in.
        let expired = modules.values.filter { $0.pause.isPaused && ($0.pausedUntil ?? .max) <= now }.sorted { $0.id < $1.id }
        guard !expired.isEmpty else { return }
        try writeState { db in
            for var module in expired {
                module.pause = .active
                module.pausedUntil = nil
                try statements(db).save(module, at: now)
                try statements(db).insert(BudgetEvent(atNanoseconds: now, level: .info, subject: module.id, title: "Module resumed",
                                                   message: "module \(module.id) resumed: a new UTC day began after its daily loss pause"))
            }
        }
    }

    /// Records a notification; the session's log and any notifier read them back.
    func notify(_ event: BudgetEvent) throws {
        try writeState { db in try statements(db).insert(event) }
    }
}

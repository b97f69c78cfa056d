import Foundation
import TBotCore

/// The text form of `tbot budget show`: the seed's dashboard, with block bars on a terminal
/// and plain `#`/`.` bars otherwise, so logs and pipes stay ASCII.
struct BudgetView {
    let report: BudgetReport
    let terminal: Bool

    func lines() -> [String] {
        let a = report.account
        var lines = ["ACCOUNT \(a.name)  status \(a.status)" + (a.statusReason.map { " (\($0))" } ?? "")]
        lines.append("  NAV \(money(a.nav))  P&L \(signed(a.totalPnl)) (\(a.totalPnlPct)%)  declared capital \(money(a.declaredCapital))")
        lines.append("  \(bar(a.allocatedPct, width: 40))  allocated \(money(a.allocated)) (\(a.allocatedPct)%)  reserve \(money(a.reserve)) (\(a.reservePct)%)")
        lines.append("  buying power used \(money(a.buyingPowerUsed)) / \(money(a.nav)) (\(a.buyingPowerUsedPct)%)  open positions \(a.openPositions)"
            + "  pending approvals \(a.pendingApprovals)")
        for module in report.modules {
            lines.append("")
            lines.append("MODULE \(module.id)  status \(module.status)" + (module.statusReason.map { " (\($0))" } ?? "")
                + "  autotrade \(module.autotrade ? "on" : "off")")
            lines.append("  budget \(money(module.budget))  capital \(money(module.capital))  used \(money(module.used)) (\(module.usedPct)%)  "
                + "available \(money(module.available))")
            lines.append("  \(bar(module.usedPct, width: 20))  P&L \(signed(module.pnl)) (\(module.pnlPct)% on budget)  positions \(module.positions)  "
                + "trades \(module.trades)  win rate \(module.winRate.map { "\($0)%" } ?? "n/a")")
            lines.append("  limits: max risk per trade \(money(module.maxRiskPerTrade)), daily loss \(money(module.dailyLossLimit))")
            for bot in module.bots {
                lines.append("    BOT \(bot.id) [\(bot.symbols.joined(separator: ","))] \(bot.status)" + (bot.statusReason.map { " (\($0))" } ?? "")
                    + "  \(bot.compounded ? "compounded" : "non-compounded")" + (bot.maxBudgetCap.map { ", cap \(money($0))" } ?? ""))
                lines.append("      budget \(money(bot.currentBudget)) (initial \(money(bot.initialBudget)))  used \(money(bot.used)) (\(bot.usedPct)%)  "
                    + "P&L \(signed(bot.pnl)) (\(bot.pnlPct)%)")
                lines.append("      trades \(bot.trades) (\(bot.wins) won, \(bot.losses) lost)  win rate \(bot.winRate.map { "\($0)%" } ?? "n/a")  "
                    + "max drawdown \(bot.maxDrawdown)%  reinvested \(money(bot.profitReinvested))  withdrawn \(money(bot.profitWithdrawn))  "
                    + "supervisor rejections \(bot.supervisorRejections)")
            }
        }
        lines.append("")
        lines.append("best module \(report.bestModule ?? "n/a")  worst module \(report.worstModule ?? "n/a")")
        lines.append("concentration: " + (report.concentration.isEmpty ? "no open positions"
            : report.concentration.map { "\($0.symbol) \($0.pctOfNav)%" }.joined(separator: ", ")))
        lines.append("ledger: reserve + module and bot budgets " + (report.ledgerBalanced ? "equal" : "DO NOT EQUAL") + " the account capital")
        return lines
    }

    /// A fill bar for a percentage.
    func bar(_ percent: String, width: Int) -> String {
        let value = min(max(Double(percent) ?? 0, 0), 100)
        let filled = Int((value / 100 * Double(width)).rounded())
        let (full, empty) = terminal ? ("\u{2588}", "\u{2591}") : ("#", ".")
        return "[" + String(repeating: full, count: filled) + String(repeating: empty, count: width - filled) + "]"
    }

    /// Exact text shown to the cent with a dollar sign: "$45000.00".
    func money(_ exact: String) -> String {
        guard let amount = Money(text: exact) else { return exact }
        return "$" + amount.description
    }

    func signed(_ exact: String) -> String {
        guard let amount = Money(text: exact) else { return exact }
        return (amount >= .zero ? "+$" : "-$") + Money(units: abs(amount.units)).description
    }
}

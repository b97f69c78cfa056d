import Foundation
import TOMLKit

/// Parses `manifests/account.toml`: the `[account]` table and an optional `[supervisor]`
/// table. Every problem is reported with its line and key, like a plugin manifest's.
public enum AccountManifestParser {
    public static func parse(file: String) -> Result<AccountDeclaration, ManifestError> {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            return .failure(ManifestError(file: file, issues: [ManifestIssue(line: nil, key: nil,
                message: "cannot be read; the account declaration is required (see docs/budgets.md)")]))
        }
        return parse(text: text, file: file)
    }

    public static func parse(text: String, file: String) -> Result<AccountDeclaration, ManifestError> {
        ManifestParser.read(text: text, file: file) { reader, root in reader.readAccount(root: root, file: file) }
    }
}

extension ManifestReader {
    mutating func readAccount(root: TOMLTable, file: String) -> AccountDeclaration? {
        rejectUnknown(TableFields(table: root, path: "", occurrence: 0), allowed: ["account", "supervisor"])
        guard let table = root["account"]?.table else {
            report("account", in: "", "missing; expected an [account] table with name, total_capital, reserve_cash and daily_loss_limit")
            return nil
        }
        let fields = TableFields(table: table, path: "account", occurrence: 0)
        rejectUnknown(fields, allowed: ["name", "total_capital", "reserve_cash", "daily_loss_limit", "max_drawdown",
                                        "close_riskiest_on_emergency", "approval_expiry_minutes", "bot_pause_fraction"])
        let name = requiredString(fields, "name")
        let capital = requiredPositiveMoney(fields, "total_capital")
        let reserve = requiredMoney(fields, "reserve_cash")
        let dailyLoss = requiredPositiveMoney(fields, "daily_loss_limit")
        let drawdown = optionalFraction(fields, "max_drawdown", default: "0.15")
        let closeRiskiest = optionalCount(fields, "close_riskiest_on_emergency", default: 0, range: 0...1000)
        let expiry = optionalCount(fields, "approval_expiry_minutes", default: 60, range: 1...10_080)
        let pauseFraction = optionalFraction(fields, "bot_pause_fraction", default: "0.5")
        if let reserve, let capital, reserve > capital {
            report("reserve_cash", in: "account", "\(reserve) is more than total_capital \(capital)")
        }
        let supervisor = readSupervisor(root["supervisor"])
        guard let name, let capital, let reserve, let dailyLoss, let drawdown, let closeRiskiest, let expiry,
              let pauseFraction, let supervisor else { return nil }
        return AccountDeclaration(file: file, name: name, totalCapital: capital, reserveCash: reserve, dailyLossLimit: dailyLoss,
                                  maxDrawdown: drawdown, closeRiskiestOnEmergency: closeRiskiest,
                                  approvalExpiryMinutes: expiry, botPauseFraction: pauseFraction, supervisor: supervisor)
    }

    private mutating func readSupervisor(_ value: TOMLValueConvertible?) -> SupervisorPolicy? {
        var policy = SupervisorPolicy()
        guard let value else { return policy }
        guard let table = value.table else {
            report("supervisor", in: "", "expected a table, got \(value.type)")
            return nil
        }
        let fields = TableFields(table: table, path: "supervisor", occurrence: 0)
        rejectUnknown(fields, allowed: ["min_win_rate", "min_sharpe", "max_drawdown", "min_trades", "min_profit_factor",
                                        "recent_trades", "recent_wins", "max_budget_increase", "max_vix", "critical_alert_hours"])
        let before = issues.count
        policy.minWinRate = optionalFraction(fields, "min_win_rate", default: "0.60") ?? policy.minWinRate
        policy.minSharpe = optionalNumber(fields, "min_sharpe", default: "1.0") ?? policy.minSharpe
        policy.maxDrawdown = optionalFraction(fields, "max_drawdown", default: "0.15") ?? policy.maxDrawdown
        policy.minTrades = optionalCount(fields, "min_trades", default: 10, range: 0...100_000) ?? policy.minTrades
        policy.minProfitFactor = optionalNumber(fields, "min_profit_factor", default: "1.5") ?? policy.minProfitFactor
        policy.recentTrades = optionalCount(fields, "recent_trades", default: 5, range: 1...1000) ?? policy.recentTrades
        policy.recentWins = optionalCount(fields, "recent_wins", default: 3, range: 0...1000) ?? policy.recentWins
        policy.maxBudgetIncrease = optionalFraction(fields, "max_budget_increase", default: "0.20") ?? policy.maxBudgetIncrease
        policy.maxVIX = optionalNumber(fields, "max_vix", default: "30") ?? policy.maxVIX
        policy.criticalAlertHours = optionalCount(fields, "critical_alert_hours", default: 24, range: 0...8760) ?? policy.criticalAlertHours
        if policy.recentWins > policy.recentTrades {
            report("recent_wins", in: "supervisor", "\(policy.recentWins) is more than recent_trades \(policy.recentTrades)")
        }
        return issues.count == before ? policy : nil
    }

    private mutating func optionalFraction(_ fields: TableFields, _ key: String, default fallback: String) -> Decimal? {
        guard let value = fields.value(key) else { return Decimal(string: fallback)! }
        let form = "a fraction above 0 and at most 1 such as \(fallback)"
        guard let number = ManifestValue.decimal(value) else { return wrongType(fields, key, form, value) }
        guard number > 0, number <= 1 else {
            report(key, in: fields.path, "\(number) is out of range; expected \(form)")
            return nil
        }
        return number
    }

    private mutating func optionalNumber(_ fields: TableFields, _ key: String, default fallback: String) -> Decimal? {
        guard let value = fields.value(key) else { return Decimal(string: fallback)! }
        guard let number = ManifestValue.decimal(value), number >= 0 else {
            return wrongType(fields, key, "a number of at least 0 such as \(fallback)", value)
        }
        return number
    }

    private mutating func optionalCount(_ fields: TableFields, _ key: String, default fallback: Int, range: ClosedRange<Int>) -> Int? {
        guard let value = fields.value(key) else { return fallback }
        let form = "a whole number from \(range.lowerBound) to \(range.upperBound)"
        guard value.type == .int, let number = value.int else { return wrongType(fields, key, form, value) }
        guard range.contains(number) else {
            report(key, in: fields.path, "\(number) is out of range; expected \(form)")
            return nil
        }
        return number
    }
}

import Foundation
import TOMLKit

/// Parses and validates one manifest file. Collects every problem, each with its line and key.
public enum ManifestParser {
    static let rootKeys: Set<String> = ["id", "library", "kind", "enabled", "name", "description", "params", "module", "bots"]

    public static func parse(file: String) -> Result<Manifest, ManifestError> {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            return .failure(ManifestError(file: file, issues: [ManifestIssue(line: nil, key: nil, message: "cannot be read as UTF-8 text")]))
        }
        return parse(text: text, file: file)
    }

    public static func parse(text: String, file: String) -> Result<Manifest, ManifestError> {
        read(text: text, file: file) { reader, root in reader.read(root: root, file: file) }
    }

    /// TOML syntax first, then `body` reads the table; the value only when no issue was found.
    static func read<T>(text: String, file: String, _ body: (inout ManifestReader, TOMLTable) -> T?) -> Result<T, ManifestError> {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            return .failure(ManifestError(file: file, issues: [
                ManifestIssue(line: error.source.begin.line, key: nil, message: "TOML syntax error: \(error.description)")]))
        } catch {
            return .failure(ManifestError(file: file, issues: [ManifestIssue(line: nil, key: nil, message: "TOML error: \(error)")]))
        }
        var reader = ManifestReader(locator: TOMLKeyLocator(source: text))
        let value = body(&reader, root)
        if let value, reader.issues.isEmpty { return .success(value) }
        return .failure(ManifestError(file: file, issues: reader.issues))
    }
}

/// Walks the parsed table, converting values and recording issues with their lines.
struct ManifestReader {
    let locator: TOMLKeyLocator
    private(set) var issues: [ManifestIssue] = []

    init(locator: TOMLKeyLocator) { self.locator = locator }

    mutating func read(root: TOMLTable, file: String) -> Manifest? {
        for key in root.keys.sorted() where !ManifestParser.rootKeys.contains(key) {
            report(key, in: "", "unknown key; expected one of \(ManifestParser.rootKeys.sorted().joined(separator: ", "))")
        }
        let fields = TableFields(table: root, path: "", occurrence: 0)
        let id = requiredString(fields, "id")
        if let id, !PluginID.isValid(id) { report("id", in: "", "'\(id)' must be made of a-z, 0-9 and _") }
        let library = requiredString(fields, "library")
        if let library, library.isEmpty { report("library", in: "", "must not be empty") }
        let kindText = requiredString(fields, "kind")
        let kind = kindText.flatMap(PluginKind.init(rawValue:))
        if let kindText, kind == nil { report("kind", in: "", "expected strategy, filter or broker, got \"\(kindText)\"") }
        let enabled = requiredBool(fields, "enabled")
        let parameters = readParameters(root["params"], path: "params", occurrence: 0)
        let module = readModule(root["module"], kind: kind)
        let bots = readBots(root["bots"], kind: kind, hasModule: root["module"] != nil)
        guard let id, let library, let kind, let enabled, issues.isEmpty else { return nil }
        return Manifest(file: file, id: id, library: library, kind: kind, enabled: enabled,
                        parameters: parameters, module: module, bots: bots)
    }

    // MARK: Sections

    private mutating func readParameters(_ value: TOMLValueConvertible?, path: String, occurrence: Int) -> [ManifestParameter] {
        guard let value else { return [] }
        guard let table = value.table else {
            report(path, in: "", "expected a table of parameters, got \(value.type)")
            return []
        }
        var parameters: [ManifestParameter] = []
        for key in table.keys.sorted() {
            guard let text = ManifestValue.parameterText(table[key]!) else {
                report(key, in: path, occurrence: occurrence, "parameter values must be strings, numbers or booleans, got \(table[key]!.type)")
                continue
            }
            parameters.append(ManifestParameter(key: key, value: text))
        }
        return parameters
    }

    private mutating func readModule(_ value: TOMLValueConvertible?, kind: PluginKind?) -> ModuleDeclaration? {
        guard let value else { return nil }
        guard kind == .strategy || kind == nil else {
            report("module", in: "", "only strategy manifests declare a module")
            return nil
        }
        guard let table = value.table else {
            report("module", in: "", "expected a table, got \(value.type)")
            return nil
        }
        let fields = TableFields(table: table, path: "module", occurrence: 0)
        rejectUnknown(fields, allowed: ["budget", "max_risk_per_trade", "daily_loss_limit", "autotrade", "status", "sessions"])
        let budget = requiredMoney(fields, "budget")
        let risk = requiredPositiveMoney(fields, "max_risk_per_trade")
        let loss = requiredPositiveMoney(fields, "daily_loss_limit")
        let autotrade = requiredBool(fields, "autotrade")
        let status = optionalStatus(fields)
        let sessions = optionalSessions(fields)
        guard let budget, let risk, let loss, let autotrade, let status, let sessions else { return nil }
        return ModuleDeclaration(budget: budget, maxRiskPerTrade: risk, dailyLossLimit: loss, autotrade: autotrade, status: status,
                                 sessions: sessions.isEmpty ? nil : sessions)
    }

    private mutating func readBots(_ value: TOMLValueConvertible?, kind: PluginKind?, hasModule: Bool) -> [BotDeclaration] {
        guard let value else { return [] }
        guard kind == .strategy || kind == nil else {
            report("bots", in: "", "only strategy manifests declare strategy bots")
            return []
        }
        guard let array = value.array, array.allSatisfy({ $0.table != nil }) else {
            report("bots", in: "", "expected an array of tables ([[bots]]), got \(value.type)")
            return []
        }
        if !hasModule, !array.isEmpty {
            issues.append(ManifestIssue(line: locator.headerLine("bots"), key: "bots", message: "strategy bots need a [module] table with the module budget"))
        }
        var bots: [BotDeclaration] = []
        var seen: [String: Int] = [:]
        for (index, element) in array.enumerated() {
            guard let bot = readBot(element.table!, index: index) else { continue }
            if let first = seen[bot.id] {
                report("id", in: "bots", occurrence: index, "duplicate bot id '\(bot.id)' (also bots entry \(first + 1))")
            }
            seen[bot.id] = seen[bot.id] ?? index
            bots.append(bot)
        }
        return bots
    }

    private mutating func readBot(_ table: TOMLTable, index: Int) -> BotDeclaration? {
        let fields = TableFields(table: table, path: "bots", occurrence: index)
        rejectUnknown(fields, allowed: ["id", "symbols", "initial_budget", "max_budget_cap", "compounded", "autotrade", "status", "params"])
        let id = requiredString(fields, "id")
        if let id, !PluginID.isValid(id) { report("id", in: "bots", occurrence: index, "'\(id)' must be made of a-z, 0-9 and _") }
        let symbols = requiredSymbols(fields)
        let initial = requiredMoney(fields, "initial_budget")
        let cap = fields.value("max_budget_cap").flatMap { _ in requiredMoney(fields, "max_budget_cap") }
        if let initial, initial <= .zero { report("initial_budget", in: "bots", occurrence: index, "must be greater than 0") }
        if let initial, let cap, cap < initial {
            report("max_budget_cap", in: "bots", occurrence: index, "\(cap) is below initial_budget \(initial)")
        }
        let compounded = requiredBool(fields, "compounded")
        let autotrade = requiredBool(fields, "autotrade")
        let status = optionalStatus(fields)
        let parameters = readParameters(table["params"], path: "bots.params", occurrence: index)
        guard let id, let symbols, let initial, let compounded, let autotrade, let status else { return nil }
        return BotDeclaration(id: id, symbols: symbols, initialBudget: initial, maxBudgetCap: cap,
                              compounded: compounded, autotrade: autotrade, status: status, parameters: parameters)
    }

    // MARK: Typed fields

    mutating func requiredString(_ fields: TableFields, _ key: String) -> String? {
        guard let value = fields.value(key) else { return missing(fields, key, "a string") }
        guard value.type == .string, let text = value.string else { return wrongType(fields, key, "a string", value) }
        return text
    }

    mutating func requiredBool(_ fields: TableFields, _ key: String) -> Bool? {
        guard let value = fields.value(key) else { return missing(fields, key, "true or false") }
        guard value.type == .bool, let flag = value.bool else { return wrongType(fields, key, "true or false", value) }
        return flag
    }

    mutating func requiredMoney(_ fields: TableFields, _ key: String) -> Money? {
        let form = "an amount such as \"2500.00\" or 2500"
        guard let value = fields.value(key) else { return missing(fields, key, form) }
        guard let amount = ManifestValue.decimal(value), amount >= 0 else { return wrongType(fields, key, "a non-negative amount such as \"2500.00\" or 2500", value) }
        return Money(amount)
    }

    /// A limit in USD: zero would forbid every trade, so it must be above zero.
    mutating func requiredPositiveMoney(_ fields: TableFields, _ key: String) -> Money? {
        guard let amount = requiredMoney(fields, key) else { return nil }
        guard amount > .zero else {
            report(key, in: fields.path, occurrence: fields.occurrence, "must be greater than 0 (an amount in USD such as \"500.00\")")
            return nil
        }
        return amount
    }

    mutating func requiredSymbols(_ fields: TableFields) -> [String]? {
        let form = "a non-empty array of ticker symbols such as [\"SPY\"]"
        guard let value = fields.value("symbols") else { return missing(fields, "symbols", form) }
        guard let array = value.array, !array.isEmpty, array.allSatisfy({ $0.string != nil }) else {
            return wrongType(fields, "symbols", form, value)
        }
        let symbols = array.map { $0.string! }
        if let bad = symbols.first(where: { !Ticker.isValid($0) }) {
            report("symbols", in: fields.path, occurrence: fields.occurrence, "'\(bad)' is not a ticker (\(Ticker.rule))")
            return nil
        }
        return symbols
    }

    /// The strategy sessions (open, mid, close) the module trades in `tbot run`; absent: every one.
    mutating func optionalSessions(_ fields: TableFields) -> [String]? {
        guard let value = fields.value("sessions") else { return [] }
        let names = ConfigValueKind.sessionNames
        let form = "an array of sessions from \(names.joined(separator: ", ")) such as [\"open\"]"
        guard let array = value.array, !array.isEmpty, array.allSatisfy({ $0.string.map(names.contains) ?? false }) else {
            return wrongType(fields, "sessions", form, value)
        }
        let sessions = array.map { $0.string! }
        guard Set(sessions).count == sessions.count else {
            report("sessions", in: fields.path, occurrence: fields.occurrence, "names a session twice")
            return nil
        }
        return sessions
    }

    mutating func optionalStatus(_ fields: TableFields) -> OperatingStatus? {
        guard let value = fields.value("status") else { return .active }
        guard let text = value.string, let status = OperatingStatus(rawValue: text) else {
            return wrongType(fields, "status", "\"ACTIVE\" or \"PAUSED\"", value)
        }
        return status
    }

    // MARK: Reporting

    mutating func rejectUnknown(_ fields: TableFields, allowed: Set<String>) {
        for key in fields.table.keys.sorted() where !allowed.contains(key) {
            report(key, in: fields.path, occurrence: fields.occurrence, "unknown key; expected one of \(allowed.sorted().joined(separator: ", "))")
        }
    }

    mutating func missing<T>(_ fields: TableFields, _ key: String, _ form: String) -> T? {
        let line = fields.path.isEmpty ? nil : locator.headerLine(fields.path, occurrence: fields.occurrence)
        issues.append(ManifestIssue(line: line, key: fields.qualified(key), message: "missing; expected \(form)"))
        return nil
    }

    mutating func wrongType<T>(_ fields: TableFields, _ key: String, _ form: String, _ value: TOMLValueConvertible) -> T? {
        report(key, in: fields.path, occurrence: fields.occurrence, "expected \(form), got \(ManifestValue.describe(value))")
        return nil
    }

    mutating func report(_ key: String, in path: String, occurrence: Int = 0, _ message: String) {
        let qualified = path.isEmpty ? key : "\(path).\(key)"
        // A key's own line; else the header of the table it names or sits in.
        let line = locator.line(of: key, in: path, occurrence: occurrence)
            ?? locator.headerLine(qualified, occurrence: occurrence)
            ?? locator.headerLine(path, occurrence: occurrence)
        issues.append(ManifestIssue(line: line, key: qualified, message: message))
    }
}

/// A table being read, with its dotted path for messages and line lookups.
struct TableFields {
    let table: TOMLTable
    let path: String
    let occurrence: Int

    func value(_ key: String) -> TOMLValueConvertible? { table[key] }
    func qualified(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}

/// Symbols as exchanges and brokers spell them, within the ABI's inline capacity:
/// equities (BRK.B), share classes (BF/B, RDS-A) and OCC option symbols (with spaces).
public enum Ticker {
    public static let rule = "A-Z, 0-9, '.', '/', '-' or space, 1 to 31 characters"

    public static func isValid(_ symbol: String) -> Bool {
        let bytes = symbol.utf8
        return (1...31).contains(bytes.count) && bytes.first != 0x20 && bytes.allSatisfy {
            ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2F || $0 == 0x2D || $0 == 0x20
        }
    }
}

import Foundation
import XCTest
@testable import TBotCore

/// Table-driven tests of the risk engine's rules: session weights, every screening rule at its
/// boundary, sizing, the per-broker kill switch and the circuit breaker, Defense Mode entry and
/// exit, and bearish routing. Every rejection is checked by its reason code and its exact sentence.
final class RiskRuleTests: XCTestCase {
    // MARK: - Fixtures

    /// 2024-01-02T14:30:00Z, a Tuesday.
    static let t0: Int64 = 1_704_205_800 * 1_000_000_000
    static let day: Int64 = 86_400_000_000_000
    static let hour: Int64 = 3_600_000_000_000
    static let minute: Int64 = 60_000_000_000
    static let broker = "paper_broker"

    private func dec(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))! }
    private func decs(_ texts: [String]) -> [Decimal] { texts.map(dec) }
    private func money(_ text: String) -> Money { Money(text: text)! }

    private func window(_ name: String = "open", at start: Int64 = RiskRuleTests.t0) -> SessionWindow {
        SessionWindow(name: name, startNanoseconds: start, endNanoseconds: start + RiskRuleTests.hour)
    }

    private func candidate(_ symbol: String = "AAA", side: TradeSide = .buy, entry: Double = 50, stop: Double = 48,
                           target: Double = 53, moduleMaxRisk: Money? = nil) -> RiskCandidate {
        RiskCandidate(intent: TradeIntent(strategyID: "strat", action: .enter, side: side, rank: 1, symbol: symbol, entryPrice: entry,
                                          stopPrice: stop, targetPrice: target, confidence: 1, tag: ""),
                      bot: "bot", poolRank: 1, moduleMaxRisk: moduleMaxRisk)
    }

    private func facts(_ broker: String = RiskRuleTests.broker, tradable: Bool = true, fractional: Bool = true,
                       minimum: OrderMinimum = OrderMinimum(quantity: Quantity(units: 1), notional: .zero),
                       shortSelling: Bool = false, options: Bool = false, buyingPower: String = "100000.00",
                       quote: BrokerFacts.Quote? = nil) -> BrokerFacts {
        BrokerFacts(broker: broker, tradable: tradable, fractional: fractional, minimum: minimum, shortSelling: shortSelling,
                    options: options, buyingPower: money(buyingPower), quote: quote)
    }

    private func screen(_ engine: RiskEngine, _ candidate: RiskCandidate, facts: BrokerFacts? = nil, session: String = "open",
                        prices: [String: Double] = [:], at now: Int64 = RiskRuleTests.t0) -> RiskEngine.Screening {
        engine.screen(candidate, facts: facts ?? self.facts(), entryPrice: candidate.intent.entryPrice, session: session,
                      lastPrice: { prices[$0] }, at: now)
    }

    /// Bars of `symbol` for the days before the UTC day of `now`, oldest first: one value per day,
    /// the volume split over two bars of the same day.
    private func feedDays(_ engine: RiskEngine, _ symbol: String, closes: [Double]? = nil, volumes: [Double]? = nil,
                          before now: Int64 = RiskRuleTests.t0) {
        let count = closes?.count ?? volumes?.count ?? 0
        let today = now / Self.day
        for index in 0..<count {
            let dayStart = (today - Int64(count - index)) * Self.day
            let close = closes?[index] ?? 50
            let volume = volumes?[index] ?? 2_000_000
            for half in 0..<2 {
                engine.observe(Bar(symbol: symbol, startNanoseconds: dayStart + 15 * Self.hour + Int64(half) * Self.minute,
                                   intervalSeconds: 60, open: close, high: close, low: close, close: close, volume: volume / 2))
            }
        }
    }

    enum Expect: CustomStringConvertible {
        /// Eligible, and the named rule passed with this sentence.
        case passes(String, String)
        case rejects(RiskCode, String)

        var description: String {
            switch self {
            case .passes(let rule, let detail): return "pass \(rule): \(detail)"
            case .rejects(let code, let detail): return "reject \(code.rawValue): \(detail)"
            }
        }
    }

    private func check(_ result: RiskEngine.Screening, _ expect: Expect, _ name: String,
                       file: StaticString = #filePath, line: UInt = #line) {
        switch (expect, result) {
        case let (.passes(rule, detail), .eligible(_, checks)):
            XCTAssertTrue(checks.contains(RiskCheck(rule: rule, passed: true, detail: detail)),
                          "\(name): no passing \(rule) check \"\(detail)\" in \(checks.map { "\($0.rule): \($0.detail)" })",
                          file: file, line: line)
            XCTAssertTrue(checks.allSatisfy(\.passed), "\(name): an eligible screening has a failed check", file: file, line: line)
        case let (.rejects(code, detail), .rejected(gotCode, gotDetail, checks)):
            XCTAssertEqual(gotCode, code, name, file: file, line: line)
            XCTAssertEqual(gotDetail, detail, name, file: file, line: line)
            XCTAssertEqual(checks.last?.passed, false, name, file: file, line: line)
            XCTAssertEqual(checks.last?.code, code, name, file: file, line: line)
            XCTAssertEqual(checks.last?.detail, detail, name, file: file, line: line)
            XCTAssertTrue(checks.dropLast().allSatisfy(\.passed), "\(name): a check before the rejection failed", file: file, line: line)
        default:
            XCTFail("\(name): expected \(expect), got \(result)", file: file, line: line)
        }
    }

    /// One row of a screening table: a fresh engine with the session begun at t0 (float 10000.00).
    struct ScreenCase {
        var name: String
        var limits: (inout RiskLimits) -> Void = { _ in }
        var setup: (RiskEngine) throws -> Void = { _ in }
        var candidate: RiskCandidate
        var facts: BrokerFacts? = nil
        var session = "open"
        var prices: [String: Double] = [:]
        var at: Int64 = RiskRuleTests.t0
        var expect: Expect
    }

    private func runScreens(_ cases: [ScreenCase], sectors: SectorMap = .empty, file: StaticString = #filePath, line: UInt = #line) throws {
        for row in cases {
            var limits = RiskLimits.defaults
            row.limits(&limits)
            let engine = try TestRisk.engine(limits: limits, sectors: sectors)
            try engine.beginSession(window(), broker: Self.broker, float: money("10000.00"), holdings: [:], at: Self.t0)
            try row.setup(engine)
            let result = screen(engine, row.candidate, facts: row.facts, session: row.session, prices: row.prices, at: row.at)
            check(result, row.expect, row.name, file: file, line: line)
        }
    }

    private func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tbot-risk-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    // MARK: - 1. Session weights and the Defense Mode count

    func testSessionWeightsSeedTable() {
        let weights = SessionWeights(weights: decs(["0.4", "0.2", "0.2", "0.2"]))
        let table: [(count: Int, shares: [String])] = [
            (0, []),
            (-1, []),
            (1, ["1"]),
            (2, ["0.6", "0.4"]),
            (3, ["0.4", "0.3", "0.3"]),
            (4, ["0.4", "0.2", "0.2", "0.2"]),
            (5, ["0.4", "0.2", "0.2", "0.2"]),
            (40, ["0.4", "0.2", "0.2", "0.2"]),
        ]
        for row in table {
            XCTAssertEqual(weights.shares(count: row.count), decs(row.shares), "count \(row.count)")
        }
        // A full session returns the weights themselves, even when they are not equal after the first.
        let descending = decs(["0.4", "0.3", "0.2", "0.1"])
        XCTAssertEqual(SessionWeights(weights: descending).shares(count: 4), descending)
        XCTAssertEqual(SessionWeights(weights: descending).shares(count: 2), decs(["0.6", "0.4"]))
        XCTAssertEqual(SessionWeights(weights: descending).shares(count: 3), decs(["0.4", "0.35", "0.25"]))
    }

    func testSessionWeightsSumToOneAndNeverIncrease() {
        let vectors: [[String]] = [
            ["0.4", "0.2", "0.2", "0.2"],
            ["0.5", "0.3", "0.2"],
            ["0.25", "0.25", "0.25", "0.25"],
            ["0.7", "0.1", "0.1", "0.1"],
            ["1"],
            ["0.4", "0.3", "0.2", "0.1"],
            // n - 1 = 3 and 6 divide the unused weight into repeating decimals.
            ["0.3", "0.2", "0.2", "0.2", "0.1"],
            ["0.2", "0.2", "0.1", "0.1", "0.1", "0.1", "0.1", "0.1"],
        ]
        for vector in vectors {
            let weights = SessionWeights(weights: decs(vector))
            for count in 1...vector.count {
                let shares = weights.shares(count: count)
                XCTAssertEqual(shares.count, count, "\(vector) count \(count)")
                XCTAssertEqual(shares.reduce(Decimal(0), +), Decimal(1), "\(vector) count \(count): \(shares)")
                for index in shares.indices.dropFirst() {
                    XCTAssertLessThanOrEqual(shares[index], shares[index - 1], "\(vector) count \(count): \(shares)")
                }
                XCTAssertTrue(shares.allSatisfy { $0 > 0 }, "\(vector) count \(count): \(shares)")
            }
        }
        // Worked values of the other vectors.
        XCTAssertEqual(SessionWeights(weights: decs(["0.5", "0.3", "0.2"])).shares(count: 2), decs(["0.5", "0.5"]))
        XCTAssertEqual(SessionWeights(weights: decs(["0.25", "0.25", "0.25", "0.25"])).shares(count: 3), decs(["0.375", "0.375", "0.25"]))
        XCTAssertEqual(SessionWeights(weights: decs(["0.7", "0.1", "0.1", "0.1"])).shares(count: 2), decs(["0.7", "0.3"]))
        XCTAssertEqual(SessionWeights(weights: decs(["0.7", "0.1", "0.1", "0.1"])).shares(count: 3), decs(["0.7", "0.15", "0.15"]))
        XCTAssertEqual(SessionWeights(weights: decs(["1"])).shares(count: 1), decs(["1"]))
    }

    func testDefenseCount() {
        let table: [(count: Int, percent: Int, expected: Int)] = [
            (4, 66, 2), (3, 66, 1), (1, 66, 1), (10, 66, 6), (2, 66, 1),
            (20, 66, 13), (4, 100, 4), (4, 0, 1), (4, 50, 2), (3, 50, 1),
        ]
        for row in table {
            XCTAssertEqual(RiskLimits.defenseCount(row.count, percent: row.percent), row.expected, "\(row.count) at \(row.percent)%")
        }
        let limits = RiskLimits.defaults
        XCTAssertEqual(limits.maxTrades, 4)
        XCTAssertEqual(limits.weights, decs(["0.4", "0.2", "0.2", "0.2"]))
        XCTAssertEqual(limits.defense.tradeLimitPercent, 66)
        let reduced = limits.inForce(defense: true)
        XCTAssertTrue(reduced.defenseApplied)
        XCTAssertEqual(reduced.maxTrades, 2)
        XCTAssertEqual(reduced.maxConcurrentPerBroker, 1)
        XCTAssertEqual(reduced.totalAllocation, dec("0.01"))
        XCTAssertEqual(reduced.weights, decs(["0.6", "0.4"]))
        XCTAssertEqual(limits.inForce(defense: false), limits)
    }

    // MARK: - 2. Screening rules

    func testEligibleCandidateRecordsEveryRuleInOrder() throws {
        let engine = try TestRisk.engine()
        try engine.beginSession(window(), broker: Self.broker, float: money("10000.00"), holdings: [:], at: Self.t0)
        let result = screen(engine, candidate())
        let skipped = "skipped: TEST_MODE=true and MARKET_CHECKS_IN_TEST_MODE=false"
        let expected: [(String, String)] = [
            ("DISABLE_ALL_TRADES", "DISABLE_ALL_TRADES=false"),
            ("TRADING_DAYS", "tue is in TRADING_DAYS mon,tue,wed,thu,fri"),
            ("KILL_SWITCH", "broker paper_broker is not halted"),
            ("CIRCUIT_BREAKER", "circuit breaker closed"),
            ("MAX_TRADES", "4 of MAX_TRADES 4 left in this session"),
            ("MAX_OPEN_POSITIONS", "0 open of MAX_OPEN_POSITIONS 5"),
            ("MAX_CONCURRENT_TRADES_PER_BROKER", "0 open at paper_broker of MAX_CONCURRENT_TRADES_PER_BROKER 3"),
            ("SHORT_TYPE", "long entry: no routing needed"),
            ("ALREADY_HOLDING", "no open position in AAA"),
            ("ENTRY_PRICE", "entry 50"),
            ("STOP", "stop 48, 2 per share at risk"),
            ("MIN_REWARD_RISK", "reward:risk 1.50 (3 / 2) meets MIN_REWARD_RISK 1.5"),
            ("MIN_PRICE/MAX_PRICE", "price 50 within MIN_PRICE 5 .. MAX_PRICE 100"),
            ("MIN_VOLUME_THRESHOLD", skipped),
            ("MAX_SPREAD_PCT", skipped),
            ("MAX_POSITIONS_PER_SECTOR", "AAA is not in the sector map: no sector limit"),
            ("MAX_CORRELATION", "no open position to correlate with"),
            ("BROKER_TRADABLE", "broker paper_broker trades AAA now"),
            ("ACCOUNT", "buying power 100000.00"),
        ]
        guard case let .eligible(entry, checks) = result else { return XCTFail("not eligible: \(result)") }
        XCTAssertEqual(entry, RoutedEntry(symbol: "AAA", side: .buy, entry: 50, stop: 48, target: 53, route: "long"))
        XCTAssertEqual(checks, expected.map { RiskCheck(rule: $0.0, passed: true, detail: $0.1) })
        // The eligible candidate holds a slot until released.
        XCTAssertEqual(engine.remainingSlots(broker: Self.broker), 3)
        XCTAssertEqual(engine.openPositionCount, 1)
        engine.released(symbol: "AAA")
        XCTAssertEqual(engine.remainingSlots(broker: Self.broker), 4)
        XCTAssertEqual(engine.openPositionCount, 0)
    }

    func testPriceBand() throws {
        try runScreens([
            ScreenCase(name: "price == MIN_PRICE", candidate: candidate(entry: 5, stop: 4.8, target: 5.3),
                       expect: .passes("MIN_PRICE/MAX_PRICE", "price 5 within MIN_PRICE 5 .. MAX_PRICE 100")),
            ScreenCase(name: "price just under MIN_PRICE", candidate: candidate(entry: 4.99, stop: 4.79, target: 5.29),
                       expect: .rejects(.priceBelowMin, "price 4.99 of AAA is below MIN_PRICE 5")),
            ScreenCase(name: "price 5.01", candidate: candidate(entry: 5.01, stop: 4.81, target: 5.31),
                       expect: .passes("MIN_PRICE/MAX_PRICE", "price 5.01 within MIN_PRICE 5 .. MAX_PRICE 100")),
            ScreenCase(name: "price == MAX_PRICE", candidate: candidate(entry: 100, stop: 98, target: 103),
                       expect: .passes("MIN_PRICE/MAX_PRICE", "price 100 within MIN_PRICE 5 .. MAX_PRICE 100")),
            ScreenCase(name: "price just over MAX_PRICE", candidate: candidate(entry: 100.01, stop: 98.01, target: 103.01),
                       expect: .rejects(.priceAboveMax, "price 100.01 of AAA is above MAX_PRICE 100")),
            ScreenCase(name: "price 99.99", candidate: candidate(entry: 99.99, stop: 97.99, target: 102.99),
                       expect: .passes("MIN_PRICE/MAX_PRICE", "price 99.99 within MIN_PRICE 5 .. MAX_PRICE 100")),
            ScreenCase(name: "raised MIN_PRICE", limits: { $0.minPrice = self.dec("10.5") },
                       candidate: candidate(entry: 10.49, stop: 10.29, target: 10.79),
                       expect: .rejects(.priceBelowMin, "price 10.49 of AAA is below MIN_PRICE 10.5")),
            ScreenCase(name: "raised MIN_PRICE boundary", limits: { $0.minPrice = self.dec("10.5") },
                       candidate: candidate(entry: 10.5, stop: 10.3, target: 10.8),
                       expect: .passes("MIN_PRICE/MAX_PRICE", "price 10.5 within MIN_PRICE 10.5 .. MAX_PRICE 100")),
            ScreenCase(name: "lowered MAX_PRICE", limits: { $0.maxPrice = self.dec("20") },
                       candidate: candidate(entry: 20.0001, stop: 18.0001, target: 23.0001),
                       expect: .rejects(.priceAboveMax, "price 20.0001 of AAA is above MAX_PRICE 20")),
        ])
    }

    func testEntryStopAndRewardRisk() throws {
        try runScreens([
            ScreenCase(name: "reward:risk exactly 1.5", candidate: candidate(entry: 50, stop: 48, target: 53),
                       expect: .passes("MIN_REWARD_RISK", "reward:risk 1.50 (3 / 2) meets MIN_REWARD_RISK 1.5")),
            ScreenCase(name: "reward:risk 1.49", candidate: candidate(entry: 50, stop: 48, target: 52.98),
                       expect: .rejects(.rewardRisk, "reward:risk 1.49 (2.98 / 2) is below MIN_REWARD_RISK 1.5")),
            ScreenCase(name: "reward:risk 1.51", candidate: candidate(entry: 50, stop: 48, target: 53.02),
                       expect: .passes("MIN_REWARD_RISK", "reward:risk 1.51 (3.02 / 2) meets MIN_REWARD_RISK 1.5")),
            ScreenCase(name: "fractional prices, exactly 1.5", candidate: candidate(entry: 10.1, stop: 9.9, target: 10.4),
                       expect: .passes("MIN_REWARD_RISK", "reward:risk 1.50 (0.3 / 0.2) meets MIN_REWARD_RISK 1.5")),
            ScreenCase(name: "missing target", candidate: candidate(entry: 50, stop: 48, target: 0),
                       expect: .rejects(.missingTarget, "the intent has no target above its entry; reward:risk cannot be measured")),
            ScreenCase(name: "target below a long entry", candidate: candidate(entry: 50, stop: 48, target: 49),
                       expect: .rejects(.missingTarget, "the intent has no target above its entry; reward:risk cannot be measured")),
            ScreenCase(name: "target == entry", candidate: candidate(entry: 50, stop: 48, target: 50),
                       expect: .rejects(.missingTarget, "the intent has no target above its entry; reward:risk cannot be measured")),
            ScreenCase(name: "MIN_REWARD_RISK 0 without a target", limits: { $0.minRewardRisk = 0 },
                       candidate: candidate(entry: 50, stop: 48, target: 0),
                       expect: .passes("MIN_REWARD_RISK", "MIN_REWARD_RISK is 0: not checked")),
            ScreenCase(name: "MIN_REWARD_RISK 2 exactly", limits: { $0.minRewardRisk = 2 },
                       candidate: candidate(entry: 50, stop: 48, target: 54),
                       expect: .passes("MIN_REWARD_RISK", "reward:risk 2.00 (4 / 2) meets MIN_REWARD_RISK 2")),
            ScreenCase(name: "MIN_REWARD_RISK 2 with 1.5", limits: { $0.minRewardRisk = 2 },
                       candidate: candidate(entry: 50, stop: 48, target: 53),
                       expect: .rejects(.rewardRisk, "reward:risk 1.50 (3 / 2) is below MIN_REWARD_RISK 2")),
            ScreenCase(name: "missing stop", candidate: candidate(entry: 50, stop: 0, target: 53),
                       expect: .rejects(.missingStop, "the intent has no stop price; stop-based sizing needs one")),
            ScreenCase(name: "stop above a long entry", candidate: candidate(entry: 50, stop: 51, target: 53),
                       expect: .rejects(.stopWrongSide, "stop 51 is not below the entry 50 of a long entry")),
            ScreenCase(name: "stop == entry", candidate: candidate(entry: 50, stop: 50, target: 53),
                       expect: .rejects(.stopWrongSide, "stop 50 is not below the entry 50 of a long entry")),
            ScreenCase(name: "stop just below entry", candidate: candidate(entry: 50, stop: 49.99, target: 50.02),
                       expect: .passes("STOP", "stop 49.99, 0.01 per share at risk")),
            ScreenCase(name: "no entry price", candidate: candidate(entry: 0, stop: 48, target: 53),
                       expect: .rejects(.noEntryPrice, "no entry price and no bar of AAA to price it")),
        ])
    }

    func testControlsAndTradingDays() throws {
        let saturday = Self.t0 + 4 * Self.day
        let sunday = Self.t0 + 5 * Self.day
        let monday = Self.t0 + 6 * Self.day
        try runScreens([
            ScreenCase(name: "DISABLE_ALL_TRADES", limits: { $0.disableAllTrades = true }, candidate: candidate(),
                       expect: .rejects(.disableAllTrades, "DISABLE_ALL_TRADES=true blocks every entry")),
            ScreenCase(name: "DISABLE_ALL_TRADES false", candidate: candidate(),
                       expect: .passes("DISABLE_ALL_TRADES", "DISABLE_ALL_TRADES=false")),
            ScreenCase(name: "Saturday", candidate: candidate(), at: saturday,
                       expect: .rejects(.notATradingDay, "sat (UTC) is not in TRADING_DAYS mon,tue,wed,thu,fri")),
            ScreenCase(name: "Sunday", candidate: candidate(), at: sunday,
                       expect: .rejects(.notATradingDay, "sun (UTC) is not in TRADING_DAYS mon,tue,wed,thu,fri")),
            ScreenCase(name: "last nanosecond of Sunday", candidate: candidate(), at: monday - (monday % Self.day) - 1,
                       expect: .rejects(.notATradingDay, "sun (UTC) is not in TRADING_DAYS mon,tue,wed,thu,fri")),
            ScreenCase(name: "first nanosecond of Monday", candidate: candidate(), at: monday - (monday % Self.day),
                       expect: .passes("TRADING_DAYS", "mon is in TRADING_DAYS mon,tue,wed,thu,fri")),
            ScreenCase(name: "Tuesday", candidate: candidate(),
                       expect: .passes("TRADING_DAYS", "tue is in TRADING_DAYS mon,tue,wed,thu,fri")),
            ScreenCase(name: "Saturday allowed", limits: { $0.tradingDays = ["sat", "sun"] }, candidate: candidate(), at: saturday,
                       expect: .passes("TRADING_DAYS", "sat is in TRADING_DAYS sat,sun")),
            ScreenCase(name: "Tuesday not allowed", limits: { $0.tradingDays = ["sat", "sun"] }, candidate: candidate(),
                       expect: .rejects(.notATradingDay, "tue (UTC) is not in TRADING_DAYS sat,sun")),
            ScreenCase(name: "DISABLE_ALL_TRADES before TRADING_DAYS", limits: { $0.disableAllTrades = true }, candidate: candidate(),
                       at: saturday, expect: .rejects(.disableAllTrades, "DISABLE_ALL_TRADES=true blocks every entry")),
        ])
        XCTAssertEqual(RiskRules.weekday(Self.t0), "tue")
        XCTAssertEqual(RiskRules.weekday(0), "thu")
        XCTAssertEqual(RiskRules.weekday(Self.day - 1), "thu")
        XCTAssertEqual(RiskRules.weekday(Self.day), "fri")
    }

    /// Floor division: the last day before 1970-01-01 is a Wednesday, not the Thursday after it.
    func testWeekdayBeforeTheEpoch() {
        XCTAssertEqual(RiskRules.weekday(-1), "wed")
        XCTAssertEqual(RiskRules.weekday(-Self.day), "wed")
        XCTAssertEqual(RiskRules.weekday(-Self.day - 1), "tue")
    }

    func testSessionSlotsAndPositionCounts() throws {
        /// Orders sent and closed again: they use session slots but hold no position.
        func sentAndClosed(_ count: Int) -> (RiskEngine) throws -> Void {
            { engine in
                for index in 0..<count {
                    engine.committed(symbol: "S\(index)", broker: Self.broker, risk: self.money("10.00"))
                    engine.positionClosed(symbol: "S\(index)")
                }
            }
        }
        func open(_ count: Int, at broker: String) -> (RiskEngine) throws -> Void {
            { engine in
                for index in 0..<count { engine.committed(symbol: "P\(index)", broker: broker, risk: self.money("10.00")) }
            }
        }
        func reserved(_ symbols: [String], release: [String] = []) -> (RiskEngine) throws -> Void {
            { engine in
                for symbol in symbols {
                    guard case .eligible = self.screen(engine, self.candidate(symbol)) else { throw TestSupportError("\(symbol) not eligible") }
                }
                for symbol in release { engine.released(symbol: symbol) }
            }
        }
        try runScreens([
            ScreenCase(name: "3 of 4 slots used", setup: sentAndClosed(3), candidate: candidate(),
                       expect: .passes("MAX_TRADES", "1 of MAX_TRADES 4 left in this session")),
            ScreenCase(name: "4 of 4 slots used", setup: sentAndClosed(4), candidate: candidate(),
                       expect: .rejects(.sessionTradeLimit, "the session has used all MAX_TRADES 4 trades")),
            ScreenCase(name: "MAX_TRADES 6, 5 used", limits: { $0.maxTrades = 6 }, setup: sentAndClosed(5), candidate: candidate(),
                       expect: .passes("MAX_TRADES", "1 of MAX_TRADES 6 left in this session")),
            ScreenCase(name: "slots used at another broker", setup: { engine in
                           for index in 0..<4 {
                               engine.committed(symbol: "S\(index)", broker: "other", risk: self.money("10.00"))
                               engine.positionClosed(symbol: "S\(index)")
                           }
                       }, candidate: candidate(),
                       expect: .passes("MAX_TRADES", "4 of MAX_TRADES 4 left in this session")),
            ScreenCase(name: "reserved candidates hold slots", limits: { $0.maxConcurrentPerBroker = 10 },
                       setup: reserved(["R1", "R2", "R3", "R4"]), candidate: candidate(),
                       expect: .rejects(.sessionTradeLimit, "the session has used all MAX_TRADES 4 trades")),
            ScreenCase(name: "a released reservation gives its slot back", limits: { $0.maxConcurrentPerBroker = 10 },
                       setup: reserved(["R1", "R2", "R3", "R4"], release: ["R2"]), candidate: candidate(),
                       expect: .passes("MAX_TRADES", "1 of MAX_TRADES 4 left in this session")),
            ScreenCase(name: "max-1 open positions", setup: open(4, at: "other"), candidate: candidate(),
                       expect: .passes("MAX_OPEN_POSITIONS", "4 open of MAX_OPEN_POSITIONS 5")),
            ScreenCase(name: "max open positions", setup: open(5, at: "other"), candidate: candidate(),
                       expect: .rejects(.maxOpenPositions, "5 positions are open; MAX_OPEN_POSITIONS is 5")),
            ScreenCase(name: "MAX_OPEN_POSITIONS 2", limits: { $0.maxOpenPositions = 2 }, setup: open(2, at: "other"), candidate: candidate(),
                       expect: .rejects(.maxOpenPositions, "2 positions are open; MAX_OPEN_POSITIONS is 2")),
            ScreenCase(name: "max-1 at the broker", setup: open(2, at: Self.broker), candidate: candidate(),
                       expect: .passes("MAX_CONCURRENT_TRADES_PER_BROKER", "2 open at paper_broker of MAX_CONCURRENT_TRADES_PER_BROKER 3")),
            ScreenCase(name: "max at the broker", setup: open(3, at: Self.broker), candidate: candidate(),
                       expect: .rejects(.brokerConcurrency, "3 positions are open at paper_broker; MAX_CONCURRENT_TRADES_PER_BROKER is 3")),
            ScreenCase(name: "positions at another broker do not count", setup: open(3, at: "other"), candidate: candidate(),
                       expect: .passes("MAX_CONCURRENT_TRADES_PER_BROKER", "0 open at paper_broker of MAX_CONCURRENT_TRADES_PER_BROKER 3")),
            ScreenCase(name: "holdings count at the broker", setup: { engine in
                           try engine.beginSession(self.window(), broker: Self.broker, float: self.money("10000.00"),
                                                   holdings: ["H1": self.money("1000.00"), "H2": self.money("1000.00"), "H3": self.money("1000.00")],
                                                   at: Self.t0)
                       }, candidate: candidate(),
                       expect: .rejects(.brokerConcurrency, "3 positions are open at paper_broker; MAX_CONCURRENT_TRADES_PER_BROKER is 3")),
            ScreenCase(name: "held elsewhere", setup: { $0.committed(symbol: "AAA", broker: "other", risk: self.money("10.00")) },
                       candidate: candidate(), expect: .rejects(.alreadyHolding, "AAA is already held or reserved")),
            ScreenCase(name: "held as a holding", setup: { engine in
                           try engine.beginSession(self.window(), broker: Self.broker, float: self.money("10000.00"),
                                                   holdings: ["AAA": self.money("1000.00")], at: Self.t0)
                       }, candidate: candidate(), expect: .rejects(.alreadyHolding, "AAA is already held or reserved")),
            ScreenCase(name: "not held", candidate: candidate(), expect: .passes("ALREADY_HOLDING", "no open position in AAA")),
        ])
    }

    func testAlreadyHoldingFollowsReservationsCommitsAndCloses() throws {
        let engine = try TestRisk.engine()
        try engine.beginSession(window(), broker: Self.broker, float: money("10000.00"), holdings: [:], at: Self.t0)
        let held = Expect.rejects(.alreadyHolding, "AAA is already held or reserved")
        let free = Expect.passes("ALREADY_HOLDING", "no open position in AAA")
        let steps: [(String, (RiskEngine) -> Void, Expect)] = [
            ("first screening reserves", { _ in }, free),
            ("a reserved symbol is held", { _ in }, held),
            ("released", { $0.released(symbol: "AAA") }, free),
            ("committed after its reservation", { $0.committed(symbol: "AAA", broker: Self.broker, risk: self.money("100.00")) }, held),
            ("release does not free a committed position", { $0.released(symbol: "AAA") }, held),
            ("closed", { $0.positionClosed(symbol: "AAA") }, free),
        ]
        for (name, action, expect) in steps {
            action(engine)
            check(screen(engine, candidate()), expect, name)
        }
        // Only the one commit used a slot; the last eligible screening holds another.
        XCTAssertEqual(engine.remainingSlots(broker: Self.broker), 2)
    }

    func testMinimumVolume() throws {
        let quote = BrokerFacts.Quote(bid: 49.9, ask: 50)
        let marketChecks: (inout RiskLimits) -> Void = { $0.marketChecks = true }
        let exact = Array(repeating: 0.0, count: 5) + Array(repeating: 1_500_000.0, count: 10) + Array(repeating: 500_000.0, count: 10)
        let short = Array(repeating: 1_000_000.0, count: 19) + [999_980]
        try runScreens([
            ScreenCase(name: "20-day average == threshold", limits: marketChecks,
                       setup: { self.feedDays($0, "AAA", volumes: exact) }, candidate: candidate(), facts: facts(quote: quote),
                       expect: .passes("MIN_VOLUME_THRESHOLD", "average daily volume 1000000 meets MIN_VOLUME_THRESHOLD 1000000")),
            ScreenCase(name: "20-day average == threshold - 1", limits: marketChecks,
                       setup: { self.feedDays($0, "AAA", volumes: short) }, candidate: candidate(), facts: facts(quote: quote),
                       expect: .rejects(.lowVolume, "average daily volume 999999 of AAA is below MIN_VOLUME_THRESHOLD 1000000")),
            ScreenCase(name: "today's volume does not count", limits: marketChecks, setup: { engine in
                           self.feedDays(engine, "AAA", volumes: short)
                           engine.observe(Bar(symbol: "AAA", startNanoseconds: Self.t0 - Self.hour, intervalSeconds: 60, open: 50, high: 50,
                                              low: 50, close: 50, volume: 50_000_000))
                       }, candidate: candidate(), facts: facts(quote: quote),
                       expect: .rejects(.lowVolume, "average daily volume 999999 of AAA is below MIN_VOLUME_THRESHOLD 1000000")),
            ScreenCase(name: "only today's bars", limits: marketChecks, setup: { engine in
                           engine.observe(Bar(symbol: "AAA", startNanoseconds: Self.t0 - Self.hour, intervalSeconds: 60, open: 50, high: 50,
                                              low: 50, close: 50, volume: 50_000_000))
                       }, candidate: candidate(), facts: facts(quote: quote),
                       expect: .rejects(.lowVolume, "no completed day of AAA volume to compare with MIN_VOLUME_THRESHOLD 1000000")),
            ScreenCase(name: "no history", limits: marketChecks, candidate: candidate(), facts: facts(quote: quote),
                       expect: .rejects(.lowVolume, "no completed day of AAA volume to compare with MIN_VOLUME_THRESHOLD 1000000")),
            ScreenCase(name: "lower threshold", limits: { $0.marketChecks = true; $0.minVolume = 999_999 },
                       setup: { self.feedDays($0, "AAA", volumes: short) }, candidate: candidate(), facts: facts(quote: quote),
                       expect: .passes("MIN_VOLUME_THRESHOLD", "average daily volume 999999 meets MIN_VOLUME_THRESHOLD 999999")),
            ScreenCase(name: "market checks off: skipped", setup: { self.feedDays($0, "AAA", volumes: short) }, candidate: candidate(),
                       expect: .passes("MIN_VOLUME_THRESHOLD", "skipped: TEST_MODE=true and MARKET_CHECKS_IN_TEST_MODE=false")),
            ScreenCase(name: "market checks off, no history: skipped", candidate: candidate(),
                       expect: .passes("MIN_VOLUME_THRESHOLD", "skipped: TEST_MODE=true and MARKET_CHECKS_IN_TEST_MODE=false")),
        ])
        XCTAssertFalse(RiskLimits.defaults.marketChecks, "TEST_MODE=true by default skips the market checks")
        XCTAssertEqual(RiskLimits.defaults.minVolume, 1_000_000)
    }

    func testMaximumSpread() throws {
        let marketChecks: (inout RiskLimits) -> Void = { $0.marketChecks = true }
        let volume: (RiskEngine) throws -> Void = { self.feedDays($0, "AAA", volumes: Array(repeating: 2_000_000, count: 20)) }
        func row(_ name: String, _ quote: BrokerFacts.Quote?, _ expect: Expect) -> ScreenCase {
            ScreenCase(name: name, limits: marketChecks, setup: volume, candidate: candidate(), facts: facts(quote: quote), expect: expect)
        }
        try runScreens([
            row("spread exactly 1.5%", BrokerFacts.Quote(bid: 49.25, ask: 50),
                .passes("MAX_SPREAD_PCT", "spread 0.75 (bid 49.25, ask 50) is 1.5% of entry 50, within MAX_SPREAD_PCT 1.5%")),
            row("spread 1.52%", BrokerFacts.Quote(bid: 49.24, ask: 50),
                .rejects(.spreadTooWide, "spread 0.76 (bid 49.24, ask 50) is 1.52% of entry 50, above MAX_SPREAD_PCT 1.5%")),
            row("spread 1.48%", BrokerFacts.Quote(bid: 49.26, ask: 50),
                .passes("MAX_SPREAD_PCT", "spread 0.74 (bid 49.26, ask 50) is 1.48% of entry 50, within MAX_SPREAD_PCT 1.5%")),
            row("locked market", BrokerFacts.Quote(bid: 50, ask: 50),
                .passes("MAX_SPREAD_PCT", "spread 0 (bid 50, ask 50) is 0% of entry 50, within MAX_SPREAD_PCT 1.5%")),
            row("no quote", nil, .rejects(.noQuote, "no bid/ask quote for AAA: the spread cannot be checked before a live order")),
            row("zero bid", BrokerFacts.Quote(bid: 0, ask: 50), .rejects(.noQuote, "no bid/ask quote for AAA: the spread cannot be checked before a live order")),
            row("crossed quote", BrokerFacts.Quote(bid: 50.1, ask: 50), .rejects(.noQuote, "no bid/ask quote for AAA: the spread cannot be checked before a live order")),
            ScreenCase(name: "market checks off, no quote", candidate: candidate(),
                       expect: .passes("MAX_SPREAD_PCT", "skipped: TEST_MODE=true and MARKET_CHECKS_IN_TEST_MODE=false")),
        ])
    }

    func testSectorLimit() throws {
        let sectors = SectorMap(["AAA": "Tech", "BBB": "Tech", "CCC": "Tech", "DDD": "Energy"])
        let twoTech: (RiskEngine) throws -> Void = { engine in
            engine.committed(symbol: "AAA", broker: "other", risk: self.money("10.00"))
            engine.committed(symbol: "BBB", broker: "other", risk: self.money("10.00"))
        }
        try runScreens([
            ScreenCase(name: "third of a full sector", setup: twoTech, candidate: candidate("CCC"),
                       expect: .rejects(.sectorLimit, "2 positions are open in sector Tech; MAX_POSITIONS_PER_SECTOR is 2")),
            ScreenCase(name: "another sector", setup: twoTech, candidate: candidate("DDD"),
                       expect: .passes("MAX_POSITIONS_PER_SECTOR", "0 open in sector Energy of MAX_POSITIONS_PER_SECTOR 2")),
            ScreenCase(name: "unmapped symbol", setup: twoTech, candidate: candidate("EEE"),
                       expect: .passes("MAX_POSITIONS_PER_SECTOR", "EEE is not in the sector map: no sector limit")),
            ScreenCase(name: "lower-case symbol maps", setup: twoTech, candidate: candidate("ccc"),
                       expect: .rejects(.sectorLimit, "2 positions are open in sector Tech; MAX_POSITIONS_PER_SECTOR is 2")),
            ScreenCase(name: "one open in the sector", setup: { $0.committed(symbol: "AAA", broker: "other", risk: self.money("10.00")) },
                       candidate: candidate("CCC"),
                       expect: .passes("MAX_POSITIONS_PER_SECTOR", "1 open in sector Tech of MAX_POSITIONS_PER_SECTOR 2")),
            ScreenCase(name: "a reservation counts in its sector", setup: { engine in
                           engine.committed(symbol: "AAA", broker: "other", risk: self.money("10.00"))
                           guard case .eligible = self.screen(engine, self.candidate("BBB")) else { throw TestSupportError("BBB not eligible") }
                       }, candidate: candidate("CCC"),
                       expect: .rejects(.sectorLimit, "2 positions are open in sector Tech; MAX_POSITIONS_PER_SECTOR is 2")),
            ScreenCase(name: "MAX_POSITIONS_PER_SECTOR 3", limits: { $0.maxPerSector = 3 }, setup: twoTech, candidate: candidate("CCC"),
                       expect: .passes("MAX_POSITIONS_PER_SECTOR", "2 open in sector Tech of MAX_POSITIONS_PER_SECTOR 3")),
        ], sectors: sectors)
    }

    /// 41 daily closes of a base series; its returns vary with no simple period.
    private var baseCloses: [Double] {
        var closes = [50.0]
        for index in 1...40 { closes.append(closes[index - 1] * (1 + 0.01 * Double((index * 7) % 11 - 5) / 5)) }
        return closes
    }

    func testCorrelation() throws {
        let base = baseCloses
        let doubled = base.map { $0 * 2 }
        var mirrored = [30.0]
        for index in 1..<base.count { mirrored.append(mirrored[index - 1] * (1 - (base[index] / base[index - 1] - 1))) }
        var unrelated = [40.0]
        for index in 1..<base.count { unrelated.append(unrelated[index - 1] * (1 + 0.01 * Double((index * 3) % 7 - 3) / 3)) }
        let history: (RiskEngine) throws -> Void = { engine in
            self.feedDays(engine, "AAA", closes: base)
            self.feedDays(engine, "BBB", closes: doubled)
            self.feedDays(engine, "CCC", closes: mirrored)
            self.feedDays(engine, "DDD", closes: unrelated)
            self.feedDays(engine, "NEW", closes: Array(doubled.suffix(15)))
        }
        func withOpen(_ symbols: String...) -> (RiskEngine) throws -> Void {
            { engine in
                try history(engine)
                for symbol in symbols { engine.committed(symbol: symbol, broker: "other", risk: self.money("10.00")) }
            }
        }
        // The unrelated pair's value, measured on the same history the engine reads.
        let probe = try TestRisk.engine()
        try history(probe)
        let r = try XCTUnwrap(probe.history.returnCorrelation("DDD", "AAA", lookback: 30, minimumSamples: 15, before: Self.t0 / Self.day))
        XCTAssertLessThan(abs(r), 0.7)
        XCTAssertEqual(probe.history.returnCorrelation("BBB", "AAA", lookback: 30, minimumSamples: 15, before: Self.t0 / Self.day) ?? 0,
                       1, accuracy: 1e-12)
        XCTAssertEqual(probe.history.returnCorrelation("CCC", "AAA", lookback: 30, minimumSamples: 15, before: Self.t0 / Self.day) ?? 0,
                       -1, accuracy: 1e-9)

        try runScreens([
            ScreenCase(name: "perfectly correlated with an open position", setup: withOpen("AAA"), candidate: candidate("BBB"),
                       expect: .rejects(.correlation, "30-day return correlation of BBB with open AAA is 1.0000, above MAX_CORRELATION 0.7")),
            ScreenCase(name: "correlated the other way round", setup: withOpen("BBB"), candidate: candidate("AAA"),
                       expect: .rejects(.correlation, "30-day return correlation of AAA with open BBB is 1.0000, above MAX_CORRELATION 0.7")),
            ScreenCase(name: "anti-correlated", setup: withOpen("AAA"), candidate: candidate("CCC"),
                       expect: .passes("MAX_CORRELATION", "correlations within MAX_CORRELATION 0.7: AAA: -1.0000")),
            ScreenCase(name: "uncorrelated", setup: withOpen("AAA"), candidate: candidate("DDD"),
                       expect: .passes("MAX_CORRELATION", "correlations within MAX_CORRELATION 0.7: AAA: \(String(format: "%.4f", r))")),
            ScreenCase(name: "the first correlated open position rejects", setup: withOpen("CCC", "AAA"), candidate: candidate("BBB"),
                       expect: .rejects(.correlation, "30-day return correlation of BBB with open AAA is 1.0000, above MAX_CORRELATION 0.7")),
            ScreenCase(name: "open position without history", setup: withOpen("ZZZ"), candidate: candidate("AAA"),
                       expect: .passes("MAX_CORRELATION", "correlations within MAX_CORRELATION 0.7: ZZZ: not enough daily history")),
            ScreenCase(name: "14 returns are below the 15 needed", setup: withOpen("AAA"), candidate: candidate("NEW"),
                       expect: .passes("MAX_CORRELATION", "correlations within MAX_CORRELATION 0.7: AAA: not enough daily history")),
            ScreenCase(name: "several open positions listed", setup: withOpen("CCC", "ZZZ"), candidate: candidate("AAA"),
                       expect: .passes("MAX_CORRELATION", "correlations within MAX_CORRELATION 0.7: CCC: -1.0000, ZZZ: not enough daily history")),
            ScreenCase(name: "no open position", setup: history, candidate: candidate("BBB"),
                       expect: .passes("MAX_CORRELATION", "no open position to correlate with")),
            ScreenCase(name: "MAX_CORRELATION 1 allows a perfect pair", limits: { $0.maxCorrelation = 1 }, setup: withOpen("AAA"),
                       candidate: candidate("BBB"),
                       expect: .passes("MAX_CORRELATION", "correlations within MAX_CORRELATION 1: AAA: 1.0000")),
        ])
    }

    func testBrokerEligibility() throws {
        try runScreens([
            ScreenCase(name: "not tradable", candidate: candidate(), facts: facts(tradable: false),
                       expect: .rejects(.notTradable, "broker paper_broker says AAA is not tradable now")),
            ScreenCase(name: "tradable", candidate: candidate(), facts: facts(),
                       expect: .passes("BROKER_TRADABLE", "broker paper_broker trades AAA now")),
            ScreenCase(name: "no buying power", candidate: candidate(), facts: facts(buyingPower: "0"),
                       expect: .rejects(.accountRestricted, "broker paper_broker reports no buying power (0.00)")),
            ScreenCase(name: "negative buying power", candidate: candidate(), facts: facts(buyingPower: "-5.25"),
                       expect: .rejects(.accountRestricted, "broker paper_broker reports no buying power (-5.25)")),
            ScreenCase(name: "one unit of buying power", candidate: candidate(), facts: facts(buyingPower: "0.0001"),
                       expect: .passes("ACCOUNT", "buying power 0.00")),
            ScreenCase(name: "not tradable before the account", candidate: candidate(), facts: facts(tradable: false, buyingPower: "0"),
                       expect: .rejects(.notTradable, "broker paper_broker says AAA is not tradable now")),
        ])
    }

    // MARK: - 3. Sizing

    enum SizeExpect {
        case sized(quantityUnits: Int64, riskUnits: Int64, size: String)
        case rejects(RiskCode, String)
    }

    struct SizeCase {
        var name: String
        var limits: (inout RiskLimits) -> Void = { _ in }
        var setup: (RiskEngine) throws -> Void = { _ in }
        var entry: Double = 20
        var stop: Double = 18
        var moduleMaxRisk: Money? = nil
        var facts: BrokerFacts
        var share: Decimal
        var poolCap: Money
        var expect: SizeExpect
    }

    /// Capital 100000.00; the session begun with float 100000.00, so the cap is 2000.00 (2%),
    /// MAX_RISK_PER_TRADE 2500.00, MAX_POSITION_PCT 10000.00 of value, heat limit 3000.00.
    private func runSizing(_ cases: [SizeCase]) throws {
        for row in cases {
            var limits = RiskLimits.defaults
            row.limits(&limits)
            let engine = try TestRisk.engine(limits: limits, capital: money("100000.00"))
            try engine.beginSession(window(), broker: Self.broker, float: money("100000.00"), holdings: [:], at: Self.t0)
            try row.setup(engine)
            let entry = RoutedEntry(symbol: "AAA", side: .buy, entry: row.entry, stop: row.stop, target: row.entry * 2, route: "long")
            let result = engine.size(entry, candidate: candidate(entry: row.entry, stop: row.stop, target: row.entry * 2, moduleMaxRisk: row.moduleMaxRisk),
                                     facts: row.facts, share: row.share, poolCap: row.poolCap)
            switch (row.expect, result) {
            case let (.sized(quantity, risk, size), .sized(gotQuantity, gotRisk, checks)):
                XCTAssertEqual(gotQuantity.units, quantity, row.name)
                XCTAssertEqual(gotRisk.units, risk, row.name)
                XCTAssertEqual(checks.first { $0.rule == "SIZE" }?.detail, size, row.name)
                XCTAssertEqual(checks.map(\.rule), ["WEIGHTS", "MAX_RISK_PER_TRADE", "SIZE", "BROKER_MINIMUM", "MAX_PORTFOLIO_HEAT"], row.name)
                XCTAssertTrue(checks.allSatisfy(\.passed), row.name)
            case let (.rejects(code, detail), .rejected(gotCode, gotDetail, checks)):
                XCTAssertEqual(gotCode, code, row.name)
                XCTAssertEqual(gotDetail, detail, row.name)
                XCTAssertEqual(checks.last, RiskCheck(rule: checks.last?.rule ?? "", passed: false, code: code, detail: detail), row.name)
            default:
                XCTFail("\(row.name): expected \(row.expect), got \(result)")
            }
        }
    }

    func testSizingRiskAmountAndCaps() throws {
        let cap = money("2000.00")
        let shares: (Int64) -> Int64 = { $0 * Quantity.scale }
        let units: (String) -> Int64 = { self.money($0).units }
        try runSizing([
            SizeCase(name: "session weight bounds the risk", facts: facts(), share: dec("0.4"), poolCap: cap,
                     expect: .sized(quantityUnits: shares(400), riskUnits: units("800.00"), size: "400 shares (800.00 / 2 per share)")),
            SizeCase(name: "MAX_RISK_PER_TRADE bounds the risk", limits: { $0.maxRiskPerTrade = self.dec("0.005") }, facts: facts(),
                     share: 1, poolCap: cap,
                     expect: .sized(quantityUnits: shares(250), riskUnits: units("500.00"), size: "250 shares (500.00 / 2 per share)")),
            SizeCase(name: "module max bounds the risk", moduleMaxRisk: money("300.00"), facts: facts(), share: dec("0.4"), poolCap: cap,
                     expect: .sized(quantityUnits: shares(150), riskUnits: units("300.00"), size: "150 shares (300.00 / 2 per share)")),
            SizeCase(name: "a larger module max does not raise the risk", moduleMaxRisk: money("900.00"), facts: facts(), share: dec("0.4"),
                     poolCap: cap,
                     expect: .sized(quantityUnits: shares(400), riskUnits: units("800.00"), size: "400 shares (800.00 / 2 per share)")),
            SizeCase(name: "remaining cap below the weighted share", setup: { $0.committed(symbol: "X", broker: Self.broker, risk: self.money("1500.00")) },
                     facts: facts(), share: dec("0.4"), poolCap: cap,
                     expect: .sized(quantityUnits: shares(250), riskUnits: units("500.00"), size: "250 shares (500.00 / 2 per share)")),
            SizeCase(name: "MAX_POSITION_PCT caps the quantity", entry: 50, stop: 49, facts: facts(), share: 1, poolCap: cap,
                     expect: .sized(quantityUnits: shares(200), riskUnits: units("200.00"),
                                    size: "200 shares (2000.00 / 1 per share, capped at MAX_POSITION_PCT 10% of capital 100000.00)")),
            SizeCase(name: "buying power caps the quantity", facts: facts(buyingPower: "1000.00"), share: dec("0.4"), poolCap: cap,
                     expect: .sized(quantityUnits: shares(50), riskUnits: units("100.00"),
                                    size: "50 shares (800.00 / 2 per share, capped by buying power 1000.00)")),
            SizeCase(name: "fractional quantity", entry: 30, stop: 27, facts: facts(), share: dec("0.4"), poolCap: cap,
                     expect: .sized(quantityUnits: 266_666_666_666, riskUnits: units("800.00"),
                                    size: "266.666666666 shares (800.00 / 3 per share)")),
            SizeCase(name: "broker takes no fractions", entry: 30, stop: 27, facts: facts(fractional: false), share: dec("0.4"), poolCap: cap,
                     expect: .sized(quantityUnits: shares(266), riskUnits: units("798.00"),
                                    size: "266 shares (800.00 / 3 per share, whole shares: broker paper_broker takes no fractions of AAA)")),
            SizeCase(name: "FRACTIONAL=false", limits: { $0.fractional = false }, entry: 30, stop: 27, facts: facts(), share: dec("0.4"),
                     poolCap: cap,
                     expect: .sized(quantityUnits: shares(266), riskUnits: units("798.00"),
                                    size: "266 shares (800.00 / 3 per share, whole shares: FRACTIONAL=false)")),
        ])
    }

    func testSizingZeroAndBrokerMinimums() throws {
        let oneShare = Quantity(shares: 1)
        try runSizing([
            SizeCase(name: "whole shares round down to 0", entry: 50, stop: 10, facts: facts(fractional: false), share: 1,
                     poolCap: money("10.00"),
                     expect: .rejects(.sizeZero, "sized quantity is 0 (10.00 / 40 per share, whole shares: broker paper_broker takes no fractions of AAA)")),
            SizeCase(name: "FRACTIONAL=false rounds down to 0", limits: { $0.fractional = false }, entry: 50, stop: 10, facts: facts(), share: 1,
                     poolCap: money("10.00"),
                     expect: .rejects(.sizeZero, "sized quantity is 0 (10.00 / 40 per share, whole shares: FRACTIONAL=false)")),
            SizeCase(name: "below the minimum quantity", entry: 50, stop: 10,
                     facts: facts(minimum: OrderMinimum(quantity: oneShare, notional: .zero)), share: 1, poolCap: money("10.00"),
                     expect: .rejects(.belowBrokerMinimum, "quantity 0.25 is below broker paper_broker's minimum 1 for AAA")),
            SizeCase(name: "one unit below the minimum quantity", entry: 50, stop: 10,
                     facts: facts(minimum: OrderMinimum(quantity: oneShare, notional: .zero)), share: 1, poolCap: money("39.9999"),
                     expect: .rejects(.belowBrokerMinimum, "quantity 0.9999975 is below broker paper_broker's minimum 1 for AAA")),
            SizeCase(name: "exactly the minimum quantity and value", entry: 50, stop: 10,
                     facts: facts(minimum: OrderMinimum(quantity: oneShare, notional: money("50.00"))), share: 1, poolCap: money("40.00"),
                     expect: .sized(quantityUnits: Quantity.scale, riskUnits: money("40.00").units, size: "1 shares (40.00 / 40 per share)")),
            SizeCase(name: "value one cent below the minimum", entry: 50, stop: 10,
                     facts: facts(minimum: OrderMinimum(quantity: oneShare, notional: money("50.01"))), share: 1, poolCap: money("40.00"),
                     expect: .rejects(.belowBrokerMinimum, "order value 50.00 is below broker paper_broker's minimum 50.01 for AAA")),
            SizeCase(name: "value one unit below the minimum", entry: 50, stop: 10,
                     facts: facts(minimum: OrderMinimum(quantity: oneShare, notional: money("50.0001"))), share: 1, poolCap: money("40.00"),
                     expect: .rejects(.belowBrokerMinimum, "order value 50.00 is below broker paper_broker's minimum 50.00 for AAA")),
        ])
    }

    func testSizingHeatAndSessionCap() throws {
        let cap = money("2000.00")
        let shares: (Int64) -> Int64 = { $0 * Quantity.scale }
        func open(_ risk: String, at broker: String = "other") -> (RiskEngine) throws -> Void {
            { $0.committed(symbol: "X", broker: broker, risk: self.money(risk)) }
        }
        try runSizing([
            SizeCase(name: "heat exactly 3%", setup: open("2200.00"), facts: facts(), share: dec("0.4"), poolCap: cap,
                     expect: .sized(quantityUnits: shares(400), riskUnits: money("800.00").units, size: "400 shares (800.00 / 2 per share)")),
            SizeCase(name: "heat one unit over 3%", setup: open("2200.0001"), facts: facts(), share: dec("0.4"), poolCap: cap,
                     expect: .rejects(.heatLimit, "open risk 2200.00 + this trade's 800.00 = 3000.00 is above MAX_PORTFOLIO_HEAT 3% of capital (3000.00)")),
            SizeCase(name: "heat over 3%", setup: open("2300.00"), facts: facts(), share: dec("0.4"), poolCap: cap,
                     expect: .rejects(.heatLimit, "open risk 2300.00 + this trade's 800.00 = 3100.00 is above MAX_PORTFOLIO_HEAT 3% of capital (3000.00)")),
            SizeCase(name: "a recovered holding counts MAX_RISK_PER_TRADE of capital", setup: { engine in
                         try engine.beginSession(self.window(), broker: Self.broker, float: self.money("100000.00"),
                                                 holdings: ["HELD": self.money("5000.00")], at: Self.t0)
                     }, facts: facts(), share: dec("0.25"), poolCap: cap,
                     expect: .sized(quantityUnits: shares(250), riskUnits: money("500.00").units, size: "250 shares (500.00 / 2 per share)")),
            SizeCase(name: "a recovered holding plus one cent over", setup: { engine in
                         try engine.beginSession(self.window(), broker: Self.broker, float: self.money("100000.00"),
                                                 holdings: ["HELD": self.money("5000.00")], at: Self.t0)
                     }, facts: facts(), share: dec("0.2505"), poolCap: cap,
                     expect: .rejects(.heatLimit, "open risk 2500.00 + this trade's 501.00 = 3001.00 is above MAX_PORTFOLIO_HEAT 3% of capital (3000.00)")),
            SizeCase(name: "session cap used up", setup: open("2000.00", at: Self.broker), facts: facts(), share: 1, poolCap: cap,
                     expect: .rejects(.sessionCapExhausted, "the session cap of broker paper_broker is used up (2000.00 at TOTAL_ALLOCATION 2%)")),
            SizeCase(name: "one unit of cap left", setup: open("1999.9999", at: Self.broker), entry: 50, stop: 40, facts: facts(), share: 1, poolCap: cap,
                     expect: .sized(quantityUnits: 10_000, riskUnits: 1, size: "0.00001 shares (0.00 / 10 per share)")),
            SizeCase(name: "broker without a session", facts: facts("nobody"), share: 1, poolCap: cap,
                     expect: .rejects(.sessionCapExhausted, "the session cap of broker nobody is used up (0.00 at TOTAL_ALLOCATION 2%)")),
        ])
    }

    func testSizingRecordsEachStep() throws {
        let engine = try TestRisk.engine(capital: money("100000.00"))
        try engine.beginSession(window(), broker: Self.broker, float: money("100000.00"), holdings: [:], at: Self.t0)
        XCTAssertEqual(engine.remainingCap(broker: Self.broker), money("2000.00"))
        let entry = RoutedEntry(symbol: "AAA", side: .buy, entry: 20, stop: 18, target: 23, route: "long")
        let result = engine.size(entry, candidate: candidate(entry: 20, stop: 18, target: 23), facts: facts(), share: dec("0.4"),
                                 poolCap: money("2000.00"))
        XCTAssertEqual(result, .sized(quantity: Quantity(shares: 400), risk: money("800.00"), checks: [
            RiskCheck(rule: "WEIGHTS", passed: true, detail: "weight 40% of session cap 2000.00 = 800.00"),
            RiskCheck(rule: "MAX_RISK_PER_TRADE", passed: true, detail: "risk amount 800.00, set by the session weight"),
            RiskCheck(rule: "SIZE", passed: true, detail: "400 shares (800.00 / 2 per share)"),
            RiskCheck(rule: "BROKER_MINIMUM", passed: true, detail: "quantity 400 and value 8000.00 meet the minimums 0.000000001 and 0.00"),
            RiskCheck(rule: "MAX_PORTFOLIO_HEAT", passed: true, detail: "open risk 0.00 + 800.00 = 800.00 within 3000.00"),
        ]))
        let bounded = engine.size(entry, candidate: candidate(entry: 20, stop: 18, target: 23, moduleMaxRisk: money("300.00")),
                                  facts: facts(), share: dec("0.4"), poolCap: money("2000.00"))
        guard case let .sized(_, _, checks) = bounded else { return XCTFail("not sized: \(bounded)") }
        XCTAssertEqual(checks[1].detail, "risk amount 300.00, set by the module max_risk_per_trade 300.00")

        var limits = RiskLimits.defaults
        limits.maxRiskPerTrade = dec("0.005")
        let small = try TestRisk.engine(limits: limits, capital: money("100000.00"))
        try small.beginSession(window(), broker: Self.broker, float: money("100000.00"), holdings: [:], at: Self.t0)
        guard case let .sized(_, _, perTrade) = small.size(entry, candidate: candidate(entry: 20, stop: 18, target: 23), facts: facts(),
                                                          share: 1, poolCap: money("2000.00")) else { return XCTFail("not sized") }
        XCTAssertEqual(perTrade[1].detail, "risk amount 500.00, set by the MAX_RISK_PER_TRADE 0.5% of capital 100000.00")
    }

    // MARK: - 4. Kill switch and circuit breaker

    func testKillSwitchIsolatesOneBroker() throws {
        let folder = try temporaryFolder()
        let flag: (String) -> URL = { URL(fileURLWithPath: folder + "/flag_\($0).json") }
        var limits = RiskLimits.defaults
        limits.circuitBreakerLoss = dec("0.5")  // keeps the portfolio breaker (10000.00 of 20000.00) out of the way
        let journal = try RiskJournal()
        let engine = try TestRisk.engine(limits: limits, brokers: ["alpha", "beta"], journal: journal, flagFile: flag)
        for broker in ["alpha", "beta"] {
            try engine.beginSession(window(), broker: broker, float: money("10000.00"), holdings: [:], at: Self.t0)
        }
        let reason = "realized loss 500.00 today exceeds DAILY_LOSS_LIMIT 5% of float 10000.00 (500.00)"
        let firedAt = Self.t0 + 3 * Self.minute
        let steps: [(pnl: String, broker: String, at: Int64, fired: [RiskEngine.Firing])] = [
            ("-300.00", "alpha", Self.t0 + Self.minute, []),
            ("-200.00", "alpha", Self.t0 + 2 * Self.minute, []),
            ("-450.00", "beta", Self.t0 + 2 * Self.minute, []),
            ("-0.0001", "alpha", firedAt, [RiskEngine.Firing(broker: "alpha", reason: reason)]),
            ("-100.00", "alpha", Self.t0 + 4 * Self.minute, []),
            ("-50.00", "beta", Self.t0 + 5 * Self.minute, []),
        ]
        for step in steps {
            let fired = try engine.realized(money(step.pnl), symbol: "X", broker: step.broker, at: step.at)
            XCTAssertEqual(fired, step.fired, "\(step.pnl) at \(step.broker)")
        }
        XCTAssertEqual(engine.isHalted(broker: "alpha"), reason)
        XCTAssertNil(engine.isHalted(broker: "beta"))

        check(screen(engine, candidate("AAA"), facts: facts("alpha")),
              .rejects(.killSwitch, "broker alpha is halted for the day: \(reason)"), "alpha halted")
        check(screen(engine, candidate("BBB"), facts: facts("beta")),
              .passes("KILL_SWITCH", "broker beta is not halted"), "beta trades on")

        XCTAssertEqual(ShutdownFlag.read(flag("alpha")),
                       ShutdownFlag.Content(broker: "alpha", day: Self.t0 / Self.day, firedAt: "2024-01-02T14:33:00Z", reason: reason))
        XCTAssertNil(ShutdownFlag.read(flag("beta")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: flag("beta").path))
        XCTAssertEqual(try journal.killSwitchEvents(), [KillSwitchEvent(firedNanoseconds: firedAt, day: Self.t0 / Self.day, broker: "alpha",
                                                                        realized: Money(units: -5_000_001), limit: money("500.00"), reason: reason)])
        XCTAssertEqual(try journal.killSwitchEvents(broker: "beta"), [])
        let critical = try journal.events().filter { $0.subject == "kill_switch:alpha" }
        XCTAssertEqual(critical.map(\.message), ["kill switch: broker alpha halted for the rest of the UTC day: \(reason)"])
        XCTAssertEqual(critical.map(\.level), [.critical])
    }

    func testKillSwitchSurvivesRestartTheSameDayAndClearsTheNextDay() throws {
        let folder = try temporaryFolder()
        let flag: (String) -> URL = { URL(fileURLWithPath: folder + "/flag_\($0).json") }
        var limits = RiskLimits.defaults
        limits.circuitBreakerLoss = dec("0.5")
        let journal = try RiskJournal()
        let first = try TestRisk.engine(limits: limits, brokers: ["alpha", "beta"], journal: journal, flagFile: flag)
        for broker in ["alpha", "beta"] {
            try first.beginSession(window(), broker: broker, float: money("10000.00"), holdings: [:], at: Self.t0)
        }
        let reason = "realized loss 500.01 today exceeds DAILY_LOSS_LIMIT 5% of float 10000.00 (500.00)"
        XCTAssertEqual(try first.realized(money("-500.01"), symbol: "X", broker: "alpha", at: Self.t0 + Self.minute),
                       [RiskEngine.Firing(broker: "alpha", reason: reason)])
        XCTAssertEqual(try first.realized(money("-400.00"), symbol: "Y", broker: "beta", at: Self.t0 + Self.minute), [])

        // A restart the same day over the same journal: alpha is still halted, beta's loss so far still counts.
        let later = Self.t0 + Self.hour
        let second = try TestRisk.engine(limits: limits, brokers: ["alpha", "beta"], journal: journal)
        for broker in ["alpha", "beta"] {
            try second.beginSession(window("mid", at: later), broker: broker, float: money("9500.00"), holdings: [:], at: later)
        }
        XCTAssertEqual(second.isHalted(broker: "alpha"), reason)
        XCTAssertNil(second.isHalted(broker: "beta"))
        check(screen(second, candidate("AAA"), facts: facts("alpha"), session: "mid", at: later),
              .rejects(.killSwitch, "broker alpha is halted for the day: \(reason)"), "alpha after restart")
        check(screen(second, candidate("BBB"), facts: facts("beta"), session: "mid", at: later),
              .passes("KILL_SWITCH", "broker beta is not halted"), "beta after restart")
        // beta: 400.00 lost before the restart; the day's limit is 5% of the float at the day's start after the restart (9500.00).
        XCTAssertEqual(try second.realized(money("-75.00"), symbol: "Y", broker: "beta", at: later + Self.minute), [])
        XCTAssertEqual(try second.realized(money("-0.0001"), symbol: "Y", broker: "beta", at: later + 2 * Self.minute),
                       [RiskEngine.Firing(broker: "beta", reason: "realized loss 475.00 today exceeds DAILY_LOSS_LIMIT 5% of float 9500.00 (475.00)")])

        // A restart with a fresh journal still finds the shutdown flag of the day.
        let fromFlag = try TestRisk.engine(limits: limits, brokers: ["alpha", "beta"], journal: RiskJournal(), flagFile: flag)
        try fromFlag.beginSession(window("mid", at: later), broker: "alpha", float: money("10000.00"), holdings: [:], at: later)
        XCTAssertEqual(fromFlag.isHalted(broker: "alpha"), reason)

        // The next UTC day every broker is free again.
        let tomorrow = Self.t0 + Self.day
        for engine in [second, fromFlag] {
            try engine.beginSession(window(at: tomorrow), broker: "alpha", float: money("9499.99"), holdings: [:], at: tomorrow)
            XCTAssertNil(engine.isHalted(broker: "alpha"))
            check(screen(engine, candidate("AAA"), facts: facts("alpha"), at: tomorrow),
                  .passes("KILL_SWITCH", "broker alpha is not halted"), "alpha the next day")
        }
        // A fresh engine the next day over the journal is not halted either.
        let third = try TestRisk.engine(limits: limits, brokers: ["alpha", "beta"], journal: journal, flagFile: flag)
        try third.beginSession(window(at: tomorrow), broker: "alpha", float: money("9499.99"), holdings: [:], at: tomorrow)
        XCTAssertNil(third.isHalted(broker: "alpha"))
    }

    /// A loss realized on a new UTC day before that day's first session (an overnight position
    /// stopped out before the open) belongs to the new day, not to the day before.
    func testKillSwitchCountsAnEarlyLossForItsOwnDay() throws {
        var limits = RiskLimits.defaults
        limits.circuitBreakerLoss = dec("0.5")
        let engine = try TestRisk.engine(limits: limits)
        try engine.beginSession(window(), broker: Self.broker, float: money("10000.00"), holdings: [:], at: Self.t0)
        XCTAssertEqual(try engine.realized(money("-400.00"), symbol: "X", broker: Self.broker, at: Self.t0 + Self.minute), [])
        // 2024-01-03T13:00:00Z, before the day's first session: 200.00 lost today, within today's 500.00.
        let early = Self.t0 + Self.day - 90 * Self.minute
        XCTAssertEqual(try engine.realized(money("-200.00"), symbol: "Y", broker: Self.broker, at: early), [],
                       "a loss of the new day must not be added to the previous day's total")
        XCTAssertEqual(try engine.journal.killSwitchEvents(), [])
    }

    /// The other side of the same rule: 600.00 lost before the day's first session must leave the
    /// broker halted for that day once the session begins.
    func testKillSwitchHaltsForAnEarlyLossOfTheDay() throws {
        var limits = RiskLimits.defaults
        limits.circuitBreakerLoss = dec("0.5")
        let engine = try TestRisk.engine(limits: limits)
        try engine.beginSession(window(), broker: Self.broker, float: money("10000.00"), holdings: [:], at: Self.t0)
        let tomorrow = Self.t0 + Self.day
        _ = try engine.realized(money("-600.00"), symbol: "Y", broker: Self.broker, at: tomorrow - 90 * Self.minute)
        try engine.beginSession(window(at: tomorrow), broker: Self.broker, float: money("9400.00"), holdings: [:], at: tomorrow)
        XCTAssertNotNil(engine.isHalted(broker: Self.broker), "600.00 lost today is above DAILY_LOSS_LIMIT 5% of the float")
        guard case let .rejected(code, _, _) = screen(engine, candidate(), at: tomorrow) else {
            return XCTFail("an entry was allowed after 600.00 was lost today")
        }
        XCTAssertEqual(code, .killSwitch)
        XCTAssertEqual(try engine.journal.killSwitchEvents().map(\.day), [tomorrow / Self.day])
    }

    func testCircuitBreakerBlocksEveryBroker() throws {
        var limits = RiskLimits.defaults
        limits.dailyLossLimit = dec("0.5")  // per-broker kill switch at 5000.00 of 10000.00: out of the way
        XCTAssertEqual(limits.circuitBreakerLoss, dec("0.02"))
        let engine = try TestRisk.engine(limits: limits, brokers: ["alpha", "beta"], capital: money("100000.00"))
        for broker in ["alpha", "beta"] {
            try engine.beginSession(window(), broker: broker, float: money("10000.00"), holdings: [:], at: Self.t0)
        }
        let reason = "realized loss 2000.00 today across all brokers exceeds CIRCUIT_BREAKER_DAILY_LOSS 2% of capital 100000.00 (2000.00)"
        let steps: [(pnl: String, broker: String, fired: [RiskEngine.Firing])] = [
            ("-1500.00", "alpha", []),
            ("300.00", "alpha", []),
            ("-800.00", "beta", []),
            ("-0.0001", "beta", [RiskEngine.Firing(broker: nil, reason: reason)]),
            ("-100.00", "alpha", []),
        ]
        for (index, step) in steps.enumerated() {
            let fired = try engine.realized(money(step.pnl), symbol: "X", broker: step.broker, at: Self.t0 + Int64(index + 1) * Self.minute)
            XCTAssertEqual(fired, step.fired, "\(step.pnl) at \(step.broker)")
        }
        for (symbol, broker) in [("AAA", "alpha"), ("BBB", "beta")] {
            check(screen(engine, candidate(symbol), facts: facts(broker)),
                  .rejects(.circuitBreaker, "the daily circuit breaker is open: \(reason)"), "\(broker) blocked")
            XCTAssertNil(engine.isHalted(broker: broker))
        }
        XCTAssertEqual(try engine.journal.events().filter { $0.subject == "circuit_breaker" }.map(\.message),
                       ["circuit breaker: every entry blocked until the next UTC day: \(reason)"])

        let tomorrow = Self.t0 + Self.day
        for broker in ["alpha", "beta"] {
            try engine.beginSession(window(at: tomorrow), broker: broker, float: money("10000.00"), holdings: [:], at: tomorrow)
        }
        check(screen(engine, candidate("AAA"), facts: facts("alpha"), at: tomorrow),
              .passes("CIRCUIT_BREAKER", "circuit breaker closed"), "next day")
    }

    /// "every entry blocked until the next UTC day": a restart the same day over the same journal
    /// must not reopen the circuit breaker (the kill switch does survive a restart).
    func testCircuitBreakerHoldsAfterARestartTheSameDay() throws {
        var limits = RiskLimits.defaults
        limits.dailyLossLimit = dec("0.5")
        let journal = try RiskJournal()
        let engine = try TestRisk.engine(limits: limits, brokers: ["alpha", "beta"], capital: money("100000.00"), journal: journal)
        for broker in ["alpha", "beta"] {
            try engine.beginSession(window(), broker: broker, float: money("10000.00"), holdings: [:], at: Self.t0)
        }
        XCTAssertEqual(try engine.realized(money("-2000.01"), symbol: "X", broker: "alpha", at: Self.t0 + Self.minute).map(\.broker), [nil])

        let later = Self.t0 + Self.hour
        let restarted = try TestRisk.engine(limits: limits, brokers: ["alpha", "beta"], capital: money("100000.00"), journal: journal)
        for broker in ["alpha", "beta"] {
            try restarted.beginSession(window("mid", at: later), broker: broker, float: money("10000.00"), holdings: [:], at: later)
        }
        for (symbol, broker) in [("AAA", "alpha"), ("BBB", "beta")] {
            let result = screen(restarted, candidate(symbol), facts: facts(broker), session: "mid", at: later)
            guard case let .rejected(code, _, _) = result else {
                XCTFail("\(broker): entry allowed after a restart although 2000.01 was lost today (circuit breaker at 2000.00)")
                continue
            }
            XCTAssertEqual(code, .circuitBreaker, broker)
        }
    }

    // MARK: - 5. Defense Mode

    private func defenseEngine(_ limits: RiskLimits = .defaults, journal: RiskJournal? = nil) throws -> RiskEngine {
        try TestRisk.engine(limits: limits, journal: journal)
    }

    private func assertDefenseLimits(_ engine: RiskEngine, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(engine.defense.active, file: file, line: line)
        XCTAssertTrue(engine.inForce.defenseApplied, file: file, line: line)
        XCTAssertEqual(engine.inForce.totalAllocation, dec("0.01"), file: file, line: line)
        XCTAssertEqual(engine.inForce.maxTrades, 2, file: file, line: line)
        XCTAssertEqual(engine.inForce.maxConcurrentPerBroker, 1, file: file, line: line)
        XCTAssertEqual(engine.inForce.weights, decs(["0.6", "0.4"]), file: file, line: line)
    }

    private func activationMessage(_ reasons: [String]) -> String {
        "Defense Mode activated: \(reasons.joined(separator: "; ")). Limits in force: TOTAL_ALLOCATION 1%, MAX_TRADES 2, "
            + "MAX_CONCURRENT_TRADES_PER_BROKER 1, WEIGHTS 0.6,0.4"
    }

    func testDefenseWinRateTrigger() throws {
        let rows: [(name: String, losses: Int, wins: Int, evaluateAt: Int64, reason: String?)] = [
            ("10 losses", 10, 0, Self.t0 + Self.hour, "win rate 0% of 10 trades in 30 days is below 50%"),
            ("9 losses: below DEFENSE_MIN_TRADES", 9, 0, Self.t0 + Self.hour, nil),
            ("6 losses, 4 wins", 6, 4, Self.t0 + Self.hour, "win rate 40% of 10 trades in 30 days is below 50%"),
            ("5 losses, 5 wins: 50% is not below", 5, 5, Self.t0 + Self.hour, nil),
            ("10 losses 30 days before", 10, 0, Self.t0 + 30 * Self.day, "win rate 0% of 10 trades in 30 days is below 50%"),
            ("10 losses 30 days and a minute before", 10, 0, Self.t0 + 30 * Self.day + Self.minute, nil),
        ]
        for row in rows {
            let journal = try RiskJournal()
            let engine = try defenseEngine(journal: journal)
            XCTAssertEqual(try engine.beginSession(window(), broker: Self.broker, float: money("10000.00"), holdings: [:], at: Self.t0), [])
            // Losses first, then wins; each trade a minute apart from t0 on.
            for index in 0..<(row.losses + row.wins) {
                let pnl = index < row.losses ? "-1.00" : "1.00"
                XCTAssertEqual(try engine.realized(money(pnl), symbol: "X", broker: Self.broker, at: Self.t0 + Int64(index) * Self.minute), [],
                               row.name)
            }
            XCTAssertFalse(engine.defense.active, row.name)
            let events = try engine.beginSession(window("mid", at: row.evaluateAt), broker: Self.broker, float: money("10000.00"),
                                                 holdings: [:], at: row.evaluateAt)
            guard let reason = row.reason else {
                XCTAssertFalse(engine.defense.active, row.name)
                XCTAssertEqual(events, [], row.name)
                XCTAssertEqual(try journal.defenseLog(), [], row.name)
                XCTAssertEqual(engine.inForce, RiskLimits.defaults, row.name)
                continue
            }
            assertDefenseLimits(engine)
            XCTAssertEqual(engine.defense.reasons, [reason], row.name)
            XCTAssertEqual(engine.defense.since, row.evaluateAt, row.name)
            XCTAssertEqual(engine.remainingCap(broker: Self.broker), money("100.00"), row.name)
            XCTAssertEqual(engine.remainingSlots(broker: Self.broker), 2, row.name)
            XCTAssertEqual(events.map(\.message), [activationMessage([reason])], row.name)
            XCTAssertEqual(events.map(\.level), [.critical], row.name)
            XCTAssertEqual(events.map(\.subject), ["defense_mode"], row.name)
            let log = try journal.defenseLog()
            XCTAssertEqual(log.map(\.event), [.activated], row.name)
            XCTAssertEqual(log.first?.reasons, [reason], row.name)
            XCTAssertEqual(log.first?.atNanoseconds, row.evaluateAt, row.name)
            XCTAssertEqual(log.first?.limits.maxTrades, 2, row.name)
            XCTAssertEqual(log.first?.limits.totalAllocation, dec("0.01"), row.name)
            XCTAssertEqual(log.first?.limits.weights, decs(["0.6", "0.4"]), row.name)
            XCTAssertEqual(log.first?.limits.defenseApplied, true, row.name)
            XCTAssertEqual(log.first?.limits, engine.inForce, row.name)

            // Reduced concurrency applies to screening: one open position fills the broker.
            engine.committed(symbol: "HELD", broker: Self.broker, risk: money("10.00"))
            check(screen(engine, candidate(), session: "mid", at: row.evaluateAt),
                  .rejects(.brokerConcurrency, "1 positions are open at paper_broker; MAX_CONCURRENT_TRADES_PER_BROKER is 1"), row.name)
            // Another engine over the same journal starts in Defense Mode.
            let restored = try defenseEngine(journal: journal)
            XCTAssertEqual(restored.defense.active, true, row.name)
            XCTAssertEqual(restored.defense.reasons, [reason], row.name)
            XCTAssertEqual(restored.defense.since, row.evaluateAt, row.name)
        }
    }

    func testDefenseFloatDrawdownTrigger() throws {
        let rows: [(float: String, reason: String?)] = [
            ("8499.99", "broker paper_broker float 8499.99 is 15% below its starting float 10000.00 (limit 15%)"),
            ("8500.00", nil),
            ("7000.00", "broker paper_broker float 7000.00 is 30% below its starting float 10000.00 (limit 15%)"),
            ("12000.00", nil),
        ]
        for row in rows {
            let journal = try RiskJournal()
            let engine = try defenseEngine(journal: journal)
            try engine.beginSession(window(), broker: Self.broker, float: money("10000.00"), holdings: [:], at: Self.t0)
            let later = Self.t0 + Self.day
            let events = try engine.beginSession(window(at: later), broker: Self.broker, float: money(row.float), holdings: [:], at: later)
            guard let reason = row.reason else {
                XCTAssertFalse(engine.defense.active, row.float)
                XCTAssertEqual(events, [], row.float)
                XCTAssertEqual(try journal.defenseLog(), [], row.float)
                continue
            }
            assertDefenseLimits(engine)
            XCTAssertEqual(engine.defense.reasons, [reason], row.float)
            XCTAssertEqual(events.map(\.message), [activationMessage([reason])], row.float)
            XCTAssertEqual(try journal.defenseLog().map(\.reasons), [[reason]], row.float)
            XCTAssertEqual(engine.remainingCap(broker: Self.broker), Money(money(row.float).decimal * dec("0.01"), roundingDown: true), row.float)
        }
    }

    /// The float trigger reads "a broker's float": a second broker's drawdown must count too, not
    /// only the float of whichever broker happens to begin each session first.
    func testDefenseFloatDrawdownOfASecondBroker() throws {
        let engine = try TestRisk.engine(brokers: ["alpha", "beta"])
        for (offset, betaFloat) in [(Int64(0), "10000.00"), (1, "8000.00"), (2, "8000.00")] {
            let start = Self.t0 + offset * Self.day
            try engine.beginSession(window(at: start), broker: "alpha", float: money("10000.00"), holdings: [:], at: start)
            try engine.beginSession(window(at: start), broker: "beta", float: money(betaFloat), holdings: [:], at: start)
        }
        XCTAssertTrue(engine.defense.active, "beta's float has been 20% below its starting float for two sessions")
        XCTAssertTrue(engine.defense.reasons.contains("broker beta float 8000.00 is 20% below its starting float 10000.00 (limit 15%)"),
                      "\(engine.defense.reasons)")
    }

    func testDefenseKillSwitchTrigger() throws {
        let reason = "kill switch fired 3 times in the last 20 trading days (limit 2)"
        // Days after t0 (Tuesday 2024-01-02): 1 = Wed 01-03, 2 = Thu 01-04, 3 = Fri 01-05, 27 = Mon 01-29, 28 = Tue 01-30.
        let rows: [(name: String, firingDays: [Int64], evaluateDay: Int64, active: Bool)] = [
            ("3 firings", [0, 1, 2], 3, true),
            ("2 firings", [0, 1], 3, false),
            ("3 firings, the first the 20th trading day back", [0, 1, 2], 27, true),
            ("3 firings, the first the 21st trading day back", [0, 1, 2], 28, false),
        ]
        for row in rows {
            let journal = try RiskJournal()
            let engine = try defenseEngine(journal: journal)
            for day in row.firingDays {
                let start = Self.t0 + day * Self.day
                try engine.beginSession(window(at: start), broker: Self.broker, float: money("10000.00"), holdings: [:], at: start)
                XCTAssertFalse(engine.defense.active, row.name)
                let fired = try engine.realized(money("-600.00"), symbol: "X", broker: Self.broker, at: start + Self.minute)
                XCTAssertEqual(fired.first?.broker, Self.broker, row.name)
            }
            XCTAssertEqual(try journal.killSwitchEvents().count, row.firingDays.count, row.name)
            let start = Self.t0 + row.evaluateDay * Self.day
            let events = try engine.beginSession(window(at: start), broker: Self.broker, float: money("10000.00"), holdings: [:], at: start)
            XCTAssertEqual(engine.defense.active, row.active, row.name)
            if row.active {
                assertDefenseLimits(engine)
                XCTAssertEqual(engine.defense.reasons, [reason], row.name)
                XCTAssertEqual(events.map(\.message), [activationMessage([reason])], row.name)
                XCTAssertEqual(try journal.defenseLog().map(\.event), [.activated], row.name)
            } else {
                XCTAssertEqual(events, [], row.name)
            }
        }
    }

    /// Defense Mode activated by 10 losses at the "mid" session of t0; returns the engine and the activation time.
    private func activatedEngine(journal: RiskJournal) throws -> (RiskEngine, Int64) {
        let engine = try defenseEngine(journal: journal)
        try engine.beginSession(window(), broker: Self.broker, float: money("10000.00"), holdings: [:], at: Self.t0)
        for index in 0..<10 {
            _ = try engine.realized(money("-1.00"), symbol: "X", broker: Self.broker, at: Self.t0 + Int64(index) * Self.minute)
        }
        let activation = Self.t0 + Self.hour
        try engine.beginSession(window("mid", at: activation), broker: Self.broker, float: money("10000.00"), holdings: [:], at: activation)
        XCTAssertTrue(engine.defense.active)
        return (engine, activation)
    }

    func testDefenseExitOnWinRate() throws {
        let exitReason = "win rate 56.67% over the last 60 trades is above 55%"
        // (name, results in time order after activation, deactivates)
        let rows: [(name: String, results: [Bool], exits: Bool)] = [
            ("34 of 60 won", Array(repeating: true, count: 34) + Array(repeating: false, count: 26), true),
            ("33 of 60 won: 55% is not above", Array(repeating: true, count: 33) + Array(repeating: false, count: 27), false),
            ("59 trades", Array(repeating: true, count: 59), false),
            ("interleaved, 34 of 60 won", (0..<60).map { $0 % 30 < 17 }, true),
            ("only the last 60 count: 10 wins then 33 of 60", Array(repeating: true, count: 10) + Array(repeating: false, count: 27)
                + Array(repeating: true, count: 33), false),
            ("only the last 60 count: 10 losses then 34 of 60", Array(repeating: false, count: 10) + Array(repeating: true, count: 34)
                + Array(repeating: false, count: 26), true),
        ]
        for row in rows {
            let journal = try RiskJournal()
            let (engine, activation) = try activatedEngine(journal: journal)
            for (index, won) in row.results.enumerated() {
                _ = try engine.realized(money(won ? "1.00" : "-1.00"), symbol: "X", broker: Self.broker,
                                        at: activation + Int64(index + 1) * 1_000_000_000)
            }
            let close = Self.t0 + 5 * Self.hour
            let events = try engine.beginSession(window("close", at: close), broker: Self.broker, float: money("10000.00"), holdings: [:], at: close)
            guard row.exits else {
                XCTAssertTrue(engine.defense.active, row.name)
                XCTAssertEqual(events, [], row.name)
                XCTAssertEqual(try journal.defenseLog().map(\.event), [.activated], row.name)
                continue
            }
            XCTAssertFalse(engine.defense.active, row.name)
            XCTAssertEqual(engine.defense, DefenseState(), row.name)
            XCTAssertEqual(engine.inForce, RiskLimits.defaults, row.name)
            XCTAssertEqual(engine.remainingCap(broker: Self.broker), money("200.00"), row.name)
            XCTAssertEqual(events.map(\.message), ["Defense Mode deactivated: \(exitReason); normal limits in force"], row.name)
            XCTAssertEqual(events.map(\.level), [.info], row.name)
            let log = try journal.defenseLog()
            XCTAssertEqual(log.map(\.event), [.activated, .deactivated], row.name)
            XCTAssertEqual(log.last?.reasons, [exitReason], row.name)
            XCTAssertEqual(log.last?.atNanoseconds, close, row.name)
            XCTAssertEqual(log.last?.limits.defenseApplied, false, row.name)
            XCTAssertEqual(log.last?.limits.maxTrades, 4, row.name)
            // The losses that caused the entry do not count again after the exit.
            let tomorrow = Self.t0 + Self.day
            XCTAssertEqual(try engine.beginSession(window(at: tomorrow), broker: Self.broker, float: money("10000.00"), holdings: [:],
                                                   at: tomorrow), [], row.name)
            XCTAssertFalse(engine.defense.active, row.name)
            // A restart after the exit starts in normal mode.
            XCTAssertFalse(try defenseEngine(journal: journal).defense.active, row.name)
        }
    }

    func testDefenseExitOnConsecutiveSessions() throws {
        for (sessions, exits) in [(29, false), (30, true)] {
            let journal = try RiskJournal()
            let (engine, activation) = try activatedEngine(journal: journal)
            for index in 1...sessions {
                let start = activation + Int64(index) * 2 * Self.hour
                try engine.beginSession(window("s\(index)", at: start), broker: Self.broker, float: money("10000.00"), holdings: [:], at: start)
                XCTAssertTrue(engine.defense.active, "\(sessions) sessions, session \(index)")
                _ = try engine.realized(money("1.00"), symbol: "X", broker: Self.broker, at: start + Self.minute)
            }
            let final = activation + Int64(sessions + 1) * 2 * Self.hour
            let events = try engine.beginSession(window("final", at: final), broker: Self.broker, float: money("10000.00"), holdings: [:], at: final)
            XCTAssertEqual(engine.defense.active, !exits, "\(sessions) sessions")
            XCTAssertEqual(events.map(\.message),
                           exits ? ["Defense Mode deactivated: 30 consecutive sessions each above a 55% win rate; normal limits in force"] : [],
                           "\(sessions) sessions")
        }
    }

    func testDefenseForcedActivatesAtOnceAndNeverExits() throws {
        var limits = RiskLimits.defaults
        limits.defense.forced = true
        let journal = try RiskJournal()
        let engine = try defenseEngine(limits, journal: journal)
        let reason = "DEFENSE_MODE_ACTIVE=true in the configuration"
        let events = try engine.beginSession(window(), broker: Self.broker, float: money("10000.00"), holdings: [:], at: Self.t0)
        assertDefenseLimits(engine)
        XCTAssertEqual(engine.defense.reasons, [reason])
        XCTAssertEqual(events.map(\.message), [activationMessage([reason])])
        XCTAssertEqual(engine.remainingCap(broker: Self.broker), money("100.00"))
        for index in 0..<60 {
            _ = try engine.realized(money("1.00"), symbol: "X", broker: Self.broker, at: Self.t0 + Int64(index + 1) * 1_000_000_000)
        }
        for (index, name) in ["mid", "close"].enumerated() {
            let start = Self.t0 + Int64(index + 1) * 2 * Self.hour
            XCTAssertEqual(try engine.beginSession(window(name, at: start), broker: Self.broker, float: money("10000.00"), holdings: [:], at: start), [])
            assertDefenseLimits(engine)
        }
        XCTAssertEqual(try journal.defenseLog().map(\.event), [.activated])
        let restored = try defenseEngine(limits, journal: journal)
        XCTAssertTrue(restored.defense.active)
        let tomorrow = Self.t0 + Self.day
        XCTAssertEqual(try restored.beginSession(window(at: tomorrow), broker: Self.broker, float: money("10000.00"), holdings: [:], at: tomorrow), [])
        assertDefenseLimits(restored)
        XCTAssertEqual(try journal.defenseLog().map(\.event), [.activated])
    }

    // MARK: - 6. Bearish routing

    func testSeedShortTypes() {
        let limits = RiskLimits.defaults
        let table: [(String, ShortType)] = [
            ("open", .longPut), ("mid", .inverseETF), ("close", .longPut), ("OPEN", .longPut), ("Mid", .inverseETF),
            ("demo", .shortSell), ("backtest", .shortSell), ("", .shortSell),
        ]
        for (session, type) in table { XCTAssertEqual(limits.shortType(session: session), type, session) }
        XCTAssertEqual(limits.inverseETF, ["SPY": "SH", "QQQ": "SQQQ"])
    }

    func testBearishRouting() throws {
        let short = candidate("AAA", side: .sell, entry: 50, stop: 52, target: 47)
        let spy = candidate("SPY", side: .sell, entry: 50, stop: 50.5, target: 49)
        try runScreens([
            ScreenCase(name: "ShortSell without broker support", candidate: short, facts: facts(shortSelling: false), session: "demo",
                       expect: .rejects(.shortUnsupported, "SHORT_TYPE is ShortSell but broker paper_broker does not declare short selling")),
            ScreenCase(name: "ShortSell", candidate: short, facts: facts(shortSelling: true), session: "demo",
                       expect: .passes("SHORT_TYPE", "bearish intent routed as ShortSell")),
            ScreenCase(name: "ShortSell reward:risk", candidate: short, facts: facts(shortSelling: true), session: "backtest",
                       expect: .passes("MIN_REWARD_RISK", "reward:risk 1.50 (3 / 2) meets MIN_REWARD_RISK 1.5")),
            ScreenCase(name: "ShortSell stop below the entry", candidate: candidate("AAA", side: .sell, entry: 50, stop: 49, target: 47),
                       facts: facts(shortSelling: true), session: "demo",
                       expect: .rejects(.stopWrongSide, "stop 49 is not above the entry 50 of a short entry")),
            ScreenCase(name: "ShortSell target above the entry", candidate: candidate("AAA", side: .sell, entry: 50, stop: 52, target: 51),
                       facts: facts(shortSelling: true), session: "demo",
                       expect: .rejects(.missingTarget, "the intent has no target below its entry; reward:risk cannot be measured")),
            ScreenCase(name: "InverseETF", candidate: spy, session: "mid", prices: ["SH": 20],
                       expect: .passes("SHORT_TYPE", "bearish intent routed as InverseETF SPY->SH")),
            ScreenCase(name: "InverseETF mirrored stop", candidate: spy, session: "mid", prices: ["SH": 20],
                       expect: .passes("STOP", "stop 19.8, 0.2 per share at risk")),
            ScreenCase(name: "InverseETF mirrored target", candidate: spy, session: "mid", prices: ["SH": 20],
                       expect: .passes("MIN_REWARD_RISK", "reward:risk 2.00 (0.4 / 0.2) meets MIN_REWARD_RISK 1.5")),
            ScreenCase(name: "InverseETF screens the ETF", candidate: spy, session: "mid", prices: ["SH": 20],
                       expect: .passes("MIN_PRICE/MAX_PRICE", "price 20 within MIN_PRICE 5 .. MAX_PRICE 100")),
            ScreenCase(name: "InverseETF with the ETF held", setup: { $0.committed(symbol: "SH", broker: "other", risk: self.money("10.00")) },
                       candidate: spy, session: "mid", prices: ["SH": 20],
                       expect: .rejects(.alreadyHolding, "SH is already held or reserved")),
            ScreenCase(name: "InverseETF without an ETF price", candidate: spy, session: "mid", prices: ["SPY": 50],
                       expect: .rejects(.noInverseETF, "SHORT_TYPE is InverseETF (SPY->SH) but there is no price of SH yet")),
            ScreenCase(name: "InverseETF with a zero ETF price", candidate: spy, session: "mid", prices: ["SH": 0],
                       expect: .rejects(.noInverseETF, "SHORT_TYPE is InverseETF (SPY->SH) but there is no price of SH yet")),
            ScreenCase(name: "InverseETF of an unmapped symbol", candidate: short, session: "mid", prices: ["SH": 20],
                       expect: .rejects(.noInverseETF, "SHORT_TYPE is InverseETF but INVERSE_ETF_MAP has no inverse ETF for AAA")),
            ScreenCase(name: "LongPut at open without options", candidate: short, session: "open",
                       expect: .rejects(.longPutUnavailable, "SHORT_TYPE is LongPut for AAA but broker paper_broker does not declare options support")),
            ScreenCase(name: "LongPut at close with options", candidate: short, facts: facts(options: true), session: "close",
                       expect: .rejects(.longPutUnavailable, "SHORT_TYPE is LongPut for AAA but no option chain source is configured to choose a put contract")),
            ScreenCase(name: "LongPut with upper-case session", candidate: short, facts: facts(shortSelling: true), session: "OPEN",
                       expect: .rejects(.longPutUnavailable, "SHORT_TYPE is LongPut for AAA but broker paper_broker does not declare options support")),
            ScreenCase(name: "disabled session", limits: { $0.shortTypes["mid"] = .disabled }, candidate: spy, session: "mid", prices: ["SH": 20],
                       expect: .rejects(.shortDisabled, "bearish intent on SPY dropped: SHORT_TYPE is disabled for this session")),
            ScreenCase(name: "disabled default", limits: { $0.defaultShortType = .disabled }, candidate: short, facts: facts(shortSelling: true),
                       session: "demo",
                       expect: .rejects(.shortDisabled, "bearish intent on AAA dropped: SHORT_TYPE is disabled for this session")),
            ScreenCase(name: "ShortSell configured for a named session", limits: { $0.shortTypes["open"] = .shortSell }, candidate: short,
                       facts: facts(shortSelling: true), session: "open",
                       expect: .passes("SHORT_TYPE", "bearish intent routed as ShortSell")),
            ScreenCase(name: "long intents are not routed", candidate: candidate(), session: "open",
                       expect: .passes("SHORT_TYPE", "long entry: no routing needed")),
            ScreenCase(name: "long intents pass a disabled session", limits: { $0.shortTypes["open"] = .disabled }, candidate: candidate(),
                       session: "open", expect: .passes("SHORT_TYPE", "long entry: no routing needed")),
        ])
    }

    func testBearishRoutedEntries() throws {
        let engine = try TestRisk.engine()
        try engine.beginSession(window(), broker: Self.broker, float: money("10000.00"), holdings: [:], at: Self.t0)
        let rows: [(name: String, candidate: RiskCandidate, session: String, facts: BrokerFacts, prices: [String: Double], entry: RoutedEntry)] = [
            ("ShortSell", candidate("AAA", side: .sell, entry: 50, stop: 52, target: 47), "demo", facts(shortSelling: true), [:],
             RoutedEntry(symbol: "AAA", side: .sell, entry: 50, stop: 52, target: 47, route: "ShortSell")),
            ("SPY -> SH", candidate("SPY", side: .sell, entry: 50, stop: 50.5, target: 49), "mid", facts(), ["SH": 20],
             RoutedEntry(symbol: "SH", side: .buy, entry: 20, stop: 19.8, target: 20.4, route: "InverseETF SPY->SH")),
            ("QQQ -> SQQQ", candidate("QQQ", side: .sell, entry: 400, stop: 404, target: 392), "mid", facts(), ["SQQQ": 40],
             RoutedEntry(symbol: "SQQQ", side: .buy, entry: 40, stop: 39.6, target: 40.8, route: "InverseETF QQQ->SQQQ")),
            ("long", candidate("BBB"), "mid", facts(), [:],
             RoutedEntry(symbol: "BBB", side: .buy, entry: 50, stop: 48, target: 53, route: "long")),
        ]
        for row in rows {
            let result = screen(engine, row.candidate, facts: row.facts, session: row.session, prices: row.prices)
            guard case let .eligible(entry, _) = result else {
                XCTFail("\(row.name): not eligible: \(result)")
                continue
            }
            XCTAssertEqual(entry, row.entry, row.name)
            engine.released(symbol: entry.symbol)
        }
        XCTAssertEqual(engine.openPositionCount, 0)
    }
}

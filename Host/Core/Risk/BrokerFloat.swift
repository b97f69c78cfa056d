import Foundation

/// The broker float rule: BROKER_FLOAT_PCT of capital is deployed, split equally among the
/// active brokers; the rest stays in reserve. A float further than REBALANCE_TRIGGER_PCT from
/// its target raises a notification once per UTC day. The host never moves money.
enum BrokerFloat {
    static func target(capital: Money, share: Decimal, brokers: Int) -> Money {
        // floor(floor(x) / n) == floor(x / n): the division is done on integers.
        Money(units: Money(capital.decimal * share, roundingDown: true).units / Int64(max(1, brokers)))
    }

    static func check(engine: RiskEngine, broker: String, float: Money, at now: Int64) throws -> [RiskEvent] {
        guard engine.notifiesRebalance, let capital = engine.accountCapital, capital > .zero else { return [] }
        let limits = engine.inForce
        let target = target(capital: capital, share: limits.brokerFloatShare, brokers: engine.activeBrokers.count)
        guard target > .zero else { return [] }
        // Compared as |float - target| > trigger x target: no division on the path taken every session.
        guard Decimal(abs(float.units - target.units)) > limits.rebalanceTrigger * Decimal(target.units) else { return [] }
        let deviation = abs(float.decimal - target.decimal) / target.decimal
        let subject = "rebalance:\(broker)"
        let dayStart = now - now % RiskEngine.day
        guard try !engine.journal.events(since: dayStart).contains(where: { $0.subject == subject }) else { return [] }
        let direction = float > target ? "above" : "below"
        let event = RiskEvent(atNanoseconds: now, level: .warning, subject: subject, message:
            "broker \(broker) float \(float) is \(RiskRules.percent(deviation)) \(direction) its target \(target) "
            + "(BROKER_FLOAT_PCT \(RiskRules.percent(limits.brokerFloatShare)) of capital \(capital) over \(engine.activeBrokers.count) broker(s)); "
            + "REBALANCE_TRIGGER_PCT is \(RiskRules.percent(limits.rebalanceTrigger)): move \(Money(units: abs((float - target).units))) \(float > target ? "to the reserve" : "from the reserve") by hand")
        try engine.journal.record(event)
        return [event]
    }
}

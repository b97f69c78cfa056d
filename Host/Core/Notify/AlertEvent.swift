import Foundation

/// Something an operator is told about by e-mail. Fills and exits follow NOTIFY_ON_FILL and
/// NOTIFY_ON_EXIT; the others are critical and always sent when e-mail is configured.
/// Times are host nanoseconds since 1970 (UTC); amounts are exact decimals.
public enum AlertEvent: Sendable, Equatable {
    case fill(Fill)
    case exit(Exit)
    case killSwitch(KillSwitch)
    case emergencyStop(EmergencyStop)
    case supervisorRejection(SupervisorRejection)
    case watchdog(Watchdog)

    public struct Fill: Sendable, Equatable {
        public var symbol: String
        /// buy or sell
        public var side: String
        public var quantity: Decimal
        public var price: Decimal
        public var strategy: String
        public var bot: String
        public var broker: String
        public var orderID: String
        public var timeNanoseconds: Int64

        public init(symbol: String, side: String, quantity: Decimal, price: Decimal, strategy: String, bot: String,
                    broker: String, orderID: String, timeNanoseconds: Int64) {
            self.symbol = symbol; self.side = side; self.quantity = quantity; self.price = price
            self.strategy = strategy; self.bot = bot; self.broker = broker; self.orderID = orderID
            self.timeNanoseconds = timeNanoseconds
        }
    }

    public struct Exit: Sendable, Equatable {
        public var symbol: String
        /// The closing side: sell closes a long, buy closes a short.
        public var side: String
        public var quantity: Decimal
        public var entryPrice: Decimal
        public var exitPrice: Decimal
        /// Realized, after fees.
        public var pnl: Decimal
        /// target, stop, trailing stop, timeout, kill switch, ...
        public var reason: String
        public var strategy: String
        public var bot: String
        public var broker: String
        public var timeNanoseconds: Int64

        public init(symbol: String, side: String, quantity: Decimal, entryPrice: Decimal, exitPrice: Decimal, pnl: Decimal,
                    reason: String, strategy: String, bot: String, broker: String, timeNanoseconds: Int64) {
            self.symbol = symbol; self.side = side; self.quantity = quantity; self.entryPrice = entryPrice
            self.exitPrice = exitPrice; self.pnl = pnl; self.reason = reason; self.strategy = strategy
            self.bot = bot; self.broker = broker; self.timeNanoseconds = timeNanoseconds
        }
    }

    public struct KillSwitch: Sendable, Equatable {
        public var reason: String
        /// What is halted: a broker code, "all", ...
        public var scope: String
        public var timeNanoseconds: Int64

        public init(reason: String, scope: String, timeNanoseconds: Int64) {
            self.reason = reason; self.scope = scope; self.timeNanoseconds = timeNanoseconds
        }
    }

    public struct EmergencyStop: Sendable, Equatable {
        public var reason: String
        /// Who stopped: "operator", "control file", "signal", ...
        public var source: String
        public var timeNanoseconds: Int64

        public init(reason: String, source: String, timeNanoseconds: Int64) {
            self.reason = reason; self.source = source; self.timeNanoseconds = timeNanoseconds
        }
    }

    public struct SupervisorRejection: Sendable, Equatable {
        public var module: String
        public var bot: String
        public var symbol: String
        public var reason: String
        public var timeNanoseconds: Int64

        public init(module: String, bot: String, symbol: String, reason: String, timeNanoseconds: Int64) {
            self.module = module; self.bot = bot; self.symbol = symbol; self.reason = reason
            self.timeNanoseconds = timeNanoseconds
        }
    }

    public struct Watchdog: Sendable, Equatable {
        public var broker: String
        public var unreachableSeconds: Int
        /// What the host did: "entries suspended, pending orders cancelled", "shutting down", ...
        public var action: String
        public var timeNanoseconds: Int64

        public init(broker: String, unreachableSeconds: Int, action: String, timeNanoseconds: Int64) {
            self.broker = broker; self.unreachableSeconds = unreachableSeconds; self.action = action
            self.timeNanoseconds = timeNanoseconds
        }
    }

    /// fill, exit, kill_switch, emergency_stop, supervisor_rejection, watchdog
    public var kind: String {
        switch self {
        case .fill: return "fill"
        case .exit: return "exit"
        case .killSwitch: return "kill_switch"
        case .emergencyStop: return "emergency_stop"
        case .supervisorRejection: return "supervisor_rejection"
        case .watchdog: return "watchdog"
        }
    }

    public var isCritical: Bool {
        switch self {
        case .fill, .exit: return false
        default: return true
        }
    }

    public var timeNanoseconds: Int64 {
        switch self {
        case let .fill(e): return e.timeNanoseconds
        case let .exit(e): return e.timeNanoseconds
        case let .killSwitch(e): return e.timeNanoseconds
        case let .emergencyStop(e): return e.timeNanoseconds
        case let .supervisorRejection(e): return e.timeNanoseconds
        case let .watchdog(e): return e.timeNanoseconds
        }
    }
}

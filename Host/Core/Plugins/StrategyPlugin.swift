import TBotPluginAPI

/// A session window as strategies see it.
public struct SessionWindow: Equatable, Sendable {
    public let name: String
    public let startNanoseconds: Int64
    public let endNanoseconds: Int64

    public init(name: String, startNanoseconds: Int64, endNanoseconds: Int64) {
        self.name = name
        self.startNanoseconds = startNanoseconds
        self.endNanoseconds = endNanoseconds
    }

    func withABI<T>(_ body: (UnsafePointer<tbot_session_t>) throws -> T) rethrows -> T {
        try name.withCString { text in
            var raw = tbot_session_t(size: ABIStruct.size(tbot_session_t.self), name: text,
                                     start_ns: startNanoseconds, end_ns: endNanoseconds)
            return try withUnsafePointer(to: &raw) { try body($0) }
        }
    }
}

/// Typed calls into a loaded strategy plugin.
public final class StrategyPlugin {
    public let instance: PluginInstance
    private let api: tbot_strategy_api_t
    private let collector: IntentCollector
    // The bar path's call, ready to make: function, instance and error buffer held here.
    private let handle: UnsafeMutableRawPointer
    private let onBarFunction: OnBarFunction
    private let barMessages = PluginMessageBuffer()

    private typealias OnBarFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<tbot_bar_t>?,
                                                      UnsafePointer<tbot_intent_sink_t>?, UnsafeMutablePointer<CChar>?,
                                                      UInt32) -> tbot_status_t

    public var id: String { instance.info.id }

    public init?(_ instance: PluginInstance) {
        guard instance.info.kind == .strategy, let table = instance.descriptor.functions,
              let api = try? FunctionTables.strategy(table).get(), let onBar = api.on_bar else { return nil }
        self.instance = instance
        self.api = api
        handle = instance.handle
        onBarFunction = onBar
        collector = IntentCollector(strategyID: instance.info.id)
    }

    public func sessionStart(_ session: SessionWindow) throws {
        try session.withABI { raw in
            try PluginCallError.check(id, "session_start") { api.session_start(instance.handle, raw, $0, $1) }
        }
    }

    /// Delivers one bar; returns the intents it produced, best rank first.
    public func onBar(_ bar: Bar) throws -> [TradeIntent] {
        try bar.withABI { try onBar(abi: $0) }
    }

    /// Delivers a bar already in ABI form (the pipeline's shared slot).
    func onBar(abi raw: UnsafePointer<tbot_bar_t>) throws -> [TradeIntent] {
        try emittedOnBar(abi: raw) ?? []
    }

    /// `onBar(abi:)`, nil when the call emitted nothing at all (no intent, not even a malformed
    /// one): the usual bar, for which the pipeline then handles no list.
    @inline(__always)
    func emittedOnBar(abi raw: UnsafePointer<tbot_bar_t>) throws -> [TradeIntent]? {
        collector.reset()
        let status = onBarFunction(handle, raw, collector.sink, barMessages.prepared(), barMessages.capacity)
        if status != TBOT_OK { try barMessages.raise(instance, "on_bar", status) }
        return collector.emittedAnything ? collector.ranked() : nil
    }

    public func sessionEnd(_ session: SessionWindow) throws -> [TradeIntent] {
        collector.reset()
        try session.withABI { raw in
            try collector.withSink { sink in
                try PluginCallError.check(id, "session_end") { api.session_end(instance.handle, raw, sink, $0, $1) }
            }
        }
        return collector.ranked()
    }

    /// Malformed intents the last call emitted, with the reason each was dropped.
    public var rejectedIntents: [IntentRejection] { collector.rejected }
}

/// Receives intents through tbot_intent_sink_t.emit and copies them into Swift values.
final class IntentCollector {
    let strategyID: String
    private(set) var intents: [TradeIntent] = []
    private(set) var rejected: [IntentRejection] = []
    /// Something was accepted or rejected since the last reset.
    private var emitted = false
    var emittedAnything: Bool { emitted }
    /// The sink plugins emit into, at one address for the collector's life.
    let sink: UnsafeMutablePointer<tbot_intent_sink_t>

    init(strategyID: String) {
        self.strategyID = strategyID
        sink = .allocate(capacity: 1)
        sink.initialize(to: tbot_intent_sink_t(size: ABIStruct.size(tbot_intent_sink_t.self), sink_ctx: nil, emit: collectIntent))
        sink.pointee.sink_ctx = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit { sink.deallocate() }

    /// Nothing to do after a call that emitted nothing, the usual bar. Storage is dropped,
    /// not kept: an empty list then needs no reference counting when it is returned.
    @inline(__always)
    func reset() {
        if emitted { clear() }
    }

    private func clear() {
        intents = []
        rejected = []
        emitted = false
    }

    /// Stable sort by rank: equal ranks keep the order they were emitted in.
    @inline(__always)
    func ranked() -> [TradeIntent] {
        if !emitted { return [] }
        return rankedEmitted()
    }

    private func rankedEmitted() -> [TradeIntent] {
        if intents.count < 2 { return intents }
        return intents.enumerated().sorted { ($0.element.rank, $0.offset) < ($1.element.rank, $1.offset) }.map(\.element)
    }

    func withSink<T>(_ body: (UnsafePointer<tbot_intent_sink_t>) throws -> T) rethrows -> T {
        try body(sink)
    }

    static let intentBaseline = ABIStruct.baseline(through: \tbot_intent_t.tag)

    fileprivate func accept(_ pointer: UnsafeRawPointer) -> tbot_status_t {
        emitted = true
        guard let raw = ABIStruct.read(pointer, baseline: Self.intentBaseline, as: tbot_intent_t.self) else {
            let size = ABIStruct.declaredSize(pointer)
            rejected.append(IntentRejection("intent size \(size) is smaller than ABI 1.0's \(Self.intentBaseline)"))
            return TBOT_ERR_INVALID_ARGUMENT
        }
        switch TradeIntent.from(raw, strategyID: strategyID) {
        case .success(let intent):
            intents.append(intent)
            return TBOT_OK
        case .failure(let rejection):
            rejected.append(rejection)
            return TBOT_ERR_INVALID_ARGUMENT
        }
    }
}

private func collectIntent(_ context: UnsafeMutableRawPointer?, _ intent: UnsafePointer<tbot_intent_t>?) -> tbot_status_t {
    guard let context, let intent else { return TBOT_ERR_INVALID_ARGUMENT }
    return Unmanaged<IntentCollector>.fromOpaque(context).takeUnretainedValue().accept(UnsafeRawPointer(intent))
}

import Foundation

extension LiveRuntime {
    /// Closes a session whose window ended and opens the one whose window began, at `now`.
    func advanceSchedule(to now: Int64) throws {
        if let active, now >= active.session.end { try endSession(reason: "session \(active.session.name) ended") }
        if active == nil, let next = schedule.current(orNextAfter: now), next.start <= now, now < next.end,
           !finishedSessions.contains("\(next.name)@\(next.start)"), options.onlySession.map({ $0 == next.name }) ?? true {
            try beginSession(next, at: now)
        }
        guard let active else {
            status.state = .idle
            status.activeStrategy = nil
            status.nextSession = schedule.current(orNextAfter: now).map { "\($0.name) at \(UTCTimestamp.iso8601(nanoseconds: $0.start))" }
            return
        }
        let phase = active.session.phase(at: now) ?? .monitoring
        status.state = RuntimeStatus.State(rawValue: phase.rawValue) ?? .monitoring
        active.pipeline.entriesSuspended = watchdogSuspension
            ?? (phase == .monitoring ? "session \(active.session.name) is monitoring: no new entries after its breakout window" : nil)
        status.entriesSuspended = active.pipeline.entriesSuspended
    }

    func beginSession(_ session: ScheduledSession, at now: Int64) throws {
        finishedSessions.insert("\(session.name)@\(session.start)")
        if plugins.needsRescan || control.reloadRequested {
            let holding = Set(books.book.holdings.values.compactMap { books.budgets.botState($0.bot)?.module })
            for line in plugins.rescan(holdingModules: holding, brokerBusy: !books.book.holdings.isEmpty) { note(.info, line) }
            control.consumeReload()
        }
        let built = plugins.bots(session: session.name)
        for line in built.blocked { note(.error, "blocked \(line)") }
        guard !built.bots.isEmpty else {
            note(.warning, "session \(session.name): no strategy bot trades this session; skipped")
            return
        }
        let pipeline = books.pipeline(bots: built.bots, filters: plugins.filters, broker: plugins.broker, clock: clock)
        if let vix { pipeline.vix = { vix.value(at: $0) } }
        wire(pipeline)
        if let live = source as? BrokerBarSource {
            live.rewind(notBefore: session.start, symbols: Array(Set(built.bots.flatMap { $0.symbols ?? [] })).sorted())
        }
        pipeline.begin(session: session.window)
        let sessionLog = try SessionLog(layout: layout, name: session.name, format: config.logFormat, clock: clock, source: "session")
        active = ActiveSession(session: session, pipeline: pipeline, log: sessionLog)
        active?.flushLog()
        status.activeStrategy = session.name
        status.scheduledStart = UTCTimestamp.iso8601(nanoseconds: session.start)
        status.actualStart = UTCTimestamp.iso8601(nanoseconds: now)
        note(.info, "session \(session.name) started (scheduled \(status.scheduledStart!)) with bots "
            + built.bots.map(\.id).joined(separator: ", ") + "; filters "
            + (plugins.filters.map(\.id).joined(separator: ", ").nonEmpty ?? "none") + "; broker \(plugins.broker.id)")
        try writeStatus()
    }

    /// Ends the active session: the strategies' last exits and the host's flatten, a wait
    /// (live) for those exits to fill, then the trade history, the day's summary, the log.
    func endSession(reason: String) throws {
        guard let current = active else { return }
        current.pipeline.entriesSuspended = reason
        current.pipeline.end(session: current.session.window, flatten: true)
        if let wall {
            // Exits at a real broker fill after the call returns: wait up to API_TIMEOUT for them.
            let deadline = wall.nowNanoseconds + Int64(config.apiTimeoutSeconds) * 1_000_000_000
            while !current.pipeline.workingOrderIDs.isEmpty, wall.nowNanoseconds < deadline {
                Thread.sleep(forTimeInterval: 0.2)
                current.pipeline.tick(to: wall.nowNanoseconds)
            }
        }
        let left = current.pipeline.workingOrderIDs
        if !left.isEmpty { note(.error, "session \(current.session.name): orders still working at its end: \(left.joined(separator: ", "))") }
        try RecoveryState(workingOrders: left, session: current.session.name).write(layout)
        books.keep(current.pipeline)
        active = nil
        let day = UTCDate.day(of: current.session.start)
        let records = current.pipeline.tradeRecords
        _ = try TradeHistoryWriter.write(records, layout: layout, session: current.session.name, date: day)
        dayRecords[day, default: []] += records
        let summaryFile = try DailySummary.write(dayRecords[day] ?? [], date: day, layout: layout)
        if !summary.dailySummaries.contains(summaryFile) { summary.dailySummaries.append(summaryFile) }
        current.flushLog()
        current.log.close()
        summary.sessions.append(current.session.name)
        summary.counts.add(current.pipeline.counts)
        note(.info, "session \(current.session.name) ended (\(reason)): orders \(current.pipeline.counts.orders), fills \(current.pipeline.counts.fills), "
            + "realized P&L to date \(books.book.realized)")
        try writeStatus()
        sessionEnded?(current.session.name)
    }

    /// The safe stop: the active session ends with its exits, the day's summary is written, the
    /// ledger is verified, status.json says shutdown and pending e-mail goes out.
    func finish(reason: String) throws -> Summary {
        note(.info, "stopping: \(reason)")
        status.message = "stopping: \(reason)"
        if active != nil { try endSession(reason: "stop: \(reason)") }
        let today = UTCDate.day(of: clock.nowNanoseconds)
        if dayRecords[today] == nil, summary.sessions.isEmpty == false || reason != "replay finished" {
            let file = try DailySummary.write([], date: today, layout: layout)
            if !summary.dailySummaries.contains(file) { summary.dailySummaries.append(file) }
        }
        let faults = try books.ledger.verify()
        summary.ledgerFaults = faults.map { "\($0)" }
        note(faults.isEmpty ? .info : .critical, faults.isEmpty ? "ledger verified: balanced, hash chain intact"
             : "ledger verification failed: \(summary.ledgerFaults.joined(separator: "; "))")
        summary.stopReason = reason
        status.state = .shutdown
        status.activeStrategy = nil
        status.entriesSuspended = nil
        if let notifier { _ = notifier.flush(timeout: TimeInterval(config.apiTimeoutSeconds)) }
        try writeStatus()
        return summary
    }
}

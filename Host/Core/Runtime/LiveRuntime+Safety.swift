import Foundation

extension LiveRuntime {
    /// Transient broker faults retry under API_RETRY_LIMIT; a call that runs out of retries
    /// is logged as unresolved and fires that broker's kill switch.
    func installRetry() {
        let retry = BrokerRetry(policy: RetryPolicy(config: config))
        let brokerID = plugins.broker.id
        retry.onRetry = { [weak self] failure, delay in
            self?.note(.warning, "broker \(brokerID): \(failure.function) failed (\(failure.fault.rawValue)\(Self.describe(failure.detail))), "
                + "attempt \(failure.attempts); retrying in \(String(format: "%.2f", delay)) s: \(failure.error.message)")
        }
        retry.onGiveUp = { [weak self] failure in self?.gaveUp(failure, broker: brokerID) }
        plugins.broker.retry = retry
    }

    static func describe(_ detail: BrokerFault?) -> String {
        guard let detail else { return "" }
        var parts: [String] = []
        if let status = detail.httpStatus { parts.append("HTTP \(status)") }
        if detail.timedOut { parts.append("timed out") }
        if let after = detail.retryAfterMilliseconds { parts.append("Retry-After \(after) ms") }
        if !detail.code.isEmpty { parts.append("code \(detail.code)") }
        return parts.isEmpty ? "" : ", " + parts.joined(separator: ", ")
    }

    private func gaveUp(_ failure: BrokerRetry.Failure, broker: String) {
        let now = clock.nowNanoseconds
        let code = failure.detail?.httpStatus.map { "HTTP \($0)" } ?? failure.error.statusName
        try? unresolved.append(at: now, strategy: active?.session.name ?? "", broker: broker, fault: failure.fault, code: code,
                               detail: "\(failure.function): \(failure.error.message) after \(failure.attempts) attempts")
        let reason = "\(failure.function) failed after \(failure.attempts) attempts (API_RETRY_LIMIT \(config.apiRetryLimit))"
        note(.critical, "broker \(broker): retries exhausted: \(reason); kill switch fired")
        if (try? books.risk.haltBroker(broker, reason: reason, at: now)) == true {
            haltedBrokers.insert(broker)
            notifier?.post(.killSwitch(.init(reason: reason, scope: "broker \(broker)", timeNanoseconds: now)))
        }
    }

    /// Hooks a session's pipeline to the unresolved-orders log and the e-mail alerts.
    func wire(_ pipeline: TradingPipeline) {
        let broker = plugins.broker.id
        pipeline.orderUnresolved = { [weak self] symbol, strategy, fault, code, detail in
            guard let self else { return }
            try? self.unresolved.append(at: self.clock.nowNanoseconds, strategy: strategy, broker: broker, fault: fault, code: code,
                                        detail: "\(symbol): \(detail)")
        }
        pipeline.fillBooked = { [weak self] fill, strategy, bot, closed in
            guard let self, let notifier = self.notifier else { return }
            let quantity = fill.quantity.decimal, price = DecimalText.fromPrice(fill.price)
            notifier.post(.fill(.init(symbol: fill.symbol, side: fill.side == .buy ? "buy" : "sell", quantity: quantity, price: price,
                                      strategy: strategy, bot: bot, broker: broker, orderID: fill.orderID, timeNanoseconds: fill.timeNanoseconds)))
            if let closed, let entryPrice = closed.entryPrice {
                notifier.post(.exit(.init(symbol: fill.symbol, side: fill.side == .buy ? "buy" : "sell", quantity: quantity,
                                          entryPrice: entryPrice, exitPrice: price, pnl: closed.net.decimal, reason: "position closed",
                                          strategy: strategy, bot: bot, broker: broker, timeNanoseconds: fill.timeNanoseconds)))
            }
        }
        pipeline.supervisorDecided = { [weak self] decision in
            guard let self, decision.kind == .rejected else { return }
            self.notifier?.post(.supervisorRejection(.init(module: self.books.budgets.botState(decision.bot)?.module ?? "", bot: decision.bot,
                                                           symbol: "", reason: decision.reason, timeNanoseconds: decision.decidedNanoseconds)))
        }
    }

    /// The watchdog's heartbeat and what follows from it, and kill-switch alerts.
    func superviseBroker() throws {
        let now = clock.nowNanoseconds
        var actions = watchdog.due(at: now)
        if let index = actions.firstIndex(of: .probe) {
            actions.remove(at: index)
            actions += watchdog.record(success: probe(), at: now)
        }
        for action in actions {
            switch action {
            case .probe: break
            case .lost(let since):
                let seconds = Int((now - since) / 1_000_000_000)
                watchdogSuspension = "broker \(plugins.broker.id) unreachable since \(UTCTimestamp.iso8601(nanoseconds: since))"
                active?.pipeline.entriesSuspended = watchdogSuspension
                active?.pipeline.cancelWorkingOrders(reason: "watchdog: broker unreachable")
                note(.critical, "watchdog: \(watchdogSuspension!): pending orders canceled, entries suspended")
                notifier?.post(.watchdog(.init(broker: plugins.broker.id, unreachableSeconds: seconds,
                                               action: "entries suspended, pending orders canceled", timeNanoseconds: now)))
            case .restored:
                note(.warning, "watchdog: broker \(plugins.broker.id) answers again; entries resume")
                watchdogSuspension = nil
            case .shutdown:
                notifier?.post(.watchdog(.init(broker: plugins.broker.id, unreachableSeconds: Int(watchdog.grace / 1_000_000_000),
                                               action: "shutting down", timeNanoseconds: now)))
                try control.request(control.stopFile, note: "watchdog: broker \(plugins.broker.id) unreachable beyond WATCHDOG_GRACE")
            }
        }
        if let reason = books.risk.isHalted(broker: plugins.broker.id), !haltedBrokers.contains(plugins.broker.id) {
            haltedBrokers.insert(plugins.broker.id)
            notifier?.post(.killSwitch(.init(reason: reason, scope: "broker \(plugins.broker.id)", timeNanoseconds: now)))
        }
        status.broker.connected = watchdog.isConnected
        status.broker.lastHeartbeat = watchdog.lastProbe == .min ? nil : UTCTimestamp.iso8601(nanoseconds: watchdog.lastSuccess)
        status.broker.unreachableSince = watchdog.lostSince.map { UTCTimestamp.iso8601(nanoseconds: $0) }
        status.broker.retries = plugins.broker.retry?.retries ?? 0
        status.broker.retriesExhausted = plugins.broker.retry?.exhausted ?? 0
        status.broker.halted = books.risk.isHalted(broker: plugins.broker.id)
    }

    /// One heartbeat, without retries: the market clock when the broker has one, else the account.
    private func probe() -> Bool {
        let broker = plugins.broker
        let retry = broker.retry
        broker.retry = nil
        defer { broker.retry = retry }
        do {
            if try broker.marketClock() == nil { _ = try broker.account() }
            return true
        } catch {
            note(.warning, "watchdog: heartbeat failed: \(error)")
            return false
        }
    }

    /// What a restart found: fills reconciled, position differences, orders a crash left.
    func startupReport() throws {
        note(.info, "tbot run (\(layout.mode.rawValue)) with broker \(plugins.broker.id); ledger \(layout.ledgerFile.lastPathComponent)")
        if let backup = books.backup { note(.info, "ledger backed up to \(backup.lastPathComponent)") }
        for line in books.budgetChanges { note(.info, "budgets: \(line)") }
        for fill in books.reconciliation.recovered { note(.warning, "recovery: fill \(fill) posted from the broker's record") }
        for line in books.reconciliation.positionMismatches {
            // The broker's account is what exists; entries on the symbol stop until an operator looks.
            note(.critical, "recovery: position mismatch: \(line)")
            notifier?.post(.emergencyStop(.init(reason: "position mismatch at startup: \(line)", source: "recovery",
                                                timeNanoseconds: clock.nowNanoseconds)))
        }
        for line in RecoveryState.recover(layout, broker: plugins.broker) { note(.warning, line) }
        for entry in plugins.catalog.entries where entry.enabled && entry.state != .loaded {
            note(.error, "plugin \(entry.id) blocked: \(entry.reason ?? entry.state.rawValue)")
        }
    }

    /// Rewrites status.json when anything in it changed.
    func writeStatus() throws {
        let pipeline = active?.pipeline
        var counts = summary.counts
        if let pipeline { counts.add(pipeline.counts) }
        status.orders = counts.orders
        status.fills = counts.fills
        let book = pipeline?.book ?? books.book
        status.wins = book.wins
        status.losses = book.losses
        status.roundTrips = book.roundTrips
        status.realizedPnL = "\(book.realized)"
        status.positions = book.holdings.keys.sorted().map { symbol in
            let holding = book.holdings[symbol]!
            let average = holding.quantity == .zero ? Decimal(0) : holding.filledValue.decimal / holding.quantity.decimal
            return .init(symbol: symbol, quantity: "\(holding.quantity)", averagePrice: DecimalText.format(average, fractionDigits: 4),
                         bot: holding.bot)
        }
        if let notifier {
            status.alertsSent = notifier.counts.sent
            status.alertsFailed = notifier.counts.failed
        }
        if try RuntimeStatus.write(status, previous: lastStatus, to: RuntimeStatus.file(in: layout), at: clock.nowNanoseconds) {
            lastStatus = status
        }
    }
}

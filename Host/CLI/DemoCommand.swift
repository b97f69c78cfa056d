import ArgumentParser
import TBotCore

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Paper mode on bundled data: load and self_check all plugins, then run a strategy over a generated market day.",
        discussion: "Deterministic: the same seed prints the same transcript, byte for byte. Nothing is written to disk.")

    @OptionGroup var options: HostOptions
    @Option(help: "Strategy plugin id.") var strategy = "sma_cross_c"
    @Option(help: "Broker plugin id (a simulated broker).") var broker = "paper_broker"
    @Option(help: "Seed of the generated market day.") var seed: UInt64 = 20240102
    @Option(help: "Ticker of the generated market.") var symbol = "SYNTH"

    func run() throws {
        let setup = try options.setup()
        var demo = PaperDemo()
        demo.strategyID = strategy
        demo.brokerID = broker
        demo.market.seed = seed
        demo.market.symbol = symbol
        guard Ticker.isValid(symbol) else { throw ValidationError("--symbol '\(symbol)' is not a ticker (\(Ticker.rule))") }
        let clock = SimulatedClock(startNanoseconds: demo.market.openNanoseconds)
        let catalog = setup.catalog(environment: setup.environment(clock: clock, logLevel: .warning))
        let failures = catalog.enabledFailures
        do {
            let report = try demo.run(catalog: catalog, config: setup.config, clock: clock)
            report.lines.forEach { print($0) }
        } catch {
            Console.error("demo failed: \(error)")
            throw ExitCodes.failure
        }
        if !failures.isEmpty {
            Console.error("\(failures.count) enabled plugin(s) failed to load; see `tbot plugins check`")
            throw ExitCodes.failure
        }
    }
}

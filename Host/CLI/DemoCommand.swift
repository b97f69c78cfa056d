import ArgumentParser
import Foundation
import TBotCore

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Paper mode on bundled data: load and self_check all plugins, then trade generated market days with paper books.",
        discussion: """
            Always paper mode: the paper ledger, trade history, daily summary, session log and ledger backups are \
            written under OUTPUT_DIR and BACKUP_DIR; no live file is opened. Each run trades the weekday after the \
            last one in the paper ledger, so repeated runs continue one paper account. Every strategy bot declared \
            in the manifests trades its own symbols under the budgets of manifests/account.toml. From empty books \
            the transcript is the same byte for byte. --no-books keeps the books in a scratch folder removed at the end.
            """)

    @OptionGroup var options: HostOptions
    @Option(help: "Run only this strategy module's bots (default: every enabled module).") var strategy: String?
    @Option(help: "Broker plugin id (a simulated broker).") var broker = "paper_broker"
    @Option(help: "Seed of the first generated market day; later days derive theirs from it.") var seed: UInt64 = 20240102
    @Option(help: "Trading days to run, one session each.") var days = 1
    @Flag(help: "Keep no books: use a scratch folder removed at the end.") var noBooks = false

    func validate() throws {
        guard (1...3650).contains(days) else { throw ValidationError("--days must be from 1 to 3650") }
    }

    func run() throws {
        let setup = try options.setup()
        // The whole budget plan validates before anything is written.
        if case .failure(let error) = BudgetPlan.load(manifestsDirectory: setup.manifestsDirectory) {
            Console.error("demo failed: the budgets do not validate:\n\(error)")
            throw ExitCodes.invalidConfiguration
        }
        // So does the risk engine's sector map.
        do { _ = try SectorMap.configured(config: setup.config, manifestsDirectory: setup.manifestsDirectory) } catch {
            Console.error("demo failed: \(error)")
            throw ExitCodes.invalidConfiguration
        }
        var demo = PaperDemo()
        demo.strategyID = strategy
        demo.brokerID = broker
        demo.market.seed = seed
        demo.days = days
        let layout = noBooks ? nil : OutputLayout(config: setup.config, workingDirectory: FileManager.default.currentDirectoryPath, mode: .paper)
        if let layout {
            // The bundled paper broker keeps its account in OUTPUT_DIR/state (see its manifest).
            try FileManager.default.createDirectory(at: layout.outputDirectory.appendingPathComponent("state"), withIntermediateDirectories: true)
        }
        let clock = SimulatedClock(startNanoseconds: demo.market.openNanoseconds)
        let catalog = setup.catalog(environment: setup.environment(clock: clock, logLevel: .warning))
        let failures = catalog.enabledFailures
        do {
            let report = try demo.run(catalog: catalog, config: setup.config, clock: clock, layout: layout)
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

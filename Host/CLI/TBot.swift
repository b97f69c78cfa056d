import ArgumentParser
import TBotCore

@main
struct TBot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tbot",
        abstract: "TBot: a trading strategy host that loads strategy, filter and broker plugins.",
        discussion: "Exit codes: 0 success, 1 a check or operation failed, 2 invalid configuration, 64 bad usage. See docs/cli.md.",
        version: TBotVersion.text,
        subcommands: [PluginsCommand.self, ConfigCommand.self, LedgerCommand.self, BudgetCommand.self, BotsCommand.self,
                      ApprovalsCommand.self, EmergencyStopCommand.self, RiskCommand.self, DemoCommand.self, RunCommand.self, StopCommand.self, StartCommand.self, StatusCommand.self, BacktestCommand.self, BenchCommand.self, DataCommand.self]
    )
}

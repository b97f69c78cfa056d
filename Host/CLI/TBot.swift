import ArgumentParser
import TBotCore

@main
struct TBot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tbot",
        abstract: "TBot: a trading strategy host that loads strategy, filter and broker plugins.",
        version: TBotVersion.text,
        subcommands: []
    )
}

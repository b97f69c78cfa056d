import ArgumentParser

/// The exit codes every command uses (docs/cli.md).
enum ExitCodes {
    /// A check failed or the operation could not be done.
    static let failure = ExitCode(1)
    /// The runtime config or a path given on the command line is invalid; nothing was written.
    static let invalidConfiguration = ExitCode(2)
}

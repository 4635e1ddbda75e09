import ArgumentParser
import Checks
import PyRuntime

/// `pymemcheck scenario`: the child side of isolated runs. Hidden: users run `probe` and
/// `check`; pymemcheck runs this in fresh processes of itself, the scenario and all its
/// options in the request on standard input (Scenario.Request).
struct ScenarioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: Scenario.subcommand,
        abstract: "Run the scenario requested on standard input (used by isolated runs).",
        shouldDisplay: false)

    func run() throws {
        try reportingErrors { try ScenarioHost.serve() }
    }
}

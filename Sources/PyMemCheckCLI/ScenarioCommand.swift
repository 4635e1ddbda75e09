import ArgumentParser
import Executor
import PyRuntime

/// `pymemcheck scenario NAME`: the child side of isolated runs. Hidden: users run `probe` and
/// `check`; pymemcheck runs this in fresh processes of itself.
struct ScenarioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenario", abstract: "Run one named scenario in this process (used by isolated runs).",
        shouldDisplay: false)

    @Argument(help: "The scenario: \(Scenario.allCases.map(\.rawValue).joined(separator: ", ")).")
    var name: String

    @OptionGroup var target: TargetOption

    @Option var mode: String = "default"

    @Flag(help: "Plant the scenario's negative control.") var control = false

    func run() throws {
        try reportingErrors {
            guard let scenario = Scenario(rawValue: name) else {
                throw PyMemCheckError.usage("unknown scenario '\(name)'; known: \(Scenario.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let mode = try AllocatorMode.parse(self.mode)
            let target = scenario.needsRuntime ? try TargetSpec.resolve(self.target.spec) : nil
            try ScenarioHost.run(scenario, target: target, mode: mode, control: control)
        }
    }
}

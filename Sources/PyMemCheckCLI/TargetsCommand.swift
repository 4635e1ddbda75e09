import ArgumentParser
import PyRuntime

/// `pymemcheck targets`: the CPython runtimes found here and the modes each can run.
struct TargetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "targets", abstract: "List the CPython runtimes found on this machine and the allocator modes each supports.")

    @Option(help: "Output format.")
    var format: OutputFormat = .text

    func run() throws {
        try reportingErrors {
            let found = TargetDiscovery.discover()
            switch format {
            case .json: try printJSON(TargetListing(found))
            case .text: print(TargetListing(found).text, terminator: "")
            }
        }
    }
}

struct TargetListing: Encodable {
    var targets: [PythonTarget]
    var rejected: [TargetDiscovery.Rejected]

    init(_ result: TargetDiscovery.Result) {
        targets = result.targets
        rejected = result.rejected
    }

    var text: String {
        var lines = ["\(targets.count) CPython target\(targets.count == 1 ? "" : "s") found"]
        let width = max(targets.map(\.id.count).max() ?? 0, 6)
        for target in targets {
            let build = target.debugBuild ? "debug  " : "release"
            let allocators = ["pymalloc": target.pymalloc, "mimalloc": target.mimalloc].filter(\.value).keys.sorted().joined(separator: "+")
            lines.append("  \(target.id.padding(toLength: width, withPad: " ", startingAt: 0))  \(target.origin.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0))  \(build)  \(allocators.padding(toLength: 17, withPad: " ", startingAt: 0))  \(target.libraryPath)")
            lines.append("  \(String(repeating: " ", count: width))  modes: \(target.supportedModes.map(\.name).joined(separator: " "))")
        }
        for rejected in rejected {
            lines.append("  not usable: \(rejected.reason)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

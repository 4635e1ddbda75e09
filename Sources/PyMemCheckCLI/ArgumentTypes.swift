import AllocatorLayers
import ArgumentParser
import Foundation
import FuzzHarness
import PyRuntime
import Reports
import Vocabulary

// The enumerated options, parsed by the parser: --help lists each one's values, and a typo is
// a usage error that names them (one line, exit 2; see PyMemCheckCommand.runMain).

extension AllocatorMode: ExpressibleByArgument {}
extension FuzzTarget: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}

extension MutantKind: ExpressibleByArgument {
    /// The mutant type's own parser: the names --mutant and --plugin mutant:NAME accept.
    public init?(argument: String) { try? self.init(name: argument) }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// --plugin: the path of a shared library exporting pymemcheck_allocator, or mutant:NAME for a
/// built-in mutant. A path is made absolute here: worker processes and reproducers use it.
enum PluginChoice {
    case library(String)
    case mutant(MutantKind)

    static let mutantPrefix = "mutant:"

    static func help(_ what: String) -> ArgumentHelp {
        ArgumentHelp(
            "\(what) (NAME: \(MutantKind.names)).",
            valueName: "path|mutant:NAME")
    }

    /// `--plugin`'s parser: an unknown mutant's name is a usage error listing the known ones.
    static func parse(_ argument: String) throws -> PluginChoice {
        guard argument.hasPrefix(mutantPrefix) else {
            let folder = FileManager.default.currentDirectoryPath
            return .library(argument.hasPrefix("/") ? argument : folder + "/" + argument)
        }
        let name = String(argument.dropFirst(mutantPrefix.count))
        do {
            return .mutant(try MutantKind(name: name))
        } catch {
            throw ValidationError("\(error)") // the mutant type's own message, as a usage error
        }
    }

    /// How workers and the plugin loader name it: an absolute path, or mutant:NAME.
    var path: String {
        switch self {
        case .library(let path): return path
        case .mutant(let mutant): return Self.mutantPrefix + mutant.rawValue
        }
    }

    var isMutant: Bool {
        if case .mutant = self { return true }
        return false
    }
}

import ArgumentParser
import PyRuntime
import Vocabulary

/// The modes a command runs when no --mode is given, and how its --help says so.
protocol DefaultModes {
    static var modes: [AllocatorMode] { get }
    static var described: String { get }
}

/// check: every mode (the ones a target cannot run are reported not applicable).
enum EveryMode: DefaultModes {
    static var modes: [AllocatorMode] { AllocatorMode.allCases }
    static var described: String { "every mode each target supports" }
}

/// certify: the plain allocators and the debug hooks over them.
enum DefaultAndDebug: DefaultModes {
    static var modes: [AllocatorMode] { [.default, .debug] }
    static var described: String { "default and debug" }
}

/// replay: the fuzz binaries' own mode.
enum DefaultModeOnly: DefaultModes {
    static var modes: [AllocatorMode] { [.default] }
    static var described: String { "default" }
}

/// --python (repeated), --all and --mode (repeated): the targets × modes of check, certify and
/// replay, resolved here once for all of them. A target named twice (3.12 and 3.12.1, or a
/// version and its library's path) and a mode given twice run once.
struct TargetSelection<Defaults: DefaultModes>: ParsableArguments {
    @Option(
        name: .customLong("python"),
        help: "A target (version, libpython*.so or python executable); repeat for several. Default: python3 on PATH.")
    var specs: [String] = []

    @Flag(help: "Every target found on this machine (see 'pymemcheck targets').")
    var all = false

    @Option(
        name: .customLong("mode"),
        help: ArgumentHelp("An allocator mode; repeat for several. Default: \(Defaults.described)."))
    var chosenModes: [AllocatorMode] = []

    func validate() throws {
        if all && !specs.isEmpty { throw ValidationError("give --all or --python, not both") }
    }

    /// The targets, each once by id, in the order first named.
    func targets() throws -> [PythonTarget] {
        if all {
            let found = TargetDiscovery.discover().targets
            guard !found.isEmpty else {
                throw PyMemCheckError.environment(
                    "no CPython found on this machine; install one built with --enable-shared")
            }
            return found
        }
        let named = try (specs.isEmpty ? [nil] : specs.map { Optional($0) }).map { try TargetSpec.resolve($0) }
        return once(named, by: \.id)
    }

    /// The modes asked for, each once, or the command's default ones.
    var modes: [AllocatorMode] { chosenModes.isEmpty ? Defaults.modes : once(chosenModes, by: \.self) }
}

/// --python for the commands that drive one target in one mode (probe, bench, repro).
struct TargetOption: ParsableArguments {
    @Option(
        name: .customLong("python"),
        help: "A version (3.12, 3.11.7, 3.11d), a libpython*.so, or a python executable. Default: python3 on PATH.")
    var spec: String?

    /// The target, when it can run `mode`: a mode it cannot run is one line and exit 2.
    func resolve(toRun mode: AllocatorMode) throws -> PythonTarget {
        let target = try TargetSpec.resolve(spec)
        if case .notApplicable(let reason) = target.applicability(of: mode) {
            throw PyMemCheckError.notApplicable("\(target.id) cannot run mode \(mode.name): \(reason)")
        }
        return target
    }
}

/// `items` with every repeat of a key after the first left out.
func once<Item, Key: Hashable>(_ items: [Item], by key: (Item) -> Key) -> [Item] {
    var seen = Set<Key>()
    return items.filter { seen.insert(key($0)).inserted }
}

import AllocatorLayers
import CPythonABI
import Foundation
import OpLanguage
import PyRuntime
import Vocabulary

/// One started target for a fuzz process: the runtime in its mode, and pymemcheck's layers on
/// every domain — fault layers right above the real allocators, below everything of CPython's
/// that calls them (see `installFaultLayers`); a counting layer on top of each domain; and the
/// mutant, if one is asked for, above everything.
public final class FuzzSession: @unchecked Sendable {
    public struct Options: Sendable {
        public var target: PythonTarget
        public var mode: AllocatorMode
        public var mutant: MutantKind?
        public var hostile: Bool
        /// A custom allocator to certify, installed before initialisation.
        public var plugin: AllocatorPlugin?

        public init(
            target: PythonTarget, mode: AllocatorMode, mutant: MutantKind? = nil, hostile: Bool = false,
            plugin: AllocatorPlugin? = nil
        ) {
            self.target = target
            self.mode = mode
            self.mutant = mutant
            self.hostile = hostile
            self.plugin = plugin
        }

        /// A fuzz binary's options, and a line saying where the target and mode came from. The
        /// target: PYMEMCHECK_PYTHON, else the CPython of the bundle the binary lies in, else
        /// python3 on PATH. The mode: PYMEMCHECK_MODE, else the fuzzer's name
        /// (fuzz-sequences-debug), else its options file's [pymemcheck] section, else default.
        /// PYMEMCHECK_MUTANT plants a defect; PYMEMCHECK_PLUGIN installs a plugin as certify does.
        static func forFuzzer(
            _ fuzzer: FuzzTarget, identity: FuzzerIdentity = .current(),
            environment: [String: String] = ProcessInfo.processInfo.environment
        ) throws -> (options: Options, origin: String) {
            func given(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
            let (target, targetOrigin) = try chooseTarget(spec: given("PYMEMCHECK_PYTHON"), identity: identity)
            let (mode, modeOrigin) = try chooseMode(name: given("PYMEMCHECK_MODE"), for: fuzzer, identity: identity)
            let mutant = try given("PYMEMCHECK_MUTANT").map { try MutantKind(name: $0) }
            let plugin = try given("PYMEMCHECK_PLUGIN").map { try AllocatorPlugin.load($0) }
            let options = Options(target: target, mode: mode, mutant: mutant, hostile: fuzzer.hostile, plugin: plugin)
            return (options, "\(target.id) in mode \(mode.name) (\(targetOrigin), \(modeOrigin))")
        }

        private static func chooseTarget(spec: String?, identity: FuzzerIdentity) throws
            -> (PythonTarget, origin: String)
        {
            if let spec { return (try TargetSpec.resolve(spec), "CPython from PYMEMCHECK_PYTHON") }
            if let bundled = try identity.bundledTarget() {
                return (bundled, "the bundle's CPython in \(bundled.home ?? "")")
            }
            return (try TargetSpec.resolve(nil), "CPython of \(TargetSpec.defaultSpec) on PATH")
        }

        private static func chooseMode(name: String?, for fuzzer: FuzzTarget, identity: FuzzerIdentity) throws
            -> (AllocatorMode, origin: String)
        {
            if let name { return (try AllocatorMode.parse(name), "mode from PYMEMCHECK_MODE") }
            if let named = try identity.modeFromName(of: fuzzer) { return (named, "mode from the fuzzer's name") }
            if let optioned = try identity.modeFromOptionsFile() {
                return (optioned, "mode from \(identity.name).options")
            }
            return (.default, "default mode")
        }
    }

    public let options: Options
    public let runtime: PythonRuntime
    /// What the documents promise for this mode (not what is observed: a mutant may drop them).
    public let debugHooks: Bool
    /// The failure a fail-next op arms, and the points below each domain's API it may fail at:
    /// none where the domain has no allocator below it that CPython calls (not fault-injectable).
    let faults = FaultSwitch()
    let faultPoints: [AllocatorDomain: FaultPoints]
    /// Every fault layer (hostile mode, the quarantine).
    let faultLayers: [FaultLayer]
    let live: [AllocatorDomain: LiveBlocks]
    public let functions: [AllocatorDomain: DomainFunctions]

    public static func start(_ options: Options) throws -> FuzzSession {
        let mutant = options.mutant
        // With a plugin or a planted defect the mode may legitimately (or by design) not look as
        // usual: the oracle, not the start-up check, is to judge it.
        let runtime = try PythonRuntime.start(
            target: options.target, mode: options.mode,
            verifyMode: options.plugin == nil && options.mutant == nil
        ) { library in
            if let mutant, mutant.replacesBeforeInitialisation { installReplacing(mutant, in: library) }
            try options.plugin?.install(in: library, mode: options.mode, debugBuild: options.target.debugBuild)
        }
        options.plugin?.started(runtime.library)
        return FuzzSession(options: options, runtime: runtime)
    }

    private init(options: Options, runtime: PythonRuntime) {
        self.options = options
        self.runtime = runtime
        let library = runtime.library
        debugHooks = options.mode.expectsDebugHooks(debugBuild: options.target.debugBuild)
        (faultPoints, faultLayers) = Self.installFaultLayers(options, faults: faults, in: library)
        var live: [AllocatorDomain: LiveBlocks] = [:]
        var functions: [AllocatorDomain: DomainFunctions] = [:]
        for domain in AllocatorDomain.allCases {
            // Not registered as our own hooks: as before, the debug hooks are not looked for below them.
            live[domain] = LiveBlocks().install(onTopOf: domain, in: library, registered: false)
            if let mutant = options.mutant, !mutant.replacesBeforeInitialisation {
                mutant.layer().install(onTopOf: domain, in: library, registered: false)
            }
            functions[domain] = library.functions(domain)
        }
        self.live = live
        self.functions = functions
    }

    /// Where each domain's failures are injected: always below the code of CPython (or of the
    /// plugin) that must handle them, never in place of the allocator that would fail.
    /// - under a plugin: certify's fault layer, the plugin's `previous`;
    /// - under the debug hooks: a layer in the hooks' slot, right above the real allocator;
    /// - RAW without the hooks: a layer on the RAW domain, over the libc wrapper (which only
    ///   passes libc's NULL on, so the API returns what it would if libc failed);
    /// - MEM and OBJ on pymalloc without the hooks: that RAW layer, which pymalloc falls back to
    ///   for blocks over 512 bytes and reallocs out of its pools, and the arena allocator;
    /// - MEM and OBJ on the libc wrappers or mimalloc without the hooks: none. They call libc
    ///   (or the OS) directly, and a failure answered above them would run none of CPython's
    ///   code: those domains are not fault-injectable.
    private static func installFaultLayers(_ options: Options, faults: FaultSwitch, in library: PythonLibrary)
        -> ([AllocatorDomain: FaultPoints], [FaultLayer])
    {
        let underlying = options.target.underlyingAllocator(in: options.mode)
        var points: [AllocatorDomain: FaultPoints] = [:]
        var layers: [FaultLayer] = []
        for domain in AllocatorDomain.allCases {
            if let plugin = options.plugin?.installed[domain] {
                plugin.fault.attach(faults, as: .layer(domain))
                points[domain] = FaultPoints(points: [.layer(domain)], site: .underPlugin)
            } else if library.debugHooksInstalled(domain) {
                let layer = FaultLayer(hostile: options.hostile, moves: domain == .raw || underlying == .malloc)
                _ = layer.installUnderDebugHooks(of: domain, in: library)
                layer.attach(faults, as: .layer(domain))
                layers.append(layer)
                points[domain] = FaultPoints(points: [.layer(domain)], site: .underDebugHooks)
            } else if domain == .raw {
                let layer = FaultLayer(hostile: options.hostile, moves: true)
                layer.install(onTopOf: domain, in: library, registered: false)
                layer.attach(faults, as: .layer(.raw))
                layers.append(layer)
                points[domain] = FaultPoints(points: [.layer(.raw)], site: .rawDomain)
            } else if underlying == .pymalloc {
                points[domain] = FaultPoints(points: [.layer(.raw), .arena], site: .belowPymalloc)
            } else {
                points[domain] = FaultPoints(points: [], site: .notInjectable)
            }
        }
        if underlying == .pymalloc && options.plugin == nil { ArenaFaults.install(in: library, faults: faults) }
        return (points, layers)
    }

    /// The replacing mutant takes the real allocator's place, debug hooks and all.
    private static func installReplacing(_ kind: MutantKind, in library: PythonLibrary) {
        for domain in AllocatorDomain.allCases {
            kind.layer().install(replacing: domain, in: library, registered: false)
        }
    }

    public var version: PythonVersion { runtime.version }

    /// Runs `body` with the guard pages under a plugin off. For work that looks for blocks two
    /// threads were given, not for stray accesses, and makes hundreds of blocks a second: the
    /// raw-thread churn (certify's long workload does the same).
    func withoutGuards<T>(_ body: () -> T) -> T {
        guard let plugin = options.plugin else { return body() }
        for installation in plugin.installed.values { installation.guardBlocks(false) }
        defer { for installation in plugin.installed.values { installation.guardBlocks(true) } }
        return body()
    }

    /// Blocks handed out through the counting layers since the last reset.
    var liveCount: Int { live.values.reduce(0) { $0 + $1.count } }

    func resetCounts() { for blocks in live.values { blocks.reset() } }

    /// Turns hostile mode on or off (between inputs: a target's inputs set it for themselves).
    public func setHostile(_ on: Bool) { for layer in faultLayers { layer.hostile = on } }

    /// Hostile work below CPython since the last call: (reallocs moved, freed blocks poisoned).
    func takeHostileCounts() -> (moved: Int, poisoned: Int) {
        faultLayers.map { $0.takeHostileCounts() }.reduce((0, 0)) { ($0.0 + $1.moved, $0.1 + $1.poisoned) }
    }

    /// Empties every quarantine and returns what was found written after free.
    func drainDamage() -> [String] { faultLayers.flatMap { $0.drainDamage() } }
}

/// The fault points an op of one domain arms, and where they sit, for the counts.
struct FaultPoints: Sendable {
    enum Site: String, Sendable, CaseIterable {
        case underPlugin = "under the plugin"
        case underDebugHooks = "under the debug hooks"
        case rawDomain = "at the RAW domain over libc"
        case belowPymalloc = "below pymalloc"
        case notInjectable = "not injectable"
    }

    var points: Set<FaultSwitch.Point>
    var site: Site

    /// Where a failure at `point` was injected, for a report.
    func describe(_ point: FaultSwitch.Point) -> String {
        switch (site, point) {
        case (.belowPymalloc, .arena): return "below pymalloc (an arena)"
        case (.belowPymalloc, _): return "below pymalloc (its RAW fallback)"
        default: return site.rawValue
        }
    }
}

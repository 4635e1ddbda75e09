import CPythonABI
import Foundation
import OpLanguage
import PyRuntime

/// One started target for a fuzz process: the runtime in its mode, and pymemcheck's layers on
/// every domain — the base layer (fault injection, hostile mode) right above the real
/// allocator, under the debug hooks when they are on; a counting layer on top; and the mutant,
/// if one is asked for, above everything.
public final class FuzzSession: @unchecked Sendable {
    public struct Options: Sendable {
        public var target: PythonTarget
        public var mode: AllocatorMode
        public var mutant: MutantKind?
        public var hostile: Bool
        /// A custom allocator to certify, installed before initialisation.
        public var plugin: AllocatorPlugin?

        public init(target: PythonTarget, mode: AllocatorMode, mutant: MutantKind? = nil, hostile: Bool = false, plugin: AllocatorPlugin? = nil) {
            self.target = target
            self.mode = mode
            self.mutant = mutant
            self.hostile = hostile
            self.plugin = plugin
        }

        /// PYMEMCHECK_PYTHON, PYMEMCHECK_MODE (default: default), PYMEMCHECK_MUTANT and
        /// PYMEMCHECK_PLUGIN (a plugin to certify, installed as certify does).
        public static func fromEnvironment(hostile: Bool) throws -> Options {
            let environment = ProcessInfo.processInfo.environment
            let mode = try AllocatorMode.parse(environment["PYMEMCHECK_MODE"] ?? "default")
            var mutant: MutantKind?
            if let name = environment["PYMEMCHECK_MUTANT"], !name.isEmpty {
                guard let kind = MutantKind(rawValue: name) else {
                    throw PyMemCheckError.usage("unknown mutant '\(name)'; one of: \(MutantKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                mutant = kind
            }
            let plugin = try environment["PYMEMCHECK_PLUGIN"].flatMap { $0.isEmpty ? nil : try AllocatorPlugin.load($0) }
            return Options(target: try TargetSpec.fromEnvironment(), mode: mode, mutant: mutant, hostile: hostile, plugin: plugin)
        }
    }

    public let options: Options
    public let runtime: PythonRuntime
    /// What the documents promise for this mode (not what is observed: a mutant may drop them).
    public let debugHooks: Bool
    let base: [Domain: BaseLayer]
    let live: [Domain: LiveBlocks]
    public let functions: [Domain: DomainFunctions]

    public static func start(_ options: Options) throws -> FuzzSession {
        let mutant = options.mutant
        // With a plugin or a planted defect the mode may legitimately (or by design) not look as
        // usual: the oracle, not the start-up check, is to judge it.
        let runtime = try PythonRuntime.start(target: options.target, mode: options.mode,
                                              verifyMode: options.plugin == nil && options.mutant == nil) { library in
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
        var base: [Domain: BaseLayer] = [:], live: [Domain: LiveBlocks] = [:], functions: [Domain: DomainFunctions] = [:]
        for domain in Domain.allCases {
            let runtimeDomain = AllocatorDomain(domain)
            base[domain] = Self.installBase(runtimeDomain, hostile: options.hostile, in: library)
            let counter = LiveBlocks(below: PMCMemAllocatorExBox(value: library.allocator(runtimeDomain)))
            library.install(allocatorStruct(for: counter), for: runtimeDomain)
            live[domain] = counter
            if let mutant = options.mutant, !mutant.replacesBeforeInitialisation {
                let layer = MutantLayer(kind: mutant, below: PMCMemAllocatorExBox(value: library.allocator(runtimeDomain)))
                library.install(allocatorStruct(for: layer), for: runtimeDomain)
            }
            functions[domain] = library.functions(runtimeDomain)
        }
        self.base = base
        self.live = live
        self.functions = functions
    }

    /// The base layer goes right above the real allocator: under the debug hooks if they are
    /// on top, else on top.
    private static func installBase(_ domain: AllocatorDomain, hostile: Bool, in library: PythonLibrary) -> BaseLayer {
        if let slot = library.slotUnderDebugHook(domain) {
            let layer = BaseLayer(below: PMCMemAllocatorExBox(value: slot.pointee), hostile: hostile)
            slot.pointee = allocatorStruct(for: layer)
            return layer
        }
        let layer = BaseLayer(below: PMCMemAllocatorExBox(value: library.allocator(domain)), hostile: hostile)
        library.install(allocatorStruct(for: layer), for: domain)
        return layer
    }

    /// The replacing mutant takes the real allocator's place, debug hooks and all.
    private static func installReplacing(_ kind: MutantKind, in library: PythonLibrary) {
        for domain in AllocatorDomain.allCases {
            let underlying = library.slotUnderDebugHook(domain)?.pointee ?? library.allocator(domain)
            let layer = MutantLayer(kind: kind, below: PMCMemAllocatorExBox(value: underlying))
            library.install(allocatorStruct(for: layer), for: domain)
        }
    }

    public var version: PythonVersion { runtime.version }

    /// Blocks handed out through the counting layers since the last reset.
    var liveCount: Int { live.values.reduce(0) { $0 + $1.count } }

    func resetCounts() { live.values.forEach { $0.reset() } }

    /// Turns hostile mode on or off (between inputs: a target's inputs set it for themselves).
    public func setHostile(_ on: Bool) { base.values.forEach { $0.hostile = on } }
}

import CPythonABI
import Foundation
import OpLanguage
import PyRuntime
import Vocabulary

/// A custom allocator to certify: a shared library exporting `pymemcheck_allocator` (see
/// Sources/PluginInterface/include/pymemcheck_plugin.h), or one of the built-in mutants as
/// `mutant:NAME`.
public final class AllocatorPlugin: @unchecked Sendable {
    typealias Entry =
        @convention(c) (Int32, UnsafePointer<PMCMemAllocatorEx>?, UnsafeMutablePointer<PMCMemAllocatorEx>?) -> Int32

    public let path: String
    let entry: Entry?
    public let mutant: MutantKind?
    /// What certify put under the plugin in each domain, and what the plugin installed.
    public private(set) var installed: [AllocatorDomain: Installed] = [:]
    /// The domains whose allocator the target cannot take from the plugin, and why
    /// (ObjectBlockHosting: a free-threaded build's OBJ).
    public private(set) var leftOut: [AllocatorDomain: String] = [:]

    public struct Installed: @unchecked Sendable {
        public let domain: AllocatorDomain
        public let fault: FaultLayer
        let guardLayer: GuardLayer
        /// The plugin's own allocator for the domain (called directly by certify).
        public let hook: PMCMemAllocatorEx
        /// Whether the target can take guarded blocks at all. A free-threaded build cannot: its
        /// garbage collector finds objects by walking mimalloc's heaps and its debug hooks read
        /// a block's mimalloc page, so a block outside them breaks the runtime, not the plugin.
        /// Guarding RAW and MEM alone is not enough: an OBJ free in the debug hooks was then
        /// handed a guarded block (fill_mem_debug crashed in 3.13.5t with a correct wrapper).
        let guardable: Bool

        /// Whether the blocks allocated under the plugin from now on are guarded (before
        /// start-up too), where the target can take them; a long workload runs unguarded, for speed.
        public func guardBlocks(_ on: Bool = true) { guardLayer.armed = on && guardable }

        /// Makes the next call of `function` in the allocator under the plugin fail (nil: none).
        public func arm(_ function: AllocatorFunction?) { fault.arm(function) }
        /// Whether the armed failure was reached.
        public var injected: Bool { fault.injected }
    }

    public static func load(_ path: String) throws -> AllocatorPlugin {
        if path.hasPrefix("mutant:") {
            let kind = try MutantKind(name: String(path.dropFirst("mutant:".count)))
            return AllocatorPlugin(path: path, entry: nil, mutant: kind)
        }
        // A name without a slash is a file in this folder, as a user means it (dlopen alone
        // would search the library path for it).
        let path = URL(
            fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        ).standardizedFileURL.path
        try InputFile.check(path, as: .plugin) // dlopen would wait forever on a FIFO
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = String(cString: dlerror())
            if reason.contains("invalid ELF header") || reason.contains("file too short")
                || reason.contains("not an ELF")
            {
                throw PyMemCheckError.usage("plugin \(path) is not a shared library (build it with cc -shared -fPIC)")
            }
            throw PyMemCheckError.usage("cannot load plugin \(path): \(reason)")
        }
        guard let symbol = dlsym(handle, "pymemcheck_allocator") else {
            throw PyMemCheckError.usage(
                "plugin \(path) does not export pymemcheck_allocator (see pymemcheck_plugin.h)")
        }
        return AllocatorPlugin(path: path, entry: unsafeBitCast(symbol, to: Entry.self), mutant: nil)
    }

    private init(path: String, entry: Entry?, mutant: MutantKind?) {
        self.path = path
        self.entry = entry
        self.mutant = mutant
    }

    /// Between pre-initialisation and Py_InitializeEx: for RAW, MEM and OBJ in that order, puts
    /// the fault-injection and guard layers over CPython's own allocator (below its debug
    /// hooks), hands them to the plugin as `previous`, installs what it returns, and in the
    /// debug modes sets the debug hooks up again on top, as the documents require. `announce`
    /// hears each step before it is taken: a plugin that crashes or hangs in one is named by it.
    public func install(
        in library: PythonLibrary, mode: AllocatorMode, debugBuild: Bool,
        announce: (String) -> Void = { _ in }
    ) throws {
        for domain in AllocatorDomain.allCases {
            let installing = "installing the plugin's allocator for the \(domain.name.uppercased()) domain"
            if domain == .obj, library.target.freeThreaded, entry != nil,
                let refusal = try ObjectBlockHosting.refusal(pluginPath: path)
            {
                leftOut[domain] = refusal
                continue
            }
            announce("\(installing) (its pymemcheck_allocator)")
            let runtimeDomain = runtimeDomain(domain)
            let real = library.slotUnderDebugHook(runtimeDomain)?.pointee ?? library.allocator(runtimeDomain)
            let guardLayer = GuardLayer()
            let fault = FaultLayer(hostile: false)
            var previous = fault.install(over: guardLayer.install(over: real))
            var hook = PMCMemAllocatorEx()
            if let mutant {
                hook = mutant.layer().install(over: previous)
            } else if entry!(domain.rawValue, &previous, &hook) != 0 {
                continue
            }
            guard hook.malloc != nil, hook.calloc != nil, hook.realloc != nil, hook.free != nil else {
                throw PyMemCheckError.runtime(
                    "plugin \(path) returned an allocator with a NULL function for \(domain.name)")
            }
            announce("\(installing) (PyMem_SetAllocator)")
            library.install(hook, for: runtimeDomain)
            installed[domain] = Installed(
                domain: domain, fault: fault, guardLayer: guardLayer, hook: hook,
                guardable: !library.target.freeThreaded)
        }
        // Mode hooks: the runtime's start-up calls PyMem_SetupDebugHooks itself next.
        if mode != .hooks && mode.expectsDebugHooks(debugBuild: debugBuild) {
            announce("setting the debug hooks up over the plugin's allocators")
            try library.installDebugHooks()
        }
    }

    /// Once the runtime is up: guard what is allocated from now on, and (the drops-debug-hooks
    /// mutant) replace the domains' allocators again, debug hooks and all.
    public func started(_ library: PythonLibrary) {
        for installation in installed.values { installation.guardBlocks() }
        if mutant == .dropsDebugHooks {
            for (domain, plugin) in installed { library.install(plugin.hook, for: runtimeDomain(domain)) }
        }
    }
}

/// The runtime's domain for an op-language domain (both number RAW, MEM, OBJ as 0, 1, 2, the
/// PYMEM_DOMAIN_* values).
private func runtimeDomain(_ domain: AllocatorDomain) -> AllocatorDomain {
    domain
}

extension InputFile.Role {
    static let plugin = Self(
        noun: "plugin", hint: "give the path of a shared library exporting pymemcheck_allocator, or mutant:NAME")
}

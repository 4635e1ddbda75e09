import CPythonABI
import Foundation
import Isolation
import Vocabulary

#if canImport(Glibc)
    import Glibc
#endif

/// A started CPython runtime. CPython can be initialised once per process, in one allocator
/// mode, so there is at most one of these per process: other modes run in child processes.
public final class PythonRuntime: @unchecked Sendable {
    public let library: PythonLibrary
    public let mode: AllocatorMode
    /// What start-up verification saw of the mode.
    public private(set) var observation: ModeObservation?
    public var target: PythonTarget { library.target }
    public var version: PythonVersion { library.target.version }

    private static let started = Locked<Bool>(false)

    private init(library: PythonLibrary, mode: AllocatorMode) {
        self.library = library
        self.mode = mode
    }

    /// The library loaded and not initialised: for what is asked before CPython starts (an
    /// allocator's own functions, called directly). Nothing that needs the interpreter may use it.
    public static func notStarted(_ library: PythonLibrary, mode: AllocatorMode) -> PythonRuntime {
        PythonRuntime(library: library, mode: mode)
    }

    /// Loads `target` and initialises it in `mode`, with the sequence its version needs, then
    /// checks that the mode took effect. `installAllocators` runs once the mode's allocators are
    /// set up and before the `hooks` mode's PyMem_SetupDebugHooks() and Py_InitializeEx: the
    /// place where an embedder installs its own allocators.
    /// `verifyMode: false` when custom allocators replace CPython's own (a plugin): pymalloc's
    /// arenas are then legitimately absent.
    /// `request`, where given, asks Py_PreInitialize (3.8+) for allocators by PYTHONMALLOC or
    /// PyPreConfig.allocator in place of `mode`'s, whether or not the build has them: what a
    /// check of the build's own refusals needs. Its refusal is thrown as a PreInitializeRefusal.
    public static func start(
        target: PythonTarget, mode: AllocatorMode, verifyMode: Bool = true, request: AllocatorRequest? = nil,
        installAllocators: (PythonLibrary) throws -> Void = { _ in }
    ) throws -> PythonRuntime {
        if request == nil, case .notApplicable(let reason) = target.applicability(of: mode) {
            throw PyMemCheckError.notApplicable("mode \(mode.name) on \(target.id): \(reason)")
        }
        try started.withLock { already in
            if already {
                throw PyMemCheckError.runtime(
                    "a Python runtime is already running in this process; run each target and mode in its own process")
            }
            already = true
        }
        let library = try PythonLibrary(target: target)
        prepareEnvironment(for: mode)
        if let home = target.home { setenv("PYTHONHOME", home, 1) }
        try StartupSequence(library: library, mode: mode, request: request).run(installAllocators: installAllocators)
        let runtime = PythonRuntime(library: library, mode: mode)
        if verifyMode { runtime.observation = try ModeVerification(runtime: runtime).verify() }
        return runtime
    }

    /// Environment variables that would change the allocators behind our back are cleared;
    /// PYTHONMALLOC is set only where the version reads it during start-up.
    private static func prepareEnvironment(for mode: AllocatorMode) {
        for name in ["PYTHONMALLOC", "PYTHONDEVMODE", "PYTHONTRACEMALLOC", "PYTHONMALLOCSTATS", "PYTHONOPTIMIZE"] {
            unsetenv(name)
        }
    }

    /// Runs `body` with the GIL released by this thread (PyEval_SaveThread/RestoreThread).
    public func withoutGIL<T>(_ body: () throws -> T) rethrows -> T {
        let state = library.saveThread()
        defer { library.restoreThread(state) }
        return try body()
    }

    /// Runs Python source in __main__; false when it raised.
    @discardableResult
    public func run(_ source: String) -> Bool {
        library.runSimpleString(source) == 0
    }

    /// The allocator name CPython reports (3.7+), e.g. "pymalloc_debug"; nil where unavailable.
    public var reportedAllocatorName: String? {
        allocatorNameFunction?().map { String(cString: $0) }
    }

    /// Whether the version reports an allocator name at all (3.7+); where it does, NULL means
    /// allocators it does not know.
    public var reportsAllocatorName: Bool { allocatorNameFunction != nil }

    private var allocatorNameFunction: (@convention(c) () -> UnsafePointer<CChar>?)? {
        typealias NameFunction = @convention(c) () -> UnsafePointer<CChar>?
        return library.optionalSymbol("_PyMem_GetCurrentAllocatorName", as: NameFunction.self)
            ?? library.optionalSymbol("_PyMem_GetAllocatorsName", as: NameFunction.self)
    }
}

/// The version-specific order of start-up.
struct StartupSequence {
    let library: PythonLibrary
    let mode: AllocatorMode
    var request: AllocatorRequest?
    var version: PythonVersion { library.target.version }

    func run(installAllocators: (PythonLibrary) throws -> Void) throws {
        if version >= PythonVersion(3, 8) {
            try preInitialize() // 3.8+: Py_PreInitialize applies PYTHONMALLOC
        } else {
            if request != nil {
                throw PyMemCheckError.environment(
                    "\(library.target.id) has no Py_PreInitialize (3.8+) to ask allocators of")
            }
            try setUpAllocatorsBefore38()
        }
        try installAllocators(library)
        if mode == .hooks { try library.installDebugHooks() }
        library.initializeEx(0)
        unsetenv("PYTHONMALLOC") // 3.7 read it during Py_InitializeEx; nothing later should
        guard library.isInitialized() != 0 else {
            throw PyMemCheckError.runtime("Py_InitializeEx did not initialise \(library.target.id)")
        }
        if version < PythonVersion(3, 7) {
            // 3.6 creates the GIL lazily; threads that call PyGILState_Ensure need it to exist.
            typealias InitThreads = @convention(c) () -> Void
            library.optionalSymbol("PyEval_InitThreads", as: InitThreads.self)?()
        }
    }

    private func preInitialize() throws {
        typealias InitConfig = @convention(c) (UnsafeMutablePointer<PMCPreConfigBuffer>) -> Void
        guard let initConfig = library.optionalSymbol("PyPreConfig_InitPythonConfig", as: InitConfig.self),
            let preInitialize = library.optionalSymbol("Py_PreInitialize", as: UnsafeMutableRawPointer.self)
        else {
            throw PyMemCheckError.environment("\(library.target.libraryPath) is \(version) but lacks Py_PreInitialize")
        }
        let pythonMalloc: String?
        switch request {
        case .pythonMalloc(let name): pythonMalloc = name
        case .preConfig: pythonMalloc = nil
        case nil: pythonMalloc = mode.pythonMallocName
        }
        if let pythonMalloc { setenv("PYTHONMALLOC", pythonMalloc, 1) }
        defer { unsetenv("PYTHONMALLOC") }
        var config = PMCPreConfigBuffer()
        initConfig(&config)
        if case .preConfig(let allocator) = request { pmc_preconfig_set_allocator(&config, allocator.rawValue) }
        let status = pmc_call_preinitialize(preInitialize, &config)
        if status.type != 0 {
            let message = status.err_msg.map { String(cString: $0) } ?? "status \(status.type)"
            if request != nil { throw PreInitializeRefusal(message: message) }
            throw PyMemCheckError.runtime(
                "Py_PreInitialize refused mode \(mode.name) on \(library.target.id): \(message)")
        }
    }

    /// 3.6 and 3.7 export _PyMem_SetupAllocators(const char *), which their own python program
    /// uses for PYTHONMALLOC; embedded 3.6 never reads the variable, and 3.7 re-applies it inside
    /// Py_InitializeEx, so there PYTHONMALLOC is set too and the result checked after start-up.
    private func setUpAllocatorsBefore38() throws {
        guard let name = mode.pythonMallocName else { return }
        typealias SetupAllocators = @convention(c) (UnsafePointer<CChar>) -> Int32
        guard let setup = library.optionalSymbol("_PyMem_SetupAllocators", as: SetupAllocators.self) else {
            throw PyMemCheckError.environment(
                "\(library.target.id) lacks _PyMem_SetupAllocators; mode \(name) cannot be reached")
        }
        guard setup(name) == 0 else {
            throw PyMemCheckError.runtime("_PyMem_SetupAllocators(\"\(name)\") failed on \(library.target.id)")
        }
        if version >= PythonVersion(3, 7) { setenv("PYTHONMALLOC", name, 1) }
    }
}

/// Allocators asked of Py_PreInitialize directly, as an embedder can ask them.
public enum AllocatorRequest: Sendable, Codable, Equatable {
    /// PYTHONMALLOC=name in the environment Py_PreInitialize reads.
    case pythonMalloc(String)
    /// PyPreConfig.allocator set to this value.
    case preConfig(PreConfigAllocator)
}

/// CPython's PyMemAllocatorName (Include/cpython/pymem.h, 3.8+), the values PyPreConfig.allocator takes.
public enum PreConfigAllocator: Int32, Sendable, Codable, CaseIterable {
    case notSet = 0
    case `default`, debug, malloc, mallocDebug, pymalloc, pymallocDebug, mimalloc, mimallocDebug

    /// The constant's name in CPython's headers.
    public var name: String {
        switch self {
        case .notSet: return "PYMEM_ALLOCATOR_NOT_SET"
        case .default: return "PYMEM_ALLOCATOR_DEFAULT"
        case .debug: return "PYMEM_ALLOCATOR_DEBUG"
        case .malloc: return "PYMEM_ALLOCATOR_MALLOC"
        case .mallocDebug: return "PYMEM_ALLOCATOR_MALLOC_DEBUG"
        case .pymalloc: return "PYMEM_ALLOCATOR_PYMALLOC"
        case .pymallocDebug: return "PYMEM_ALLOCATOR_PYMALLOC_DEBUG"
        case .mimalloc: return "PYMEM_ALLOCATOR_MIMALLOC"
        case .mimallocDebug: return "PYMEM_ALLOCATOR_MIMALLOC_DEBUG"
        }
    }

    /// The constant that asks for `mode`'s allocators; nil for the modes that are not a name.
    public init?(_ mode: AllocatorMode) {
        switch mode {
        case .default: self = .default
        case .debug: self = .debug
        case .malloc: self = .malloc
        case .mallocDebug: self = .mallocDebug
        case .pymalloc: self = .pymalloc
        case .pymallocDebug: self = .pymallocDebug
        case .mimalloc: self = .mimalloc
        case .mimallocDebug: self = .mimallocDebug
        case .hooks: return nil
        }
    }
}

/// Py_PreInitialize's error status, in CPython's words, for an AllocatorRequest it refused.
public struct PreInitializeRefusal: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "Py_PreInitialize refused: \(message)" }
}

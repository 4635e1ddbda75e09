import CPythonABI
import CrashReport
import Foundation
import Vocabulary

#if canImport(Glibc)
    import Glibc
#endif

public typealias MallocFunction = @convention(c) (Int) -> UnsafeMutableRawPointer?
public typealias CallocFunction = @convention(c) (Int, Int) -> UnsafeMutableRawPointer?
public typealias ReallocFunction = @convention(c) (UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer?
public typealias FreeFunction = @convention(c) (UnsafeMutableRawPointer?) -> Void

/// malloc, calloc, realloc and free of one domain: as exported by libpython (CPython's API),
/// or an allocator's own functions called directly (a plugin's PyMemAllocatorEx, with its
/// ctx), so that the same checks judge both. Each call is announced before it is made
/// (CrashReport.h: a few stores), so that a crash inside it, or in the use of the block it
/// returned, names the call and whether it was made through the API or directly.
public struct DomainFunctions: @unchecked Sendable {
    public let domain: AllocatorDomain
    /// Whether the functions are an allocator's own, called directly (not through the API).
    public var isDirect: Bool { if case .direct = backend { true } else { false } }
    private let backend: Backend

    /// CPython's functions, or an allocator's struct of pointers (callable from any thread).
    private enum Backend {
        case api(MallocFunction, CallocFunction, ReallocFunction, FreeFunction)
        case direct(PMCMemAllocatorEx)
    }

    public init(
        _ domain: AllocatorDomain, malloc: MallocFunction, calloc: CallocFunction, realloc: ReallocFunction,
        free: FreeFunction
    ) {
        self.domain = domain
        backend = .api(malloc, calloc, realloc, free)
    }

    /// An allocator's own functions (a PyMemAllocatorEx), called directly with its ctx.
    public init(_ domain: AllocatorDomain, direct allocator: PMCMemAllocatorEx) {
        self.domain = domain
        backend = .direct(allocator)
    }

    public func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        announce(PMC_CALL_MALLOC, size)
        switch backend {
        case .api(let malloc, _, _, _): return done(malloc(size))
        case .direct(let allocator): return done(allocator.malloc(allocator.ctx, size))
        }
    }

    public func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
        announce(PMC_CALL_CALLOC, count, size)
        switch backend {
        case .api(_, let calloc, _, _): return done(calloc(count, size))
        case .direct(let allocator): return done(allocator.calloc(allocator.ctx, count, size))
        }
    }

    public func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        announce(PMC_CALL_REALLOC, size, pointer: pointer)
        switch backend {
        case .api(_, _, let realloc, _): return done(realloc(pointer, size))
        case .direct(let allocator): return done(allocator.realloc(allocator.ctx, pointer, size))
        }
    }

    public func free(_ pointer: UnsafeMutableRawPointer?) {
        announce(PMC_CALL_FREE, pointer: pointer)
        switch backend {
        case .api(_, _, _, let free): free(pointer)
        case .direct(let allocator): allocator.free(allocator.ctx, pointer)
        }
        pmc_call_end(nil)
    }

    private func announce(
        _ function: PMCCallFunction, _ first: Int = 0, _ second: Int = 0, pointer: UnsafeRawPointer? = nil
    ) {
        pmc_call_begin(domain.rawValue, isDirect ? 1 : 0, Int32(function.rawValue), first, second, pointer)
    }

    private func done(_ result: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
        pmc_call_end(result)
        return result
    }
}

/// A libpython loaded for driving, with its C API resolved to typed function pointers.
/// Loaded RTLD_NOW | RTLD_GLOBAL: extension modules find their Py* symbols in the global scope.
public final class PythonLibrary: @unchecked Sendable {
    public let target: PythonTarget
    private let handle: UnsafeMutableRawPointer

    public let raw: DomainFunctions
    public let mem: DomainFunctions
    public let obj: DomainFunctions

    public let getAllocator: @convention(c) (PMCDomain, UnsafeMutablePointer<PMCMemAllocatorEx>) -> Void
    public let setAllocator: @convention(c) (PMCDomain, UnsafeMutablePointer<PMCMemAllocatorEx>) -> Void
    public let setupDebugHooks: @convention(c) () -> Void
    public let getArenaAllocator: @convention(c) (UnsafeMutablePointer<PMCArenaAllocator>) -> Void
    public let setArenaAllocator: @convention(c) (UnsafeMutablePointer<PMCArenaAllocator>) -> Void
    public let initializeEx: @convention(c) (Int32) -> Void
    public let isInitialized: @convention(c) () -> Int32
    public let saveThread: @convention(c) () -> UnsafeMutableRawPointer?
    public let restoreThread: @convention(c) (UnsafeMutableRawPointer?) -> Void
    public let gilStateEnsure: @convention(c) () -> Int32
    public let gilStateRelease: @convention(c) (Int32) -> Void
    public let runSimpleString: @convention(c) (UnsafePointer<CChar>) -> Int32
    /// PyTraceMalloc_Track (3.7+) or _PyTraceMalloc_Track (3.6).
    public let traceMallocTrack: (@convention(c) (UInt32, UInt, Int) -> Int32)?
    public let traceMallocUntrack: (@convention(c) (UInt32, UInt) -> Int32)?

    public init(target: PythonTarget) throws {
        self.target = target
        guard let handle = dlopen(target.libraryPath, RTLD_NOW | RTLD_GLOBAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            throw PyMemCheckError.environment("cannot load \(target.libraryPath): \(reason)")
        }
        self.handle = handle
        let symbols = SymbolTable(handle: handle, path: target.libraryPath)
        raw = try symbols.domain(.raw, "PyMem_Raw")
        mem = try symbols.domain(.mem, "PyMem_")
        obj = try symbols.domain(.obj, "PyObject_")
        getAllocator = try symbols.required("PyMem_GetAllocator")
        setAllocator = try symbols.required("PyMem_SetAllocator")
        setupDebugHooks = try symbols.required("PyMem_SetupDebugHooks")
        getArenaAllocator = try symbols.required("PyObject_GetArenaAllocator")
        setArenaAllocator = try symbols.required("PyObject_SetArenaAllocator")
        initializeEx = try symbols.required("Py_InitializeEx")
        isInitialized = try symbols.required("Py_IsInitialized")
        saveThread = try symbols.required("PyEval_SaveThread")
        restoreThread = try symbols.required("PyEval_RestoreThread")
        gilStateEnsure = try symbols.required("PyGILState_Ensure")
        gilStateRelease = try symbols.required("PyGILState_Release")
        runSimpleString = try symbols.required("PyRun_SimpleString")
        traceMallocTrack = symbols.optional("PyTraceMalloc_Track") ?? symbols.optional("_PyTraceMalloc_Track")
        traceMallocUntrack = symbols.optional("PyTraceMalloc_Untrack") ?? symbols.optional("_PyTraceMalloc_Untrack")
    }

    public func functions(_ domain: AllocatorDomain) -> DomainFunctions {
        switch domain {
        case .raw: return raw
        case .mem: return mem
        case .obj: return obj
        }
    }

    /// A symbol that only some versions export (start-up helpers, allocator names).
    public func optionalSymbol<T>(_ name: String, as type: T.Type) -> T? {
        SymbolTable(handle: handle, path: target.libraryPath).optional(name)
    }

    public func allocator(_ domain: AllocatorDomain) -> PMCMemAllocatorEx {
        var allocator = PMCMemAllocatorEx()
        getAllocator(domain.cValue, &allocator)
        return allocator
    }

    public func install(_ allocator: PMCMemAllocatorEx, for domain: AllocatorDomain) {
        var allocator = allocator
        setAllocator(domain.cValue, &allocator)
        installObserver?(domain)
    }

    /// Told after every install: a negative control plants its defect over what a check has
    /// just installed (nil in real runs).
    public var installObserver: ((AllocatorDomain) -> Void)?

    public var arenaAllocator: PMCArenaAllocator {
        get {
            var allocator = PMCArenaAllocator()
            getArenaAllocator(&allocator)
            return allocator
        }
        set {
            var allocator = newValue
            setArenaAllocator(&allocator)
        }
    }
}

/// dlsym with a typed result and a one-line error naming the missing symbol.
struct SymbolTable {
    let handle: UnsafeMutableRawPointer
    let path: String

    func optional<T>(_ name: String) -> T? {
        dlsym(handle, name).map { unsafeBitCast($0, to: T.self) }
    }

    func required<T>(_ name: String) throws -> T {
        guard let value: T = optional(name) else {
            throw PyMemCheckError.environment("\(path) lacks the symbol \(name); it cannot be driven by pymemcheck")
        }
        return value
    }

    func domain(_ domain: AllocatorDomain, _ prefix: String) throws -> DomainFunctions {
        DomainFunctions(
            domain, malloc: try required(prefix + "Malloc"), calloc: try required(prefix + "Calloc"),
            realloc: try required(prefix + "Realloc"), free: try required(prefix + "Free"))
    }
}

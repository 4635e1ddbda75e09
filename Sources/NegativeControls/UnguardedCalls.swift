import AllocatorLayers
import CPythonABI
import Checks
import DebugHookChecks
import PyRuntime
import RuntimeChecks
import Vocabulary

/// Each domain's allocator called directly, without the API functions' own guards
/// (PyMem_Malloc's PY_SSIZE_T_MAX check, PyMem_Calloc's nelem*elsize overflow check): what a
/// CPython whose API lacked them would do. Only a negative control uses it, in a forked child
/// (C function pointers cannot capture, hence the one library per process).
enum UnguardedCalls {
    nonisolated(unsafe) static var library: PythonLibrary?

    static func top(_ index: Int) -> PMCMemAllocatorEx { library!.allocator(AllocatorDomain.allCases[index]) }

    static func functions(_ domain: AllocatorDomain, in library: PythonLibrary) -> DomainFunctions {
        self.library = library
        switch domain {
        case .raw:
            return DomainFunctions(
                .raw, malloc: { UnguardedCalls.top(0).malloc(UnguardedCalls.top(0).ctx, $0) },
                calloc: { UnguardedCalls.top(0).calloc(UnguardedCalls.top(0).ctx, $0, $1) },
                realloc: { UnguardedCalls.top(0).realloc(UnguardedCalls.top(0).ctx, $0, $1) },
                free: { UnguardedCalls.top(0).free(UnguardedCalls.top(0).ctx, $0) })
        case .mem:
            return DomainFunctions(
                .mem, malloc: { UnguardedCalls.top(1).malloc(UnguardedCalls.top(1).ctx, $0) },
                calloc: { UnguardedCalls.top(1).calloc(UnguardedCalls.top(1).ctx, $0, $1) },
                realloc: { UnguardedCalls.top(1).realloc(UnguardedCalls.top(1).ctx, $0, $1) },
                free: { UnguardedCalls.top(1).free(UnguardedCalls.top(1).ctx, $0) })
        case .obj:
            return DomainFunctions(
                .obj, malloc: { UnguardedCalls.top(2).malloc(UnguardedCalls.top(2).ctx, $0) },
                calloc: { UnguardedCalls.top(2).calloc(UnguardedCalls.top(2).ctx, $0, $1) },
                realloc: { UnguardedCalls.top(2).realloc(UnguardedCalls.top(2).ctx, $0, $1) },
                free: { UnguardedCalls.top(2).free(UnguardedCalls.top(2).ctx, $0) })
        }
    }
}

extension ClauseRegistry {
    /// `defect` on top of each domain, and the check's calls made past the API's guards, so
    /// that the defect is what answers a request the API would have refused by itself.
    static func unguarded(_ violation: String, _ defect: @escaping @Sendable () -> Defect) -> Control {
        Control(violation: violation + ", and the API functions lack their size guards") { context in
            for domain in context.domains { defect().install(onTopOf: domain, in: context.library) }
            let library = context.library
            context.seams.functions = { UnguardedCalls.functions($0, in: library) }
        }
    }
}

import CPythonABI
import DebugReport
import Foundation
import PyRuntime
#if canImport(Glibc)
import Glibc
#endif

/// A named piece of work run inside a child process, for runs that may abort, crash or hang.
/// Scenarios that need Python start the target in the requested mode first.
public enum Scenario: String, CaseIterable, Sendable {
    // The isolation primitive's own checks: no Python involved.
    case exitClean = "exit-clean"
    case abort
    case crash
    case hang
    // Starting a runtime and reporting what it looks like.
    case probe
    // Debug-hook violations: each must end in Py_FatalError with the documented report.
    case overflowMem = "overflow-mem"
    case underflowMem = "underflow-mem"
    case crossDomainMemObj = "cross-domain-mem-obj"
    case memWithoutGIL = "mem-without-gil"
    case objWithoutGIL = "obj-without-gil"
    // An embedder's allocator installed before initialisation, then PyMem_SetupDebugHooks().
    case customAllocatorThenHooks = "custom-allocator-then-hooks"

    public var needsRuntime: Bool {
        switch self {
        case .exitClean, .abort, .crash, .hang: return false
        default: return true
        }
    }
}

/// Marks the child's result line on stdout, so that whatever Python prints cannot be mistaken for it.
public let scenarioResultMarker = "PYMEMCHECK-RESULT "

/// The child side: runs one scenario and prints its result line.
public enum ScenarioHost {
    public static func run(_ scenario: Scenario, target: PythonTarget?, mode: AllocatorMode, control: Bool = false) throws {
        switch scenario {
        case .exitClean: emit(["ok": true])
        case .abort: Glibc.abort()
        case .crash: pmc_crash_with_sigsegv()
        case .hang: while true { sleep(60) }
        default:
            guard let target else { throw PyMemCheckError.usage("scenario \(scenario.rawValue) needs --python") }
            if scenario == .customAllocatorThenHooks { return emit(try CustomAllocatorScenario.run(target: target, control: control)) }
            let runtime = try PythonRuntime.start(target: target, mode: mode)
            try runViolationOrProbe(scenario, runtime: runtime)
        }
    }

    private static func runViolationOrProbe(_ scenario: Scenario, runtime: PythonRuntime) throws {
        let library = runtime.library
        switch scenario {
        case .probe:
            emit(runtime.probe())
        case .overflowMem:
            let block = library.mem.malloc(16)!
            block.storeBytes(of: DebugFillBytes.padBreaker, toByteOffset: 16, as: UInt8.self)
            library.mem.free(block)
        case .underflowMem:
            let block = library.mem.malloc(16)!
            (block - 1).storeBytes(of: DebugFillBytes.padBreaker, as: UInt8.self)
            library.mem.free(block)
        case .crossDomainMemObj:
            library.obj.free(library.mem.malloc(16))
        case .memWithoutGIL:
            runtime.withoutGIL { library.mem.free(library.mem.malloc(16)) }
        case .objWithoutGIL:
            runtime.withoutGIL { library.obj.free(library.obj.malloc(16)) }
        case .exitClean, .abort, .crash, .hang, .customAllocatorThenHooks:
            break
        }
        // A violation that reaches this line went undetected: say so, so the parent can tell.
        if scenario != .probe { emit(["undetected": scenario.rawValue]) }
    }

    public static func emit<T: Encodable>(_ value: T) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
        print(scenarioResultMarker + json)
        fflush(nil)  // all C streams: the parent may read this line just before an abort
    }
}

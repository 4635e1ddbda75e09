import CPythonABI
import DebugReport
import Foundation
import Isolation
import PyRuntime
import Vocabulary

#if canImport(Glibc)
    import Glibc
#endif

/// A named piece of work run inside a child process, for runs that may abort, crash or hang.
/// Scenarios that need Python start the target in the requested mode first.
public enum Scenario: String, CaseIterable, Sendable, Codable {
    // The isolation primitive's own checks: no Python involved.
    case exitClean = "exit-clean"
    case abort
    case crash
    case hang
    // Starting a runtime and reporting what it looks like.
    case probe
    // Debug-hook violations: each must end in Py_FatalError with the documented report.
    case overflowMem = "overflow-mem"
    case crossDomainMemObj = "cross-domain-mem-obj"
    // An embedder's allocator installed before initialisation, then PyMem_SetupDebugHooks().
    case customAllocatorThenHooks = "custom-allocator-then-hooks"

    public static let subcommand = "scenario"

    /// Everything the child runs with, sent as its request.
    public struct Request: Codable, Sendable {
        public var scenario: Scenario
        /// The target's library path (nil for the scenarios without Python).
        public var target: String?
        public var mode: AllocatorMode
        /// Plant the scenario's negative control.
        public var control: Bool
    }
}

/// The child side: runs the scenario its request names and sends its result.
public enum ScenarioHost {
    public static func serve() throws {
        guard let request = WorkerChannel.receive(Scenario.Request.self) else {
            throw PyMemCheckError.usage("scenario: no request on standard input (pymemcheck runs this itself)")
        }
        switch request.scenario {
        case .exitClean: answer(["ok": true])
        case .abort: Glibc.abort()
        case .crash: pmc_crash_with_sigsegv()
        case .hang: while true { sleep(60) }
        case .probe, .overflowMem, .crossDomainMemObj, .customAllocatorThenHooks:
            guard let path = request.target else {
                throw PyMemCheckError.usage("scenario \(request.scenario.rawValue) needs a target")
            }
            let target = try TargetSpec.resolve(path)
            if request.scenario == .customAllocatorThenHooks {
                return answer(try CustomAllocatorScenario.run(target: target, control: request.control))
            }
            try runWithRuntime(request.scenario, runtime: try PythonRuntime.start(target: target, mode: request.mode))
        }
    }

    private static func runWithRuntime(_ scenario: Scenario, runtime: PythonRuntime) throws {
        let library = runtime.library
        switch scenario {
        case .probe:
            return answer(runtime.probe())
        case .overflowMem:
            let block = library.mem.malloc(16)!
            block.storeBytes(of: DebugFillBytes.padBreaker, toByteOffset: 16, as: UInt8.self)
            library.mem.free(block)
        case .crossDomainMemObj:
            library.obj.free(library.mem.malloc(16))
        case .exitClean, .abort, .crash, .hang, .customAllocatorThenHooks:
            return
        }
        // A violation that reaches this line went undetected: say so, so the parent can tell.
        answer(["undetected": scenario.rawValue])
    }

    /// The scenario's one answer.
    static func answer<Response: Codable>(_ response: Response) {
        WorkerChannel.send(WorkerMessage<Response>.answer(item: 0, response: response))
    }
}

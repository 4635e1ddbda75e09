import AllocatorLayers
import CPythonABI
import Checks
import ClauseCatalogue
import Foundation
import FuzzHarness
import Isolation
import OpLanguage
import Oracle
import PyRuntime
import Vocabulary

/// The plugin's own functions, called directly: the debug hooks on top normalise zero-size
/// and NULL requests before a plugin sees them, so the API alone never asks it those. The
/// direct contract (the Checks module's DirectContract: the allocation clauses' own checks) is asked
/// from the main thread, from a new thread that has not called the plugin yet, and (where the
/// domain must be thread-safe) from several threads at once; then a huge legal calloc, and a
/// long mixed workload, so that a defect that shows only after warm-up shows.
enum HookChecks {
    static let threads = 4

    static func run(_ plugin: AllocatorPlugin, runtime: PythonRuntime, catalogue: Catalogue) -> [PartProblem] {
        var problems: [PartProblem] = []
        for (domain, installed) in plugin.installed.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let functions = installed.directFunctions
            let name = functions.domain.description
            let contract: @Sendable () -> [DirectContract.Problem] = {
                DirectContract.run(functions, runtime: runtime, catalogue: catalogue)
            }
            problems += contract().map { PartProblem("\(name) hook, main thread", $0) }
            problems += fromNewThreads(1, domain, runtime, contract).map { $0.at("\(name) hook, a new thread") }
            // RAW is called without the GIL; from 3.12 every domain must be thread-safe.
            if domain == .raw || runtime.version >= PythonVersion(3, 12) {
                problems += fromNewThreads(threads, domain, runtime, contract).map {
                    $0.at("\(name) hook, \(threads) threads at once")
                }
            }
            problems += hugeCalloc(functions).map { $0.at("\(name) hook") }
            // Only on a plugin the edges did not already refuse: the workload runs unguarded,
            // and a defect found above could corrupt the heap there and crash away its finding.
            if problems.isEmpty {
                problems += Workload.unguarded(installed).map { $0.at("\(name) hook, mixed workload") }
            }
        }
        return problems
    }

    /// What a thread that could not be started says: a part is never passed on threads that
    /// never ran.
    static func unstarted(_ index: Int, _ reason: String) -> PartProblem? {
        PartProblem("", [], "thread \(index) could not be started: \(reason)")
    }

    /// The contract asked from `count` new threads at once, each one's first problem. RAW is
    /// called as CPython calls it, without a thread state; MEM and OBJ from a thread that took
    /// the GIL (PyGILState_Ensure), as CPython calls them: their allocator below (pymalloc)
    /// needs the thread state.
    static func fromNewThreads(
        _ count: Int, _ domain: AllocatorDomain, _ runtime: PythonRuntime,
        _ contract: @escaping @Sendable () -> [DirectContract.Problem]
    ) -> [PartProblem] {
        let library = runtime.library
        return runtime.withoutGIL {
            JoinedThreads.run(count, unstarted: unstarted) { _ in
                guard domain != .raw else { return contract().first.map { PartProblem("", $0) } }
                let state = library.gilStateEnsure()
                defer { library.gilStateRelease(state) }
                return contract().first.map { PartProblem("", $0) }
            }
        }.compactMap { $0 }
    }

    /// calloc(65536, 65537) is a legal request of just over 4 GiB: NULL, or a block that spans
    /// it all (a size computed in 32 bits would give 64 KiB). Asked with 1 GiB of address space
    /// to spare, so it fails rather than being zeroed page by page, and the 64 KiB a wrapped
    /// size gives still succeeds and is caught.
    static func hugeCalloc(_ functions: DomainFunctions) -> [PartProblem] {
        let (count, size) = (65_536, 65_537)
        guard let block = Memory.withAddressSpace(headroom: 1 << 30, { functions.calloc(count, size) }) else {
            return []
        }
        defer { functions.free(block) }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let last = UnsafeMutableRawPointer(bitPattern: UInt(bitPattern: block + (count * size - 1)) & ~UInt(page - 1))!
        return msync(last, page, MS_ASYNC) == 0
            ? []
            : [
                PartProblem(
                    "", [.blockSize],
                    "calloc(\(count), \(size)) returned a block that does not span \(count * size) bytes "
                        + "(nelem*elsize wrapped?)")
            ]
    }

    /// RAW before CPython starts (the plugin installed, nothing else running): for a plugin that
    /// CPython cannot start with, its own functions still get their verdict. The contract's
    /// clauses are judged as on a runtime that has not started: nothing of theirs needs it.
    static func beforeStartUp(_ plugin: AllocatorPlugin, runtime: PythonRuntime, catalogue: Catalogue)
        -> [PartProblem]
    {
        guard let installed = plugin.installed[.raw] else { return [] }
        installed.guardBlocks()
        let functions = installed.directFunctions
        let contract: @Sendable () -> [DirectContract.Problem] = {
            DirectContract.run(functions, runtime: runtime, catalogue: catalogue)
        }
        var problems = contract().map { PartProblem("raw hook, main thread", $0) }
        problems += JoinedThreads.run(threads, unstarted: unstarted) { _ in
            contract().first.map { PartProblem("", $0) }
        }
        .compactMap { $0?.at("raw hook, \(threads) threads at once") }
        problems += hugeCalloc(functions).map { $0.at("raw hook") }
        if problems.isEmpty { problems += Workload.unguarded(installed).map { $0.at("raw hook, mixed workload") } }
        return problems
    }
}

extension AllocatorPlugin.Installed {
    /// The plugin's own functions for the domain, called directly (not through CPython's API).
    var directFunctions: DomainFunctions {
        DomainFunctions(domain, direct: hook)
    }
}

/// Failures injected in the allocator under the plugin (its `previous`): a plugin that calls
/// it must pass the failure on (or satisfy the request some other valid way) and keep the old
/// block intact. A plugin that frees or touches a block it should keep crashes on the guard
/// layer's protected pages, which is the verdict.
enum InjectedFailureChecks {
    static func run(_ plugin: AllocatorPlugin) -> (problems: [PartProblem], reached: Bool) {
        var problems: [PartProblem] = []
        var reached = false
        for (domain, installed) in plugin.installed.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let hook = installed.directFunctions
            installed.arm(.malloc)
            let fresh = hook.malloc(100)
            reached = reached || installed.injected
            if let fresh {
                fresh.initializeMemory(as: UInt8.self, repeating: 1, count: 100)
                hook.free(fresh)
            }
            installed.arm(nil)
            guard let block = hook.malloc(100) else {
                problems.append(PartProblem(domain.name, [.nonNull], "malloc(100) returned NULL"))
                continue
            }
            block.initializeMemory(as: UInt8.self, repeating: 0x42, count: 100)
            installed.arm(.realloc)
            let resized = hook.realloc(block, 5000)
            let injected = installed.injected
            installed.arm(nil)
            reached = reached || injected
            let kept = resized ?? block
            if !(0..<100).allSatisfy({ kept.load(fromByteOffset: $0, as: UInt8.self) == 0x42 }) {
                // Said as it happened: a plugin that never called the realloc below met no failure.
                let what =
                    injected
                    ? "after a realloc(p, 5000) whose allocator below failed, the block's contents changed"
                    : "realloc(p, 5000) (no failure reached the allocator below: the plugin did not call its "
                        + "realloc) returned a block whose first 100 bytes are not the old block's"
                problems.append(PartProblem(domain.name, [injected ? .failureKeepsBlock : .contentsKept], what))
            }
            hook.free(kept)
        }
        return (problems, reached)
    }
}

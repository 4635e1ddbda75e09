import Checks
import PyRuntime
import Vocabulary

/// Clauses about start-up itself, each asked of runtimes started afresh (FreshStart): which
/// allocators Py_PreInitialize accepts, and what an OBJ allocator installed before
/// Py_InitializeEx leaves of the cyclic garbage collector.
public enum StartupChecks {
    /// A free-threaded build refuses, through PYTHONMALLOC, each allocator name it lacks, in
    /// CPython's own words (those the modes' applicability quotes).
    public static func freeThreadedRefusesNames(_ context: CheckContext) -> CheckVerdict {
        var evidence = Evidence()
        for mode in FreeThreadedModes.refused {
            let request = FreshStart.Request(library: context.target.libraryPath, allocators: .pythonMalloc(mode.name))
            switch FreshStart.run(context, request) {
            case .failure(let error): return error.verdict
            case .success(let run):
                evidence.expect(
                    run.refusal == FreeThreadedModes.refusalMessage,
                    "PYTHONMALLOC=\(mode.name): \(run.refusal.map { "refused with '\($0)'" } ?? run.summary), "
                        + "expected the refusal '\(FreeThreadedModes.refusalMessage)'")
            }
        }
        return evidence.verdict
    }

    /// The same families asked through PyPreConfig.allocator are refused too; the observation
    /// is what each request did ("PYMEM_ALLOCATOR_MALLOC: accepted (reports 'malloc'), ...").
    public static func freeThreadedRefusesPreConfig(_ context: CheckContext) -> CheckVerdict {
        var evidence = Evidence()
        var observed: [String] = []
        for mode in FreeThreadedModes.refused {
            guard let constant = PreConfigAllocator(mode) else { continue }
            let request = FreshStart.Request(library: context.target.libraryPath, allocators: .preConfig(constant))
            switch FreshStart.run(context, request) {
            case .failure(let error): return error.verdict
            case .success(let run):
                evidence.expect(
                    run.refusal != nil,
                    "PyPreConfig.allocator = \(constant.name): accepted, \(run.summary), expected a refusal")
                observed.append("\(constant.name): \(run.refusal == nil ? "accepted, " : "")\(run.summary)")
            }
        }
        return evidence.verdict.observing(observed.joined(separator: "; "))
    }

    /// An OBJ allocator installed before Py_InitializeEx, a wrapper of the one it replaces (with
    /// a header of its own or without) or a replacement from the C library, leaves a working
    /// runtime: a reference cycle made and dropped is freed by gc.collect().
    public static func objectAllocatorKeepsCycleCollection(_ context: CheckContext) -> CheckVerdict {
        var evidence = Evidence()
        var observed: [String] = []
        for allocator in [FreshStart.ObjectAllocator.wrapper, .header, .cLibrary] {
            let request = FreshStart.Request(library: context.target.libraryPath, objectAllocator: allocator)
            switch FreshStart.run(context, request) {
            case .failure(let error): return error.verdict
            case .success(let run):
                evidence.expect(
                    run.cycleCollected == true && run.lines.contains("finished") && !run.allocatorReplaced,
                    "OBJ allocator '\(allocator.rawValue)' installed before Py_InitializeEx: \(run.summary)")
                observed.append("\(allocator.rawValue): \(run.summary)")
            }
        }
        return evidence.verdict.observing(observed.joined(separator: "; "))
    }
}

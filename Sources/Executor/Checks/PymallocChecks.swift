import CPythonABI
import Foundation
import Isolation
import PyRuntime

/// pymalloc: small requests from arenas, larger ones handed to the RAW domain; arenas and their
/// allocator; PYTHONMALLOCSTATS.
public enum PymallocChecks {
    /// The bytes the debug hooks add to each request (size, API id and pads: 3 × S).
    static func overhead(_ context: CheckContext) -> Int { context.debugHooks ? context.version.debugHookOverhead : 0 }

    /// Requests up to 512 bytes are served by pymalloc; larger ones go to PyMem_RawMalloc and
    /// PyMem_RawRealloc (seen by a hook on the RAW domain).
    public static func largeRequestsGoToRaw(_ context: CheckContext) -> CheckVerdict {
        let library = context.library
        let extra = overhead(context)
        return context.eachDomain { _, functions, evidence in
            let raw = AllocatorLayer.installOnTop(of: .raw, in: library)
            defer { raw.uninstall(from: library) }
            func rawCalls(_ body: () -> Void) -> [AllocatorLayer.Call] {
                raw.reset()
                body()
                return raw.calls
            }
            var small: UnsafeMutableRawPointer?, large: UnsafeMutableRawPointer?
            let smallCalls = rawCalls { small = functions.malloc(512 - extra) }
            evidence.expect(!smallCalls.contains { $0.size == 512 }, "a \(512 - extra)-byte request (512 with hooks' bytes) reached PyMem_RawMalloc")
            let largeCalls = rawCalls { large = functions.malloc(513 - extra) }
            evidence.expect(largeCalls.contains { $0.function == .malloc && $0.size == 513 }, "a 513-byte request did not reach PyMem_RawMalloc (saw \(largeCalls.map { "\($0.function.rawValue)(\($0.size))" }))")
            let growCalls = rawCalls { large = functions.realloc(large, 2000 - extra) }
            evidence.expect(growCalls.contains { $0.function == .realloc && $0.size == 2000 }, "realloc of a large block to 2000 bytes did not reach PyMem_RawRealloc")
            let moveCalls = rawCalls { small = functions.realloc(small, 1000 - extra) }
            evidence.expect(moveCalls.contains { $0.size == 1000 }, "realloc of a small block to 1000 bytes did not reach the RAW domain")
            functions.free(small)
            functions.free(large)
        }
    }

    /// Arenas are 256 KiB up to 3.9 and 1 MiB from 3.10 (64-bit platforms).
    public static func arenaSize(_ context: CheckContext, expected: Int) -> CheckVerdict {
        guard let size = context.runtime.observeArenaSize() else { return .fail("no arena was requested while small blocks were allocated") }
        return size == expected ? .pass : .fail("arenas of \(size) bytes, expected \(expected)")
    }

    /// No arena is ever requested when pymalloc is not the allocator (PYTHONMALLOC=malloc...).
    public static func noArenas(_ context: CheckContext) -> CheckVerdict {
        let size = context.runtime.observeArenaSize()
        return size == nil ? .pass : .fail("an arena of \(size!) bytes was requested though pymalloc is off")
    }

    /// PyObject_Get/SetArenaAllocator: the struct round-trips, and a counting allocator set with
    /// it is the one pymalloc uses to take and give back arenas (free gets the pointer and size).
    public static func arenaAllocatorUsed(_ context: CheckContext) -> CheckVerdict {
        let library = context.library
        var evidence = Evidence()
        let original = library.arenaAllocator
        library.arenaAllocator = original
        let back = library.arenaAllocator
        evidence.expect(back.ctx == original.ctx && unsafeBitCast(back.alloc, to: UInt.self) == unsafeBitCast(original.alloc, to: UInt.self)
                        && unsafeBitCast(back.free, to: UInt.self) == unsafeBitCast(original.free, to: UInt.self),
                        "Get after Set(Get()) differs")
        let counter = ArenaCounter(library: library)
        var blocks: [UnsafeMutableRawPointer] = []
        while counter.allocations < 2 && blocks.count < 200_000 {
            guard let block = library.obj.malloc(64) else { break }
            blocks.append(block)
        }
        let arena = counter.lastArenaSize
        blocks.forEach { library.obj.free($0) }
        counter.uninstall()
        evidence.expect(counter.allocations >= 2, "pymalloc requested \(counter.allocations) arenas for \(blocks.count) blocks")
        evidence.expect(counter.frees >= 1, "no arena was given back after all its blocks were freed")
        evidence.expect(counter.freedSizes.allSatisfy { $0 == arena }, "arena free got sizes \(counter.freedSizes), arenas are \(arena)")
        // Arenas taken before the counter was installed may be given back through it too; those
        // it gave out itself must come back with the pointer it returned.
        evidence.expect(!counter.freedPointers.isDisjoint(with: counter.allocatedPointers), "none of the arenas the counting allocator gave out came back to its free")
        return evidence.verdict
    }

    /// PYTHONMALLOCSTATS=1 makes the target's python print pymalloc statistics (the small-block
    /// threshold among them) to stderr.
    public static func mallocStatsPrinted(_ context: CheckContext) -> CheckVerdict {
        guard let python = TargetExecutable.path(of: context.target) else {
            return .notApplicable("no python executable beside \(context.target.libraryPath)")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONMALLOCSTATS"] = "1"
        environment["PYTHONMALLOC"] = context.mode.pythonMallocName
        if context.mode == .hooks { environment["PYTHONMALLOC"] = "debug" }
        guard let outcome = try? ChildProcess.run(executable: python, arguments: ["-c", "pass"], environment: environment, timeout: 60) else {
            return .fail("could not run \(python)")
        }
        guard outcome.exitedCleanly else { return .fail("\(python) \(outcome.summary): \(outcome.stderr.suffix(200))") }
        return outcome.stderr.contains("Small block threshold = 512") ? .pass
            : .fail("PYTHONMALLOCSTATS=1 printed no pymalloc statistics (stderr: \(outcome.stderr.prefix(120)))")
    }
}

/// The python program that belongs to a libpython: prefix/bin/pythonX.Y (with d for Debian's
/// debug build).
public enum TargetExecutable {
    public static func path(of target: PythonTarget) -> String? {
        guard let prefix = target.prefix else { return nil }
        let series = target.version.series
        let names = target.debugBuild ? ["python\(series)d", "python\(series)-dbg"] : ["python\(series)", "python3"]
        return names.map { "\(prefix)/bin/\($0)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

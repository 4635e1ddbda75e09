import AllocatorLayers
import CPythonABI
import Checks
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
            let raw = RecordingLayer.installOnTop(of: .raw, in: library)
            defer { raw.uninstall() }
            func rawCalls(_ body: () -> Void) -> [RecordingLayer.Call] {
                raw.reset()
                body()
                return raw.calls
            }
            var small: UnsafeMutableRawPointer?
            var large: UnsafeMutableRawPointer?
            let smallCalls = rawCalls { small = functions.malloc(512 - extra) }
            evidence.expect(
                !smallCalls.contains { $0.size == 512 },
                "a \(512 - extra)-byte request (512 with hooks' bytes) reached PyMem_RawMalloc")
            let largeCalls = rawCalls { large = functions.malloc(513 - extra) }
            evidence.expect(
                largeCalls.contains { $0.function == .malloc && $0.size == 513 },
                "a 513-byte request did not reach PyMem_RawMalloc (saw "
                    + "\(largeCalls.map { "\($0.function.rawValue)(\($0.size))" }))")
            let growCalls = rawCalls { large = functions.realloc(large, 2000 - extra) }
            evidence.expect(
                growCalls.contains { $0.function == .realloc && $0.size == 2000 },
                "realloc of a large block to 2000 bytes did not reach PyMem_RawRealloc")
            let moveCalls = rawCalls { small = functions.realloc(small, 1000 - extra) }
            evidence.expect(
                moveCalls.contains { $0.size == 1000 },
                "realloc of a small block to 1000 bytes did not reach the RAW domain")
            functions.free(small)
            functions.free(large)
        }
    }

    /// Arenas are 256 KiB up to 3.9 and 1 MiB from 3.10 (64-bit platforms).
    public static func arenaSize(_ context: CheckContext, expected: Int) -> CheckVerdict {
        guard let size = context.runtime.observeArenaSize() else {
            return .fail("no arena was requested while small blocks were allocated")
        }
        return size == expected ? .pass(exercised: 1) : .fail("arenas of \(size) bytes, expected \(expected)")
    }

    /// No arena is ever requested when pymalloc is not the allocator (PYTHONMALLOC=malloc...).
    public static func noArenas(_ context: CheckContext) -> CheckVerdict {
        let size = context.runtime.observeArenaSize()
        return size == nil
            ? .pass(exercised: 1) : .fail("an arena of \(size!) bytes was requested though pymalloc is off")
    }

    /// PyObject_Get/SetArenaAllocator: the struct round-trips, and a counting allocator set with
    /// it is the one pymalloc uses to take and give back arenas (free gets the pointer and size).
    public static func arenaAllocatorUsed(_ context: CheckContext) -> CheckVerdict {
        let library = context.library
        var evidence = Evidence()
        let original = library.arenaAllocator
        library.arenaAllocator = original
        let back = library.arenaAllocator
        evidence.expect(
            back.ctx == original.ctx
                && unsafeBitCast(back.alloc, to: UInt.self) == unsafeBitCast(original.alloc, to: UInt.self)
                && unsafeBitCast(back.free, to: UInt.self) == unsafeBitCast(original.free, to: UInt.self),
            "Get after Set(Get()) differs")
        let counter = ArenaCounter(library: library)
        let blocks = smallBlocks(library, until: counter, allocates: 2)
        let arena = counter.lastArenaSize
        for block in blocks { library.obj.free(block) }
        counter.uninstall()
        evidence.expect(
            counter.allocations >= 2, "pymalloc requested \(counter.allocations) arenas for \(blocks.count) blocks")
        evidence.expect(counter.frees >= 1, "no arena was given back after all its blocks were freed")
        evidence.expect(
            counter.freedSizes.allSatisfy { $0 == arena },
            "arena free got sizes \(counter.freedSizes), arenas are \(arena)")
        // Arenas taken before the counter was installed may be given back through it too; those
        // it gave out itself must come back with the pointer it returned.
        evidence.expect(
            !counter.freedPointers.isDisjoint(with: counter.allocatedPointers),
            "none of the arenas the counting allocator gave out came back to its free")
        return evidence.verdict
    }

    /// PYTHONMALLOCSTATS=1 makes the target's python print pymalloc statistics (the small-block
    /// threshold among them) to stderr. The observation names what was printed and how python
    /// ended, in the words a recorded deviation uses ("no statistics, exited with status 0").
    /// The statistics are printed at shutdown and on the creation of each arena: python with
    /// nothing to do prints them (at least at exit), and a program that takes tens of new arenas
    /// (some 40 MB of small objects) prints them at least `newArenaPrints` times more.
    public static func mallocStatsPrinted(_ context: CheckContext) -> CheckVerdict {
        var environment = ["PYTHONMALLOCSTATS": "1"]
        environment["PYTHONMALLOC"] = context.mode == .hooks ? "debug" : context.mode.pythonMallocName
        let idle: ChildOutcome
        switch TargetExecutable.run(context, program: context.seams.pythonProgram ?? "pass", environment: environment)
        {
        case .failure(let error): return error.verdict
        case .success(let ran): idle = ran
        }
        let printed = statisticsPrinted(idle) > 0
        let observation = "\(printed ? "statistics printed" : "no statistics"), \(idle.summary)"
        guard printed && idle.exitedCleanly else {
            return CheckVerdict.fail(
                "PYTHONMALLOCSTATS=1 python: \(observation) (stderr: \(idle.stderr.suffix(160)))"
            ).observing(observation)
        }
        let busy: ChildOutcome
        switch TargetExecutable.run(
            context, program: context.seams.pythonProgram ?? arenaHungryProgram, environment: environment)
        {
        case .failure(let error): return error.verdict
        case .success(let ran): busy = ran
        }
        let (before, after) = (statisticsPrinted(idle), statisticsPrinted(busy))
        guard busy.exitedCleanly, after >= before + newArenaPrints else {
            return .fail(
                "PYTHONMALLOCSTATS=1: the statistics were printed \(after) times by a program that takes tens of new "
                    + "arenas (\(busy.summary)), \(before) times by python with nothing to do: expected at least "
                    + "\(newArenaPrints) more, one on each new arena")
        }
        return .pass(exercised: 2)
    }

    /// Some 40 MB of 100-byte objects: tens of new arenas of 256 KiB or 1 MiB.
    static let arenaHungryProgram = "blocks = [bytes(100) for _ in range(300_000)]"
    static let newArenaPrints = 8

    /// How many times a run printed the statistics (each print states the threshold once).
    static func statisticsPrinted(_ outcome: ChildOutcome) -> Int {
        outcome.stderr.components(separatedBy: "Small block threshold = 512").count - 1
    }
}

/// The python program that belongs to a libpython: prefix/bin/pythonX.Y (with d for Debian's
/// debug build), run against that very library.
public enum TargetExecutable {
    /// Prints the libpython the interpreter has mapped, before the program proper runs.
    static let loadedLibrary =
        "import sys\n"
        + "for _l in open('/proc/self/maps'):\n"
        + "    if 'libpython' in _l: print('PYMEMCHECK-LIBRARY ' + _l.split()[-1]); break\n"
        + "sys.stdout.flush()\n"

    /// Runs `program` with the target's python in a clean environment plus `environment`, its
    /// own lib/ first on the loader path (an installed --enable-shared build without an rpath
    /// would otherwise load another libpython of the same soname), and verifies that the library
    /// it loaded is the target's. Not applicable where it cannot be made to load it.
    static func run(
        _ context: CheckContext, program: String, environment extra: [String: String],
        verifyLibrary: Bool = true
    ) -> Result<ChildOutcome, VerdictError> {
        let target = context.target
        guard let python = path(of: target) else {
            return .failure(VerdictError(.notApplicable("no python executable beside \(target.libraryPath)")))
        }
        var environment = IsolatedRun.childEnvironment()
        let folder = (target.libraryPath as NSString).deletingLastPathComponent
        environment["LD_LIBRARY_PATH"] = ([folder] + (environment["LD_LIBRARY_PATH"].map { [$0] } ?? [])).joined(
            separator: ":")
        // A Debian root's python runs on the root's own C library and finds its standard library
        // from PYTHONHOME (started by the loader, it cannot tell where it lies itself).
        if let home = target.home { environment["PYTHONHOME"] = home }
        for variable in extra { environment[variable.key] = variable.value }
        let command = target.launcher.command(python, ["-c", loadedLibrary + program])
        guard
            let outcome = try? ChildProcess.run(
                executable: command.executable, arguments: command.arguments, environment: environment, timeout: 60)
        else {
            return .failure(VerdictError(.fail("could not run \(python)")))
        }
        guard verifyLibrary else { return .success(outcome) }
        let loaded = outcome.stdout.split(separator: "\n").first { $0.hasPrefix("PYMEMCHECK-LIBRARY ") }.map {
            String($0.dropFirst(19))
        }
        guard let loaded else {
            return .failure(
                VerdictError(
                    .notApplicable(
                        "\(python) maps no libpython (a "
                            + "statically linked interpreter): it does not run \(target.libraryPath)")))
        }
        guard realPath(loaded) == realPath(target.libraryPath) else {
            return .failure(
                VerdictError(
                    .notApplicable(
                        "\(python) loads \(loaded), not the "
                            + "target's \(target.libraryPath), even with its lib/ first on the loader path")))
        }
        return .success(outcome)
    }

    static func realPath(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().path }

    public static func path(of target: PythonTarget) -> String? {
        guard let prefix = target.prefix else { return nil }
        let series = target.version.series + (target.freeThreaded ? "t" : "")
        let names = target.debugBuild ? ["python\(series)d", "python\(series)-dbg"] : ["python\(series)", "python3"]
        return names.map { "\(prefix)/bin/\($0)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

extension PymallocChecks {
    /// On Linux the default arena allocator takes arenas with mmap(): each arena the pymalloc
    /// asks for is the start of a page-aligned, anonymous, private read-write mapping that
    /// holds the whole arena (/proc/self/maps).
    /// mmap(): each arena pymalloc takes is a page-aligned anonymous private mapping of its own.
    /// munmap(): an arena pymalloc gives back, once every block in it is freed, is no longer
    /// mapped. Three arenas are filled so that at least one is given back (pymalloc may keep
    /// one empty arena for the next request).
    public static func arenasAreAnonymousMappings(_ context: CheckContext) -> CheckVerdict {
        let library = context.library
        var evidence = Evidence()
        let counter = ArenaCounter(library: library)
        let blocks = smallBlocks(library, until: counter, allocates: filledArenas)
        let arenas = counter.allocatedPointers
        let size = counter.lastArenaSize
        let maps = (try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)) ?? ""
        for block in blocks { library.obj.free(block) }
        let freed = counter.freedPointers.intersection(arenas)
        let mapsAfter = (try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)) ?? ""
        counter.uninstall()
        evidence.expect(!arenas.isEmpty, "pymalloc took no arena for \(blocks.count) blocks")
        for arena in arenas where arena != 0 {
            evidence.expect(
                arena % UInt(getpagesize()) == 0,
                "arena 0x\(String(arena, radix: 16)) is not page-aligned: not an mmap() of its own")
            let mapping = Mapping.containing(arena, in: maps)
            evidence.expect(
                mapping.map {
                    $0.anonymous && $0.permissions.hasPrefix("rw") && $0.permissions.hasSuffix("p")
                        && $0.end >= arena + UInt(size)
                } ?? false,
                "arena 0x\(String(arena, radix: 16)) of \(size) bytes lies in "
                    + "\(mapping?.description ?? "no mapping"), not an anonymous " + "private mapping")
        }
        if arenas.count >= filledArenas {
            evidence.expect(
                !freed.isEmpty,
                "pymalloc gave back none of the \(arenas.count) arenas once all their blocks were freed")
        }
        for arena in freed.sorted() {
            let still = Mapping.containing(arena, in: mapsAfter)
            evidence.expect(
                still == nil,
                "arena 0x\(String(arena, radix: 16)) was given back but is still mapped "
                    + "(\(still?.description ?? "")): not munmap()ed")
        }
        return evidence.verdict
    }

    static let filledArenas = 3
}

/// One line of /proc/self/maps.
struct Mapping: CustomStringConvertible {
    let start: UInt, end: UInt
    let permissions: String
    let path: String
    var anonymous: Bool { path.isEmpty }
    var description: String {
        "0x\(String(start, radix: 16))-0x\(String(end, radix: 16)) "
            + "\(permissions) \(path.isEmpty ? "(anonymous)" : path)"
    }

    static func containing(_ address: UInt, in maps: String) -> Mapping? {
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            let range = fields.first?.split(separator: "-") ?? []
            guard fields.count >= 5, range.count == 2, let start = UInt(range[0], radix: 16),
                let end = UInt(range[1], radix: 16)
            else { continue }
            if start <= address && address < end {
                return Mapping(
                    start: start, end: end, permissions: String(fields[1]),
                    path: fields.dropFirst(5).joined(separator: " "))
            }
        }
        return nil
    }
}

extension PymallocChecks {
    /// 64-byte OBJ blocks, taken until `counter` has seen `arenas` arenas allocated (at most
    /// 200,000 blocks, or until malloc fails).
    static func smallBlocks(_ library: PythonLibrary, until counter: ArenaCounter, allocates arenas: Int)
        -> [UnsafeMutableRawPointer]
    {
        var blocks: [UnsafeMutableRawPointer] = []
        while counter.allocations < arenas && blocks.count < 200_000 {
            guard let block = library.obj.malloc(64) else { break }
            blocks.append(block)
        }
        return blocks
    }
}

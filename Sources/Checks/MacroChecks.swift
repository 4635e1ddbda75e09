import AllocatorLayers
import ClauseCatalogue
import Foundation
import Isolation
import PyRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// PyMem_New, PyMem_Resize and PyMem_Del are macros: they exist only in the target's headers,
/// so a small C file is compiled against them (once per target) and loaded into the worker.
public enum MacroChecks {
    static let source = """
        #include <Python.h>
        /* 0 when PyMem_New/Resize/Del behave as documented, else the number of the broken step. */
        int pmc_mem_macros(void) {
            size_t i, too_many = (size_t)PY_SSIZE_T_MAX / sizeof(int) + 1;
            int *p = PyMem_New(int, 10), *keep;
            if (p == NULL) return 1;
            for (i = 0; i < 10; i++) p[i] = (int)i * 7;
            PyMem_Resize(p, int, 1000);
            if (p == NULL) return 2;
            for (i = 0; i < 10; i++) if (p[i] != (int)i * 7) return 3;
        #ifdef PyMem_Del
            PyMem_Del(p);
        #else
            PyMem_Free(p);
        #endif
            if (PyMem_New(int, too_many) != NULL) return 4;   /* n * sizeof(type) overflow: NULL */
            p = PyMem_New(int, 4);
            keep = p;
            PyMem_Resize(p, int, too_many);                    /* overflow: p becomes NULL */
            if (p != NULL) return 5;
            PyMem_Free(keep);                                  /* and the old block is still ours */
            return 0;
        }
        """

    static let steps = [
        1: "PyMem_New(int, 10) returned NULL", 2: "PyMem_Resize to 1000 ints set p to NULL",
        3: "PyMem_Resize lost the contents", 4: "PyMem_New with an overflowing count did not give NULL",
        5: "PyMem_Resize with an overflowing count did not set p to NULL",
    ]

    /// The shim's steps, and what the MEM domain's allocator was asked meanwhile (a layer on top
    /// records): PyMem_New(int, 10) is PyMem_Malloc of 10 * sizeof(int) bytes, PyMem_Resize to
    /// 1000 ints PyMem_Realloc to 1000 * sizeof(int), PyMem_Del PyMem_Free: the sizes and the
    /// domain are the documents' words, not only that memory came back.
    public static func newResizeDel(_ context: CheckContext) -> CheckVerdict {
        let (result, calls): (Int32, [RecordingLayer.Call])
        switch recorded(context, source: source, symbol: "pmc_mem_macros") {
        case .failure(let error): return error.verdict
        case .success(let run): (result, calls) = run
        }
        var evidence = Evidence()
        evidence.expect(result == 0, steps[Int(result)] ?? "step \(result) failed")
        evidence.exercised(steps.count - 1)
        let int = MemoryLayout<Int32>.size
        evidence.expect(
            calls.contains { $0.function == .malloc && $0.size == 10 * int },
            "PyMem_New(int, 10) did not reach the MEM domain's malloc as \(10 * int) bytes")
        evidence.expect(
            calls.contains { $0.function == .realloc && $0.size == 1000 * int },
            "PyMem_Resize(p, int, 1000) did not reach the MEM domain's realloc as \(1000 * int) bytes")
        evidence.expect(
            calls.contains { $0.function == .free && $0.pointer != 0 }, "PyMem_Del did not reach the MEM domain's free"
        )
        return evidence.verdict
    }

    /// Compiles the shim against the target's headers into the temporary folder.
    /// Compiled once per (target, source) and shared by every worker: the name carries a hash
    /// of both, and a finished library is renamed into place, so a reader never sees half of one.
    static func compiledShim(for target: PythonTarget, source: String, name: String) throws -> String {
        guard let compiler = HeaderLocator.compiler, HeaderLocator.includeFolder(for: target) != nil else {
            throw CatalogueError("no Python.h for \(target.id) or no C compiler")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pymemcheck-shims-\(getuid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let key = String(fnv1a(source + "\u{0}" + target.libraryPath), radix: 16)
        let output = folder.appendingPathComponent("\(name)-\(target.id)-\(key).so").path
        if FileManager.default.fileExists(atPath: output) { return output }
        let sourceFile = folder.appendingPathComponent("\(name)-\(key)-\(getpid()).c").path
        let partial = output + ".\(getpid()).partial"
        try source.write(toFile: sourceFile, atomically: true, encoding: .utf8)
        defer { unlink(sourceFile) }
        let outcome = try ChildProcess.run(
            executable: compiler,
            arguments: ["-shared", "-fPIC", "-O0", "-o", partial, sourceFile]
                + HeaderLocator.includeFlags(for: target), timeout: 120)
        guard outcome.exitedCleanly, rename(partial, output) == 0 else {
            unlink(partial)
            throw CatalogueError("\(compiler) failed on the macro check: \(outcome.stderr.prefix(300))")
        }
        return output
    }

    /// A stable 64-bit FNV-1a hash (Swift's own hash is seeded per process).
    static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}

extension MacroChecks {
    /// The deprecated upper-case family (PyMem_MALLOC, PyMem_REALLOC, PyMem_FREE, PyMem_NEW,
    /// PyMem_RESIZE, PyMem_DEL): each request reaches the MEM domain's allocator, as a hook on
    /// it sees. 0 when every step got its memory.
    static let upperCaseSource = """
        #include <Python.h>
        int pmc_mem_upper_macros(void) {
            char *p = PyMem_MALLOC(40);
            int *q;
            if (p == NULL) return 1;
            p = PyMem_REALLOC(p, 400);
            if (p == NULL) return 2;
            PyMem_FREE(p);
            q = PyMem_NEW(int, 10);
            if (q == NULL) return 3;
            PyMem_RESIZE(q, int, 100);
            if (q == NULL) return 4;
            PyMem_DEL(q);
            return 0;
        }
        """

    public static func upperCaseFamily(_ context: CheckContext) -> CheckVerdict {
        let (result, calls): (Int32, [RecordingLayer.Call])
        switch recorded(context, source: upperCaseSource, symbol: "pmc_mem_upper_macros") {
        case .failure(let error): return error.verdict
        case .success(let run): (result, calls) = run
        }
        var evidence = Evidence()
        evidence.expect(result == 0, "step \(result) of the upper-case macros got NULL")
        let sizes = MemoryLayout<Int32>.size
        // PyMem_MALLOC(40) and PyMem_NEW(int, 10) ask the same 40 bytes, REALLOC and RESIZE the
        // same 400: each size must arrive twice.
        for (function, size, names) in [
            (RecordingLayer.Function.malloc, 40, "PyMem_MALLOC(40) and PyMem_NEW(int, 10)"),
            (.realloc, 100 * sizes, "PyMem_REALLOC(p, 400) and PyMem_RESIZE(q, int, 100)"),
        ] {
            let seen = calls.filter { $0.function == function && $0.size == size }.count
            evidence.expect(seen >= 2, "\(names): \(seen) of the 2 requests reached the MEM domain's allocator")
        }
        evidence.expect(
            calls.filter { $0.function == .free && $0.pointer != 0 }.count >= 2,
            "PyMem_FREE and PyMem_DEL did not reach the MEM domain's free")
        return evidence.verdict
    }

    /// Runs the shim's `symbol` (compiled from `source`) with a layer on top of MEM recording
    /// what the domain's allocator is asked meanwhile: the shim's result and the calls.
    static func recorded(_ context: CheckContext, source: String, symbol: String) -> Result<
        (Int32, [RecordingLayer.Call]), VerdictError
    > {
        loadShim(context.target, source: source, symbol: symbol).map { symbol in
            let function = unsafeBitCast(symbol, to: (@convention(c) () -> Int32).self)
            let layer = RecordingLayer.installOnTop(of: .mem, in: context.library)
            layer.reset()
            let result = function()
            let calls = layer.calls
            layer.uninstall()
            return (result, calls)
        }
    }

    /// Compiles `source` against the target's headers and resolves `symbol` in it.
    static func loadShim(_ target: PythonTarget, source: String, symbol: String) -> Result<
        UnsafeMutableRawPointer, VerdictError
    > {
        let library: String
        do {
            library = try compiledShim(for: target, source: source, name: symbol)
        } catch {
            return .failure(VerdictError(.fail("\(error)")))
        }
        guard let handle = dlopen(library, RTLD_NOW | RTLD_LOCAL), let resolved = dlsym(handle, symbol) else {
            return .failure(VerdictError(.fail("cannot load the compiled macro check \(library)")))
        }
        return .success(resolved)
    }
}

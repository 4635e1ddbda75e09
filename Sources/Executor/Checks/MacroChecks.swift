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

    static let steps = [1: "PyMem_New(int, 10) returned NULL", 2: "PyMem_Resize to 1000 ints set p to NULL",
                        3: "PyMem_Resize lost the contents", 4: "PyMem_New with an overflowing count did not give NULL",
                        5: "PyMem_Resize with an overflowing count did not set p to NULL"]

    public static func newResizeDel(_ context: CheckContext) -> CheckVerdict {
        let library: String
        do {
            library = try compiledShim(for: context.target)
        } catch {
            return .fail("\(error)")
        }
        guard let handle = dlopen(library, RTLD_NOW | RTLD_LOCAL), let symbol = dlsym(handle, "pmc_mem_macros") else {
            return .fail("cannot load the compiled macro check \(library)")
        }
        let result = unsafeBitCast(symbol, to: (@convention(c) () -> Int32).self)()
        return result == 0 ? .pass(exercised: steps.count) : .fail(steps[Int(result)] ?? "step \(result) failed")
    }

    /// Compiles the shim against the target's headers into the temporary folder.
    static func compiledShim(for target: PythonTarget) throws -> String {
        guard let compiler = HeaderLocator.compiler, HeaderLocator.includeFolder(for: target) != nil else {
            throw CatalogueError("no Python.h for \(target.id) or no C compiler")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pymemcheck-macros-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let sourceFile = folder.appendingPathComponent("macros.c").path
        let output = folder.appendingPathComponent("macros-\(target.id).so").path
        try source.write(toFile: sourceFile, atomically: true, encoding: .utf8)
        let outcome = try ChildProcess.run(executable: compiler, arguments: ["-shared", "-fPIC", "-O0", "-o", output, sourceFile] + HeaderLocator.includeFlags(for: target), timeout: 120)
        guard outcome.exitedCleanly else {
            throw CatalogueError("\(compiler) failed on the macro check: \(outcome.stderr.prefix(300))")
        }
        return output
    }
}

import CPythonABI
import Foundation
import Isolation
import Vocabulary

#if canImport(Glibc)
    import Glibc
#endif

/// Reads what a libpython is without starting it: its version (Py_GetVersion is safe before
/// initialisation), whether it has the PEP 445 API, and how it was built.
public enum LibraryInspector {
    /// Symbols every target needs; a library without one of them is refused by name.
    static let requiredSymbols = [
        "PyMem_RawMalloc", "PyMem_RawCalloc", "PyMem_RawRealloc", "PyMem_RawFree",
        "PyMem_Malloc", "PyMem_Calloc", "PyMem_Realloc", "PyMem_Free",
        "PyObject_Malloc", "PyObject_Calloc", "PyObject_Realloc", "PyObject_Free",
        "PyMem_GetAllocator", "PyMem_SetAllocator", "PyMem_SetupDebugHooks",
        "PyObject_GetArenaAllocator", "PyObject_SetArenaAllocator",
        "Py_InitializeEx", "Py_IsInitialized", "Py_GetVersion",
        "PyEval_SaveThread", "PyEval_RestoreThread", "PyGILState_Ensure", "PyGILState_Release",
        "PyRun_SimpleString",
    ]

    /// The hidden subcommand that inspects a library in a process started on its own C library.
    public static let subcommand = "inspect-library"

    static func inspect(path: String, origin: PythonTarget.Origin) throws -> PythonTarget {
        // Before dlopen, which would wait forever on a FIFO and cannot be given a time limit.
        try InputFile.check(path, as: .library)
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let root = DebianRoot.containing(resolved) else { return try inspectHere(path, resolved, origin) }
        // Its C library is not this process's unless this process was started on it: dlopen
        // here would fail on the symbol versions of a newer glibc.
        var target =
            root.isCurrent ? try inspectHere(path, resolved, .debian) : try inspectThroughLoader(resolved, root)
        target.origin = .debian
        target.root = root
        target.prefix = root.home
        return target
    }

    /// What `inspect` says of a Debian root's library, asked of pymemcheck started on the root's loader.
    static func inspectThroughLoader(_ library: String, _ root: DebianRoot) throws -> PythonTarget {
        let command = root.launcher.command(try SelfExecutable.path(), [subcommand, library])
        let outcome = try ChildProcess.run(
            executable: command.executable, arguments: command.arguments, environment: ChildProcess.cleanEnvironment(),
            timeout: 60)
        guard outcome.exitedCleanly,
            let target = try? JSONDecoder().decode(PythonTarget.self, from: Data(outcome.stdout.utf8))
        else {
            let said = outcome.stderr.split(separator: "\n").last.map { ": \($0)" } ?? ""
            throw PyMemCheckError.environment(
                "\(library) could not be inspected on its own C library (\(root.loader)): the inspection "
                    + "\(outcome.summary)\(said); install it again (pymemcheck install)")
        }
        return target
    }

    private static func inspectHere(_ path: String, _ resolved: String, _ origin: PythonTarget.Origin) throws
        -> PythonTarget
    {
        // RTLD_LOCAL: inspection must not put this library's symbols in the global scope.
        guard let handle = dlopen(resolved, RTLD_LAZY | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            throw PyMemCheckError.environment(
                "\(path) is not a loadable shared library (\(reason)); give a libpython*.so built with --enable-shared"
            )
        }
        guard let getVersion = dlsym(handle, "Py_GetVersion") else {
            throw PyMemCheckError.environment("\(path) is not a libpython: it has no Py_GetVersion")
        }
        let versionString = String(
            cString: unsafeBitCast(getVersion, to: (@convention(c) () -> UnsafePointer<CChar>).self)())
        guard let version = PythonVersion(parsing: versionString) else {
            throw PyMemCheckError.environment(
                "\(path): cannot read a version from Py_GetVersion() = '\(versionString)'")
        }
        try checkSupported(version: version, handle: handle, path: path)
        let debugBuild = dlsym(handle, "_Py_NegativeRefcount") != nil
        // Only a Py_GIL_DISABLED build has the shared reference count's slow path.
        let freeThreaded = dlsym(handle, "_Py_DecRefShared") != nil
        let strings = BinaryStrings(path: resolved)
        // CPython's ABI flags, in its order: "t" (free-threaded) before "d" (debug), as in 3.13td.
        let target = PythonTarget(
            id: version.description + (freeThreaded ? "t" : "") + (debugBuild ? "d" : ""),
            version: version, versionString: versionString, libraryPath: resolved,
            prefix: installationPrefix(of: resolved), origin: origin, debugBuild: debugBuild,
            // The allocator-name parsers only contain these names when the allocator is compiled in.
            pymalloc: strings.contains("pymalloc_debug"),
            mimalloc: version >= PythonVersion(3, 13) && strings.contains("mimalloc_debug"),
            freeThreaded: freeThreaded)
        return target
    }

    private static func checkSupported(version: PythonVersion, handle: UnsafeMutableRawPointer, path: String) throws {
        if dlsym(handle, "PyMem_SetAllocator") == nil {
            throw PyMemCheckError.environment(
                "\(path) is Python \(version): it has no PEP 445 "
                    + "allocator API (PyMem_SetAllocator); pymemcheck needs CPython 3.6 or later")
        }
        if version < PythonVersion(3, 6) {
            throw PyMemCheckError.environment("\(path) is Python \(version); pymemcheck needs CPython 3.6 or later")
        }
        if let missing = requiredSymbols.first(where: { dlsym(handle, $0) == nil }) {
            throw PyMemCheckError.environment(
                "\(path) (Python \(version)) lacks the symbol \(missing); it cannot be driven")
        }
    }

    /// The folder above lib/: ~/.pyenv/versions/3.12.1 for a pyenv build, /usr for Debian's.
    static func installationPrefix(of library: String) -> String? {
        guard let range = library.range(of: "/lib/", options: .backwards) else { return nil }
        var prefix = String(library[..<range.lowerBound])
        // Debian's multiarch folder sits under lib/: /usr/lib/x86_64-linux-gnu → /usr
        while prefix.hasSuffix("/lib"), let cut = prefix.range(of: "/lib", options: .backwards) {
            prefix = String(prefix[..<cut.lowerBound])
        }
        return prefix.isEmpty ? "/" : prefix
    }
}

/// Searches a file's bytes for NUL-terminated strings, without reading it all into memory.
struct BinaryStrings {
    private let data: Data?

    init(path: String) {
        data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
    }

    func contains(_ string: String) -> Bool {
        guard let data else { return false }
        // NULs on both sides keep "pymalloc_debug" from matching inside a longer string.
        let needle: [UInt8] = [0] + Array(string.utf8) + [0]
        return data.withUnsafeBytes { haystack in
            needle.withUnsafeBytes {
                pmc_contains_bytes(haystack.baseAddress, haystack.count, $0.baseAddress, $0.count) != 0
            }
        }
    }
}

import Foundation
import Isolation
import Vocabulary

/// Resolves what a user typed after --python (or put in PYMEMCHECK_PYTHON) to one target:
/// a version ("3.12", "3.11.7", "3.11d"), a path to a libpython*.so, or a python executable.
public enum TargetSpec {
    /// The spec used when none is given: the python3 on PATH.
    public static let defaultSpec = "python3"

    public static func resolve(
        _ spec: String?, discovery: () -> TargetDiscovery.Result = { TargetDiscovery.discover() }
    ) throws -> PythonTarget {
        let spec = (spec?.isEmpty == false ? spec! : defaultSpec)
        if isVariantID(spec) {
            return try exact(spec, in: discovery().targets)
        }
        if let wanted = VersionPattern(spec) {
            return try match(wanted, spec: spec, in: discovery().targets)
        }
        let fileName = (spec as NSString).lastPathComponent
        if fileName.hasPrefix("libpython") || fileName.contains(".so") {
            return try LibraryInspector.inspect(path: spec, origin: .path)
        }
        let executable = try locateExecutable(spec)
        return try LibraryInspector.inspect(path: try libraryOf(executable: executable), origin: .path)
    }

    /// Reads PYMEMCHECK_PYTHON, the test suite's way of choosing a target.
    public static func fromEnvironment() throws -> PythonTarget {
        try resolve(ProcessInfo.processInfo.environment["PYMEMCHECK_PYTHON"])
    }

    /// The CPython Fuzz/build.sh ships in `folder` (a prefix: lib/libpython3.*.so.1.0 and the
    /// standard library under lib/), run from there whatever prefix it was built for; nil when
    /// the folder holds no libpython.
    public static func bundled(in folder: String) throws -> PythonTarget? {
        guard let library = TargetDiscovery.libraries(in: "\(folder)/lib").first else { return nil }
        var target = try LibraryInspector.inspect(path: library, origin: .bundle)
        target.prefix = folder // the folder itself, not the one a link of its library leads to
        return target
    }

    /// An id with a suffix: a source build's "3.11.2-fuzz", or "3.11.2-system" when two builds share
    /// a version.
    static func isVariantID(_ spec: String) -> Bool {
        spec.range(of: #"^[0-9]+(\.[0-9]+){1,2}t?d?-[a-z0-9-]+$"#, options: .regularExpression) != nil
    }

    private static func exact(_ spec: String, in targets: [PythonTarget]) throws -> PythonTarget {
        if let target = targets.first(where: { $0.id == spec }) { return target }
        let known = targets.map(\.id).joined(separator: ", ")
        let hint =
            spec.range(of: #"-(fuzz|asan|cov)$"#, options: .regularExpression) == nil
            ? ""
            : " (Fuzz/cpython/build.sh builds it)"
        throw PyMemCheckError.usage("no target \(spec)\(hint); targets here: \(known.isEmpty ? "none" : known)")
    }

    private static func match(_ wanted: VersionPattern, spec: String, in targets: [PythonTarget]) throws
        -> PythonTarget
    {
        // An instrumented source build is chosen by its own id only, never for a version; an
        // ordinary one (the free-threaded 3.13.5t) is a version like any other.
        let matching = targets.filter { !$0.isInstrumented && wanted.matches($0) }
        // An exact id first; then, for a series such as "3.11", the newest release build (pyenv's
        // before the system's at the same version, as discovery orders them).
        if let exact = matching.first(where: { $0.id == spec }) { return exact }
        guard
            let best = matching.max(by: {
                ($0.version, $0.origin == .pyenv ? 1 : 0) < ($1.version, $1.origin == .pyenv ? 1 : 0)
            })
        else {
            let known = targets.map(\.id).joined(separator: ", ")
            throw PyMemCheckError.usage(
                "no CPython \(spec) found; targets here: \(known.isEmpty ? "none" : known) (see 'pymemcheck targets')")
        }
        return best
    }

    private static func locateExecutable(_ spec: String) throws -> String {
        if spec.contains("/") {
            try InputFile.check(spec, as: .executable)
            guard FileManager.default.isExecutableFile(atPath: spec) else {
                throw InputFile.refusal(spec, .executable, "is not executable; \(InputFile.Role.executable.hint)")
            }
            return spec
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(spec)"
            // A folder is "executable" too (it can be searched): only a program is one.
            if case .file = InputFile.kind(candidate), FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        throw PyMemCheckError.environment(
            "'\(spec)' is not on PATH; install a Python or pass "
                + "--python with a version or path (see 'pymemcheck targets')")
    }

    /// Asks the interpreter itself where its shared library is (sysconfig's LIBDIR/LDLIBRARY).
    static func libraryOf(executable: String) throws -> String {
        let script =
            "import sysconfig, os; " + "print(os.path.join(sysconfig.get_config_var('LIBDIR') or '', "
            + "sysconfig.get_config_var('LDLIBRARY') or ''))"
        let outcome: ChildOutcome
        do {
            outcome = try ChildProcess.run(executable: executable, arguments: ["-c", script], timeout: 30)
        } catch {
            throw PyMemCheckError.environment("cannot run \(executable): \(error)")
        }
        guard outcome.exitedCleanly else {
            let detail = outcome.stderr.split(separator: "\n").last.map(String.init) ?? outcome.summary
            throw PyMemCheckError.environment(
                "\(executable) failed to report its library (\(detail)); pass --python with a libpython*.so path")
        }
        let library = outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard library.contains(".so"), FileManager.default.fileExists(atPath: library) else {
            throw PyMemCheckError.environment(
                "\(executable) has no shared libpython (it reports "
                    + "'\(library)'); use a build configured with --enable-shared")
        }
        return library
    }
}

/// "3", "3.11", "3.11.7", "3.11d", "3.11.2d", "3.13t", "3.13.5td": a version with CPython's
/// ABI flags, t (free-threaded) and d (debug), in that order.
struct VersionPattern {
    var components: [Int]
    var debug: Bool
    var freeThreaded: Bool

    init?(_ text: String) {
        guard text.range(of: #"^[0-9]+(\.[0-9]+){0,2}t?d?$"#, options: .regularExpression) != nil else { return nil }
        debug = text.hasSuffix("d")
        let flags = CharacterSet(charactersIn: "td")
        freeThreaded = text.trimmingCharacters(in: CharacterSet(charactersIn: "d")).hasSuffix("t")
        components = text.trimmingCharacters(in: flags).split(separator: ".").compactMap { Int($0) }
    }

    func matches(_ target: PythonTarget) -> Bool {
        let have = [target.version.major, target.version.minor, target.version.micro]
        return target.debugBuild == debug && target.freeThreaded == freeThreaded
            && Array(have.prefix(components.count)) == components
    }
}

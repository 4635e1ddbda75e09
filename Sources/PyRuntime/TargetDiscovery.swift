import Foundation

/// Finds the CPython runtimes on this machine: pyenv builds, the system's libpython3*.so*
/// (Debian's release and, with python3.11-dbg, debug builds), and the instrumented builds of
/// Fuzz/cpython/build.sh in ~/.cache/pymemcheck/cpython.
public enum TargetDiscovery {
    /// A library that was found but cannot be driven, with the reason.
    public struct Rejected: Sendable, Codable, Hashable {
        public var path: String
        public var reason: String
    }

    public struct Result: Sendable {
        public var targets: [PythonTarget]
        public var rejected: [Rejected]
    }

    public static func discover(environment: [String: String] = ProcessInfo.processInfo.environment) -> Result {
        var seen = Set<String>()
        var targets: [PythonTarget] = []
        var rejected: [Rejected] = []
        for (path, origin) in candidates(environment: environment) {
            let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            guard seen.insert(real).inserted else { continue }
            do {
                var target = try LibraryInspector.inspect(path: real, origin: origin)
                if origin == .source, let id = sourceBuildID(of: path) { target.id = id }
                targets.append(target)
            } catch {
                rejected.append(Rejected(path: real, reason: "\(error)"))
            }
        }
        return Result(targets: disambiguated(targets.sorted(by: order)), rejected: rejected)
    }

    /// Candidate libraries: every libpythonX.Y*.so* (not the libpython3.so stable-ABI stub).
    static func candidates(environment: [String: String]) -> [(String, PythonTarget.Origin)] {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let pyenvRoot = environment["PYENV_ROOT"] ?? "\(home)/.pyenv"
        let versions = "\(pyenvRoot)/versions"
        var found: [(String, PythonTarget.Origin)] = []
        for version in sortedEntries(versions) {
            found += libraries(in: "\(versions)/\(version)/lib").map { ($0, .pyenv) }
        }
        for folder in systemLibraryFolders() {
            found += libraries(in: folder).map { ($0, .system) }
        }
        for folder in sourceBuildFolders(environment: environment) {
            found += libraries(in: "\(folder)/prefix/lib").map { ($0, .source) }
        }
        for root in debianRoots(environment: environment) {
            found += libraries(in: root.libraryFolder).map { ($0, .debian) }
        }
        return found
    }

    /// Where `pymemcheck install` unpacks Debian's binary packages, one root per version.
    public static func debianRootFolder(environment: [String: String]) -> String {
        (sourceBuildRoot(environment: environment) as NSString).deletingLastPathComponent + "/debian"
    }

    /// Finished roots only: the marker is written once every package is unpacked.
    static func debianRoots(environment: [String: String]) -> [DebianRoot] {
        let folder = debianRootFolder(environment: environment)
        return sortedEntries(folder).map { DebianRoot(path: "\(folder)/\($0)") }.filter {
            FileManager.default.fileExists(atPath: "\($0.path)/\(DebianRoot.marker)")
        }
    }

    /// Where Fuzz/cpython/build.sh puts its builds, one folder per id ("3.11.2-fuzz").
    public static func sourceBuildRoot(environment: [String: String]) -> String {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(home)/.cache"
        return "\(cache)/pymemcheck/cpython"
    }

    /// Finished builds only: the stamp is written after `make install` succeeded.
    static func sourceBuildFolders(environment: [String: String]) -> [String] {
        let root = sourceBuildRoot(environment: environment)
        return sortedEntries(root).map { "\(root)/\($0)" }.filter {
            FileManager.default.fileExists(atPath: "\($0)/prefix/.pymemcheck-built")
        }
    }

    /// The build's folder name is its id: .../cpython/3.11.2-fuzz/prefix/lib/libpython3.11.so.
    static func sourceBuildID(of libraryPath: String) -> String? {
        let parts = libraryPath.split(separator: "/")
        guard parts.count >= 4, parts[parts.count - 3] == "prefix" else { return nil }
        return String(parts[parts.count - 4])
    }

    static func systemLibraryFolders() -> [String] {
        let multiarch = sortedEntries("/usr/lib").filter { $0.hasSuffix("-linux-gnu") }.map { "/usr/lib/\($0)" }
        return multiarch + ["/usr/lib", "/usr/lib64", "/usr/local/lib"]
    }

    static func libraries(in folder: String) -> [String] {
        sortedEntries(folder).filter(isLibpythonName).map { "\(folder)/\($0)" }
    }

    /// libpython3.11.so, libpython3.6m.so.1.0, libpython3.11d.so; not libpython3.so.
    public static func isLibpythonName(_ name: String) -> Bool {
        name.range(of: #"^libpython[0-9]+\.[0-9]+[a-z]*\.so(\.[0-9]+)*$"#, options: .regularExpression) != nil
    }

    private static func sortedEntries(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    private static func order(_ a: PythonTarget, _ b: PythonTarget) -> Bool {
        (a.version, a.freeThreaded ? 1 : 0, a.debugBuild ? 1 : 0, a.origin.rawValue)
            < (b.version, b.freeThreaded ? 1 : 0, b.debugBuild ? 1 : 0, b.origin.rawValue)
    }

    /// Two builds of one version (a pyenv and a system 3.11.2, say) get the origin in their id.
    private static func disambiguated(_ targets: [PythonTarget]) -> [PythonTarget] {
        let counts = Dictionary(grouping: targets, by: \.id).mapValues(\.count)
        return targets.map { target in
            var target = target
            if counts[target.id, default: 0] > 1 { target.id += "-\(target.origin.rawValue)" }
            return target
        }
    }
}

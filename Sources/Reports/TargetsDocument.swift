import PyRuntime

/// One CPython runtime as reports show it: what `targets` lists and what `probe` starts.
/// Field names are stable (README, "JSON").
public struct TargetEntry: Sendable, Codable, Equatable {
    public struct Version: Sendable, Codable, Equatable {
        public var major: Int
        public var minor: Int
        public var micro: Int
    }

    /// A mode, whether the target can run it, and why not.
    public struct Mode: Sendable, Codable, Equatable {
        public var mode: String
        public var applicable: Bool
        @ExplicitNull public var reason: String?
    }

    public typealias Origin = PythonTarget.Origin

    public var id: String
    public var version: Version
    /// Py_GetVersion() in full.
    public var versionString: String
    public var libraryPath: String
    @ExplicitNull public var prefix: String?
    public var origin: Origin
    public var debugBuild: Bool
    public var pymalloc: Bool
    public var mimalloc: Bool
    /// Built with --disable-gil (Py_GIL_DISABLED).
    public var freeThreaded: Bool
    public var supportedModes: [String]
    public var modes: [Mode]
}

extension TargetEntry {
    public init(_ target: PythonTarget) {
        let version = Version(major: target.version.major, minor: target.version.minor, micro: target.version.micro)
        let modes = target.modes.map {
            Mode(mode: $0.mode.name, applicable: $0.applicability.isApplicable, reason: $0.applicability.reason)
        }
        self.init(
            id: target.id, version: version, versionString: target.versionString,
            libraryPath: target.libraryPath, prefix: target.prefix, origin: target.origin,
            debugBuild: target.debugBuild,
            pymalloc: target.pymalloc, mimalloc: target.mimalloc, freeThreaded: target.freeThreaded,
            supportedModes: modes.filter(\.applicable).map(\.mode), modes: modes)
    }
}

/// What `pymemcheck targets` found: the usable runtimes and the libraries it turned down.
public struct TargetsDocument: Sendable, Codable, Equatable {
    public typealias Rejected = TargetDiscovery.Rejected

    public var schema = "pymemcheck-targets/1"
    public var targets: [TargetEntry]
    public var rejected: [Rejected]

    /// A line per target (id, origin, build, allocators compiled in, library) and its modes.
    public func text() -> String {
        var lines = ["\(counted(targets.count, "CPython target")) found"]
        let width = max(targets.map(\.id.count).max() ?? 0, 6)
        for target in targets {
            let build = (target.debugBuild ? "debug" : "release") + (target.freeThreaded ? " t" : "  ")
            let allocators = [("mimalloc", target.mimalloc), ("pymalloc", target.pymalloc)]
                .filter(\.1).map(\.0).joined(separator: "+")
            let columns = [
                padded(target.id, width), padded(target.origin.rawValue, 6), padded(build, 9), padded(allocators, 17),
                target.libraryPath,
            ]
            lines.append("  " + columns.joined(separator: "  "))
            let indent = String(repeating: " ", count: width)
            lines.append("  \(indent)  modes: \(target.supportedModes.joined(separator: " "))")
        }
        lines += rejected.map { "  not usable: \($0.reason)" }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension TargetsDocument {
    public init(_ found: TargetDiscovery.Result) {
        self.init(targets: found.targets.map(TargetEntry.init), rejected: found.rejected)
    }
}

/// `text` padded with spaces to `width` (never cut).
func padded(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

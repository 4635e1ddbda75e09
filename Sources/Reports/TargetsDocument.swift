/// One CPython runtime as reports show it: what `targets` lists and what `probe` starts.
/// Field names are stable (README, "JSON").
public struct TargetEntry: Sendable, Codable, Equatable {
    public struct Version: Sendable, Codable, Equatable {
        public var major: Int
        public var minor: Int
        public var micro: Int

        public init(major: Int, minor: Int, micro: Int) {
            self.major = major
            self.minor = minor
            self.micro = micro
        }
    }

    /// A mode, whether the target can run it, and why not.
    public struct Mode: Sendable, Codable, Equatable {
        public var mode: String
        public var applicable: Bool
        @ExplicitNull public var reason: String?

        public init(mode: String, applicable: Bool, reason: String?) {
            self.mode = mode
            self.applicable = applicable
            self.reason = reason
        }
    }

    public enum Origin: String, Sendable, Codable {
        case pyenv, system, path, source
    }

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
    public var supportedModes: [String]
    public var modes: [Mode]

    public init(id: String, version: Version, versionString: String, libraryPath: String, prefix: String?,
                origin: Origin, debugBuild: Bool, pymalloc: Bool, mimalloc: Bool, modes: [Mode]) {
        self.id = id
        self.version = version
        self.versionString = versionString
        self.libraryPath = libraryPath
        self.prefix = prefix
        self.origin = origin
        self.debugBuild = debugBuild
        self.pymalloc = pymalloc
        self.mimalloc = mimalloc
        self.supportedModes = modes.filter(\.applicable).map(\.mode)
        self.modes = modes
    }
}

/// What `pymemcheck targets` found: the usable runtimes and the libraries it turned down.
public struct TargetsDocument: Sendable, Codable, Equatable {
    public struct Rejected: Sendable, Codable, Equatable {
        public var path: String
        public var reason: String

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
    }

    public var schema = "pymemcheck-targets/1"
    public var targets: [TargetEntry]
    public var rejected: [Rejected]

    public init(targets: [TargetEntry], rejected: [Rejected]) {
        self.targets = targets
        self.rejected = rejected
    }

    /// A line per target (id, origin, build, allocators compiled in, library) and its modes.
    public func text() -> String {
        var lines = ["\(counted(targets.count, "CPython target")) found"]
        let width = max(targets.map(\.id.count).max() ?? 0, 6)
        for target in targets {
            let build = target.debugBuild ? "debug  " : "release"
            let allocators = [("mimalloc", target.mimalloc), ("pymalloc", target.pymalloc)]
                .filter(\.1).map(\.0).joined(separator: "+")
            let columns = [padded(target.id, width), padded(target.origin.rawValue, 6), build, padded(allocators, 17),
                           target.libraryPath]
            lines.append("  " + columns.joined(separator: "  "))
            let indent = String(repeating: " ", count: width)
            lines.append("  \(indent)  modes: \(target.supportedModes.joined(separator: " "))")
        }
        lines += rejected.map { "  not usable: \($0.reason)" }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// `text` padded with spaces to `width` (never cut).
func padded(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

/// One CPython runtime pymemcheck can drive: a shared libpython and what is known of its build.
public struct PythonTarget: Sendable, Hashable, Codable {
    /// Where the target was found: `source` is a build of Fuzz/cpython/build.sh (instrumented
    /// for fuzzing or coverage), whose id names its variant ("3.11.2-fuzz").
    public enum Origin: String, Sendable, Codable {
        case pyenv, system, path, source
    }

    /// Short name used in reports and accepted by --python: "3.11.7", "3.11.2d".
    public var id: String
    public var version: PythonVersion
    /// Py_GetVersion() in full.
    public var versionString: String
    /// The resolved library file.
    public var libraryPath: String
    /// The installation prefix (headers live under prefix/include).
    public var prefix: String?
    public var origin: Origin
    /// Built with Py_DEBUG (debug hooks on by default).
    public var debugBuild: Bool
    /// pymalloc compiled in (the default allocator of MEM and OBJ).
    public var pymalloc: Bool
    /// mimalloc compiled in (3.13+).
    public var mimalloc: Bool

    /// How a mode shows in JSON: its name, whether it can run, and why not.
    public struct ModeEntry: Codable, Sendable, Equatable {
        public var mode: String
        public var applicable: Bool
        public var reason: String?

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(mode, forKey: .mode)
            try container.encode(applicable, forKey: .applicable)
            try container.encode(reason, forKey: .reason)  // null when applicable
        }
    }

    private enum CodingKeys: String, CodingKey {
        case id, version, versionString, libraryPath, prefix, origin, debugBuild, pymalloc, mimalloc
        case supportedModes, modes
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        version = try container.decode(PythonVersion.self, forKey: .version)
        versionString = try container.decode(String.self, forKey: .versionString)
        libraryPath = try container.decode(String.self, forKey: .libraryPath)
        prefix = try container.decodeIfPresent(String.self, forKey: .prefix)
        origin = try container.decode(Origin.self, forKey: .origin)
        debugBuild = try container.decode(Bool.self, forKey: .debugBuild)
        pymalloc = try container.decode(Bool.self, forKey: .pymalloc)
        mimalloc = try container.decode(Bool.self, forKey: .mimalloc)
    }

    public init(id: String, version: PythonVersion, versionString: String, libraryPath: String, prefix: String?,
                origin: Origin, debugBuild: Bool, pymalloc: Bool, mimalloc: Bool) {
        self.id = id
        self.version = version
        self.versionString = versionString
        self.libraryPath = libraryPath
        self.prefix = prefix
        self.origin = origin
        self.debugBuild = debugBuild
        self.pymalloc = pymalloc
        self.mimalloc = mimalloc
    }

    /// The stable JSON form (README, "JSON"): every field present, null where unknown.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(version, forKey: .version)
        try container.encode(versionString, forKey: .versionString)
        try container.encode(libraryPath, forKey: .libraryPath)
        try container.encode(prefix, forKey: .prefix)
        try container.encode(origin, forKey: .origin)
        try container.encode(debugBuild, forKey: .debugBuild)
        try container.encode(pymalloc, forKey: .pymalloc)
        try container.encode(mimalloc, forKey: .mimalloc)
        try container.encode(supportedModes.map(\.name), forKey: .supportedModes)
        try container.encode(modes.map { ModeEntry(mode: $0.mode.name, applicable: $0.applicability.isApplicable, reason: $0.applicability.reason) }, forKey: .modes)
    }

    /// Every mode with its applicability, in AllocatorMode order.
    public var modes: [(mode: AllocatorMode, applicability: Applicability)] {
        AllocatorMode.allCases.map { ($0, applicability(of: $0)) }
    }

    public var supportedModes: [AllocatorMode] {
        modes.filter { $0.applicability.isApplicable }.map(\.mode)
    }

    /// Whether this target can run `mode`, and if not, why; never a silent substitute.
    public func applicability(of mode: AllocatorMode) -> Applicability {
        switch mode.underlyingAllocator(defaultIsPymalloc: pymalloc) {
        case .pymalloc where !pymalloc:
            return .notApplicable("\(id) is built without pymalloc (--without-pymalloc)")
        case .mimalloc where version < PythonVersion(3, 13):
            return .notApplicable("mimalloc arrived in CPython 3.13; \(id) predates it")
        case .mimalloc where !mimalloc:
            return .notApplicable("\(id) is built without mimalloc (--without-mimalloc)")
        default:
            return .applicable
        }
    }
}

/// Whether a mode can run on a target.
public enum Applicability: Sendable, Hashable, Codable {
    case applicable
    case notApplicable(String)

    public var isApplicable: Bool {
        if case .applicable = self { return true }
        return false
    }

    public var reason: String? {
        if case .notApplicable(let reason) = self { return reason }
        return nil
    }
}

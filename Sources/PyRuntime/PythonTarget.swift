import Isolation
import Vocabulary

/// One CPython runtime pymemcheck can drive: a shared libpython and what is known of its build.
public struct PythonTarget: Sendable, Hashable, Codable {
    /// Where the target was found: `source` is a build of Fuzz/cpython/build.sh (instrumented
    /// for fuzzing or coverage), whose id names its variant ("3.11.2-fuzz"); `bundle` is the
    /// CPython shipped beside a fuzzer by Fuzz/build.sh; `debian` is one of Debian's binary
    /// packages unpacked by `pymemcheck install` with its own C library (a DebianRoot).
    public enum Origin: String, Sendable, Codable {
        case pyenv, system, path, source, bundle, debian
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
    /// Built with --disable-gil (Py_GIL_DISABLED, ABI flag t, 3.13+): MEM and OBJ are mimalloc's,
    /// threads run Python at once, and "the GIL" of a GIL build's rules is an attached thread state.
    public var freeThreaded: Bool = false
    /// The PYTHONHOME a relocated CPython needs: a fuzzer bundle's prefix, moved off the one it
    /// was built for. nil: CPython finds its standard library where it was installed.
    public var home: String? { root?.home ?? (origin == .bundle ? prefix : nil) }
    /// The Debian root the library lies in, whose C library it runs on; nil for the machine's.
    public var root: DebianRoot?
    /// How a process that loads this target is started.
    public var launcher: Launcher { root?.launcher ?? .direct }

    public init(
        id: String, version: PythonVersion, versionString: String, libraryPath: String, prefix: String?,
        origin: Origin, debugBuild: Bool, pymalloc: Bool, mimalloc: Bool, freeThreaded: Bool = false
    ) {
        self.id = id
        self.version = version
        self.versionString = versionString
        self.libraryPath = libraryPath
        self.prefix = prefix
        self.origin = origin
        self.debugBuild = debugBuild
        self.pymalloc = pymalloc
        self.mimalloc = mimalloc
        self.freeThreaded = freeThreaded
    }

    /// A build of Fuzz/cpython/build.sh instrumented for fuzzing or coverage ("3.11.2-fuzz"),
    /// named by its variant; the ordinary builds it makes (3.13.5t) are not.
    public var isInstrumented: Bool { origin == .source && id.contains("-") }

    /// The allocator of MEM and OBJ when no mode asks for another: mimalloc on a free-threaded
    /// build (Objects/obmalloc.c: "Py_GIL_DISABLED requires using mimalloc"), else pymalloc where
    /// it is compiled in.
    public var defaultAllocator: UnderlyingAllocator {
        freeThreaded ? .mimalloc : pymalloc ? .pymalloc : .malloc
    }

    /// The leading data bytes of a block the debug hooks neither fill when it is made nor erase
    /// when it is freed: a free-threaded build's OBJ blocks keep everything before ob_type (ob_tid,
    /// the flags and both reference counts: 24 bytes), which lock-free readers may still look at
    /// (Python/pystate.c, the heaps' debug_offset; Objects/obmalloc.c, fill_mem_debug). None else.
    public func bytesTheHooksLeaveUnfilled(in domain: AllocatorDomain) -> Int {
        freeThreaded && domain == .obj ? 3 * BlockLayout.wordSize : 0
    }

    /// Which allocator serves MEM and OBJ in `mode` on this build.
    public func underlyingAllocator(in mode: AllocatorMode) -> UnderlyingAllocator {
        mode.underlyingAllocator(buildDefault: defaultAllocator)
    }

    /// The name CPython reports for its allocators in `mode` on this build.
    public func expectedAllocatorName(in mode: AllocatorMode) -> String {
        mode.expectedAllocatorName(buildDefault: defaultAllocator, debugBuild: debugBuild)
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
        if freeThreaded, let refusal = FreeThreadedModes.refusal(of: mode, on: id) { return .notApplicable(refusal) }
        switch underlyingAllocator(in: mode) {
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

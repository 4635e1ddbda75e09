import PyRuntime
import Vocabulary

/// What `pymemcheck install` was asked to make.
public enum InstallSpec: Sendable, Equatable, CustomStringConvertible {
    /// Debian's newest binary packages of a series ("3.14"), or an exact version ("3.14.10");
    /// with `debug`, the debug build (libpython3.14d) beside the release build.
    case debian(series: String, version: String?, debug: Bool)
    /// A build of Debian's source package by Fuzz/cpython/build.sh: "3.11.2-fuzz", "3.13.5-asan",
    /// the free-threaded "3.13.5t" and its instrumented "3.13.5t-fuzz".
    case source(version: String, freeThreaded: Bool, sanitizer: String?)

    /// The source packages build.sh knows, and its variants.
    public static let sourceVersions = ["3.11.2", "3.13.5"]
    /// The source packages that can be built free-threaded (--disable-gil, 3.13+).
    public static let freeThreadedVersions = ["3.13.5"]
    public static let sanitizers = ["fuzz": "fuzzer", "asan": "address", "cov": "coverage"]

    public init(parsing text: String) throws {
        if let match = text.wholeMatch(of: #/(3\.[0-9]+)(\.[0-9]+)?(d?)/#) {
            let series = String(match.1)
            self = .debian(series: series, version: match.2.map { series + $0 }, debug: match.3 == "d")
            return
        }
        if let match = text.wholeMatch(of: #/(3\.[0-9]+\.[0-9]+)(t?)(?:-(fuzz|asan|cov))?/#),
            match.2 == "t" || match.3 != nil
        {
            let version = String(match.1)
            guard Self.sourceVersions.contains(version) else {
                throw PyMemCheckError.usage(
                    "Debian ships \(version) as no source package build.sh knows; source builds: "
                        + Self.sourceVersions.joined(separator: ", ") + " (see pymemcheck install --list)")
            }
            self = .source(
                version: version, freeThreaded: match.2 == "t",
                sanitizer: match.3.flatMap { Self.sanitizers[String($0)] })
            return
        }
        throw PyMemCheckError.usage(
            "cannot install '\(text)': give a Debian series or version (3.14, 3.15, 3.14d, 3.14.10) or a "
                + "source build (3.13.5t, 3.11.2-fuzz, 3.13.5-asan); pymemcheck install --list shows them")
    }

    /// The target id the install makes (the series' newest version is known only from the index).
    public var description: String {
        switch self {
        case .debian(let series, let version, let debug): return (version ?? series) + (debug ? "d" : "")
        case .source(let version, let freeThreaded, let sanitizer):
            let suffix = sanitizer.flatMap { name in Self.sanitizers.first { $0.value == name }?.key }
            return version + (freeThreaded ? "t" : "") + (suffix.map { "-\($0)" } ?? "")
        }
    }
}

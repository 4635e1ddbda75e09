import Foundation
import Isolation
import PyRuntime
import Vocabulary

/// Debian's binary package index of one suite, fetched from the mirror the system uses and
/// verified as apt verifies it: InRelease's signature against debian-archive-keyring, then the
/// Packages file's SHA256 against InRelease, then each package's SHA256 against Packages. The
/// system's apt configuration is read for its mirror, never written.
public struct DebianArchive: Sendable {
    public struct Package: Sendable, Equatable {
        public var name: String
        public var version: String
        public var filename: String
        public var sha256: String
        /// Depends and Pre-Depends, each the first package of its alternatives, without versions.
        public var depends: [String]
    }

    public let mirror: String
    public let suite: String
    public let packages: [String: Package]

    #if arch(arm64)
        static let architecture = "arm64"
    #else
        static let architecture = "amd64"
    #endif
    static let keyring = "/usr/share/keyrings/debian-archive-keyring.gpg"
    /// An index this young is used again rather than fetched.
    static let indexLifetime: TimeInterval = 24 * 3600

    /// The suite's index, from the cache when it was fetched within the day.
    public static func load(suite: String, cache: String, progress: (String) -> Void) throws -> DebianArchive {
        let mirror = Self.mirror()
        let folder = "\(cache)/index/\(suite)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let packagesFile = "\(folder)/Packages"
        let age = (try? FileManager.default.attributesOfItem(atPath: packagesFile)[.modificationDate] as? Date)
            .map { Date().timeIntervalSince($0) }
        if age == nil || age! > indexLifetime {
            progress("fetching Debian's \(suite) index from \(mirror)")
            try fetchIndex(mirror: mirror, suite: suite, folder: folder)
        }
        let text = try String(contentsOfFile: packagesFile, encoding: .utf8)
        return DebianArchive(mirror: mirror, suite: suite, packages: parse(text))
    }

    /// $PYMEMCHECK_DEBIAN_MIRROR, else the system's Debian mirror (apt's sources, as
    /// Fuzz/cpython/build.sh reads them), else Debian's redirector.
    static func mirror() -> String {
        if let mirror = ProcessInfo.processInfo.environment["PYMEMCHECK_DEBIAN_MIRROR"], !mirror.isEmpty {
            return mirror
        }
        let sources = (try? String(contentsOfFile: "/etc/apt/sources.list.d/debian.sources", encoding: .utf8)) ?? ""
        for line in sources.split(separator: "\n") where line.hasPrefix("URIs:") && !line.contains("security") {
            if let uri = line.dropFirst(5).split(separator: " ").first { return String(uri) }
        }
        let list = (try? String(contentsOfFile: "/etc/apt/sources.list", encoding: .utf8)) ?? ""
        for line in list.split(separator: "\n") where line.hasPrefix("deb ") && !line.contains("security") {
            if let uri = line.split(separator: " ").dropFirst().first(where: { !$0.hasPrefix("[") }) {
                return String(uri)
            }
        }
        return "http://deb.debian.org/debian"
    }

    private static func fetchIndex(mirror: String, suite: String, folder: String) throws {
        let base = "\(mirror)/dists/\(suite)"
        try Tool.download("\(base)/InRelease", to: "\(folder)/InRelease")
        guard FileManager.default.fileExists(atPath: keyring) else {
            throw PyMemCheckError.environment(
                "no \(keyring) to verify Debian's index: apt-get install debian-archive-keyring")
        }
        try Tool.run(
            "gpgv", ["--keyring", keyring, "--output", "\(folder)/Release", "\(folder)/InRelease"],
            package: "gpgv", what: "Debian's \(suite) index is not signed by a Debian archive key")
        let release = try String(contentsOfFile: "\(folder)/Release", encoding: .utf8)
        let wanted = "main/binary-\(architecture)/Packages.xz"
        guard let hash = sha256(of: wanted, inRelease: release) else {
            throw PyMemCheckError.environment("Debian's \(suite) Release names no \(wanted)")
        }
        try Tool.download("\(base)/\(wanted)", to: "\(folder)/Packages.xz", sha256: hash)
        try Tool.run(
            "xz", ["-df", "\(folder)/Packages.xz"], package: "xz-utils", what: "cannot decompress Packages.xz")
    }

    /// The SHA256 a Release file gives `path`: its lines under "SHA256:" are " HASH SIZE PATH".
    static func sha256(of path: String, inRelease release: String) -> String? {
        var inSHA256 = false
        for line in release.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") { inSHA256 = line == "SHA256:" }
            let fields = line.split(separator: " ")
            if inSHA256, fields.count == 3, fields[2] == path { return String(fields[0]) }
        }
        return nil
    }

    /// The stanzas of a Packages file, by package name (the last stanza of a name wins).
    static func parse(_ text: String) -> [String: Package] {
        var packages: [String: Package] = [:]
        for stanza in text.split(separator: "\n\n") {
            var fields: [Substring: Substring] = [:]
            for line in stanza.split(separator: "\n") where !line.hasPrefix(" ") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[line[..<colon]] = line[line.index(after: colon)...].drop { $0 == " " }
            }
            guard let name = fields["Package"], let version = fields["Version"], let file = fields["Filename"],
                let hash = fields["SHA256"]
            else { continue }
            let relations = [fields["Pre-Depends"], fields["Depends"]].compactMap { $0 }.joined(separator: ",")
            let depends = relations.split(separator: ",").compactMap { relation in
                relation.split(separator: "|").first?.split(separator: " ").first.map {
                    String($0.split(separator: ":")[0])
                }
            }
            packages[String(name)] = Package(
                name: String(name), version: String(version), filename: String(file), sha256: String(hash),
                depends: depends)
        }
        return packages
    }

    /// `roots` and every package they depend on, directly or not, whose name starts with "lib":
    /// the shared libraries a libpython and its modules load (data and tools are not needed to
    /// embed it, and the loader must not find an older machine's libraries in their place).
    public func libraryClosure(of roots: [String]) throws -> [Package] {
        var seen: [String: Package] = [:]
        var pending = roots
        while let name = pending.popLast() {
            guard seen[name] == nil else { continue }
            guard let package = packages[name] else {
                if roots.contains(name) {
                    throw PyMemCheckError.environment("Debian's \(suite) has no package \(name)")
                }
                continue // a virtual package: what provides it is not a library of ours
            }
            seen[name] = package
            pending += package.depends.filter { $0.hasPrefix("lib") && !$0.hasSuffix("-dev") && seen[$0] == nil }
        }
        return seen.values.sorted { $0.name < $1.name }
    }
}

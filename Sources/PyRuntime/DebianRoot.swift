import Foundation
import Isolation

/// A CPython unpacked from Debian's binary packages, beside the C library and the libraries it
/// needs, by `pymemcheck install` (ROOT/usr/lib/<triplet>/libpython3.X.so.1.0). Debian's newest
/// builds need a newer glibc than the machine may have, so they run only on the root's own: every
/// process that loads one is started through the root's loader, and its PYTHONHOME is ROOT/usr.
/// The marker file makes a root self-describing wherever its library is named.
public struct DebianRoot: Sendable, Hashable, Codable {
    public static let marker = ".pymemcheck-debian-root"

    #if arch(arm64)
        public static let triplet = "aarch64-linux-gnu"
        static let loaderName = "ld-linux-aarch64.so.1"
    #else
        public static let triplet = "x86_64-linux-gnu"
        static let loaderName = "ld-linux-x86-64.so.2"
    #endif

    /// The folder that holds usr/ and the marker.
    public var path: String

    public init(path: String) { self.path = path }

    public var libraryFolder: String { "\(path)/usr/lib/\(Self.triplet)" }
    public var loader: String { "\(libraryFolder)/\(Self.loaderName)" }
    public var home: String { "\(path)/usr" }
    public var launcher: Launcher { Launcher(loader: loader, libraryPath: [libraryFolder]) }

    /// The root `library` lies in, if it lies in one.
    public static func containing(_ library: String) -> DebianRoot? {
        var folder = (library as NSString).deletingLastPathComponent
        while folder.count > 1 {
            if FileManager.default.fileExists(atPath: "\(folder)/\(marker)") { return DebianRoot(path: folder) }
            folder = (folder as NSString).deletingLastPathComponent
        }
        return nil
    }

    /// Whether this process runs on the root's C library (it was started through the root's loader).
    public var isCurrent: Bool {
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return false }
        return maps.contains("\(libraryFolder)/libc.so.6")
    }
}

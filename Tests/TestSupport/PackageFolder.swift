import Foundation

/// The package's own folder, found from this file's place in it (Tests/TestSupport/).
public enum PackageFolder {
    public static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    public static var path: String { url.path }

    /// A file or folder of the package, by its path inside it ("Conformance", "Fuzz/ops.dict").
    public static func path(_ relative: String) -> String { url.appendingPathComponent(relative).path }

    /// The documents the catalogue cites, beside the package when it sits in a checkout of
    /// the whole project (../shared/seeds).
    public static let seeds = url.deletingLastPathComponent().appendingPathComponent("shared/seeds").path
}

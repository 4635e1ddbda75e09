import Foundation

/// Finds the `pymemcheck` executable that isolated scenarios run in: the running process when it
/// is pymemcheck, the product beside the test bundle under XCTest, or PYMEMCHECK_EXECUTABLE.
public enum SelfExecutable {
    public static let name = "pymemcheck"

    public static func path() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["PYMEMCHECK_EXECUTABLE"], !explicit.isEmpty {
            return try existing(explicit, origin: "PYMEMCHECK_EXECUTABLE")
        }
        let running =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        if (running as NSString).lastPathComponent == name { return running }
        // Under XCTest the runner lives in the build products folder next to pymemcheck.
        let beside = ((running as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
        return try existing(beside, origin: "the build products folder")
    }

    private static func existing(_ path: String, origin: String) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ChildProcess.SpawnError(
                description: "no pymemcheck executable at \(path) (from \(origin)); run 'swift build' first")
        }
        return path
    }
}

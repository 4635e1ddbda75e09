import Foundation

/// Finds the `pymemcheck` executable that isolated scenarios run in: the running process when it
/// is pymemcheck (under whatever name it was installed), the product beside the test bundle under
/// XCTest, or PYMEMCHECK_EXECUTABLE.
public enum SelfExecutable {
    public static let name = "pymemcheck"
    /// Set by the command line's main before anything runs: the running process is pymemcheck
    /// itself, so a copy renamed on installation still finds itself.
    nonisolated(unsafe) public static var runningIsPymemcheck = false

    public static func path() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["PYMEMCHECK_EXECUTABLE"], !explicit.isEmpty {
            return try existing(explicit, origin: "PYMEMCHECK_EXECUTABLE")
        }
        var running =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        // Started through another C library's loader (a Launcher), the process's executable is
        // that loader; the program it runs is argv[0], as the loader leaves it.
        if (running as NSString).lastPathComponent.hasPrefix("ld-linux") { running = CommandLine.arguments[0] }
        if runningIsPymemcheck || (running as NSString).lastPathComponent == name { return running }
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

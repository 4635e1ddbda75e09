import Foundation
import Isolation
import PyRuntime
import Vocabulary

/// Whether a free-threaded build can take a plugin's OBJ allocator. Its garbage collector finds
/// objects by reading every block of its mimalloc heaps as an object at a fixed offset (0, or
/// the debug hooks' two words: gc_visit_heaps_lock_held in Python/gc_free_threading.c, 3.13),
/// so an OBJ allocator there must hand out the allocator below's own blocks unmoved and give
/// each back when it is freed. A header of the plugin's own, blocks served from elsewhere or
/// blocks kept after their free break the collector (a crash) or blind it (every cycle kept):
/// the build's limit, recorded as setallocator.obj-before-init-keeps-gc, not the plugin's fault.
/// pymemcheck-threads asks the plugin in a process of its own, once per plugin and process.
public enum ObjectBlockHosting {
    private static let answers = Locked<[String: String?]>([:])

    /// nil when the plugin's OBJ allocator keeps to the build's rule, else the first call that
    /// does not, in the driver's words ("OBJ malloc(0) returned a pointer 16 bytes into ...").
    public static func refusal(pluginPath: String) throws -> String? {
        if let known = answers.withLock({ $0[pluginPath] }) { return known }
        let answer = try ask(pluginPath)
        answers.withLock { $0[pluginPath] = .some(answer) }
        return answer
    }

    /// Why a free-threaded build cannot take the plugin's OBJ allocator, for a report.
    public static func consequence(_ refusal: String) -> String {
        "the plugin's OBJ allocator is left out and its RAW and MEM allocators are checked: \(refusal), "
            + "and a free-threaded build's garbage collector reads every block of its mimalloc heaps "
            + "as an object, so it can take only the blocks of the allocator below, unmoved and given back "
            + "when freed (recorded: setallocator.obj-before-init-keeps-gc)"
    }

    static func ask(_ pluginPath: String) throws -> String? {
        let driver = try driverPath()
        let outcome: ChildOutcome
        do {
            outcome = try ChildProcess.run(
                executable: driver, arguments: [pluginPath, "--part", "object-blocks"],
                environment: ChildProcess.cleanEnvironment(), timeout: 60, silenceLimit: 30)
        } catch {
            throw PyMemCheckError.runtime("could not start \(driver): \(error)")
        }
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        if let problem = lines.first(where: { $0.hasPrefix("problem: ") }) {
            return String(problem.dropFirst("problem: ".count))
        }
        guard outcome.exitStatus == 0, lines.contains(where: { $0.hasPrefix("object-blocks: ") }) else {
            let said = (outcome.stderr + outcome.stdout).split(separator: "\n").suffix(2).joined(separator: " / ")
            throw PyMemCheckError.runtime(
                "the plugin's OBJ allocator, called directly by \(driver) --part object-blocks, "
                    + "\(outcome.summary)\(said.isEmpty ? "" : ": \(said)")")
        }
        return nil
    }

    /// The driver is built beside pymemcheck (one of the package's products).
    static func driverPath() throws -> String {
        let executable = try SelfExecutable.path()
        let driver = URL(fileURLWithPath: executable).deletingLastPathComponent()
            .appendingPathComponent("pymemcheck-threads").path
        guard FileManager.default.isExecutableFile(atPath: driver) else {
            throw PyMemCheckError.runtime(
                "\(driver) is missing: build the package's products (swift build) beside pymemcheck")
        }
        return driver
    }
}

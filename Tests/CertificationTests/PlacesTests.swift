import Foundation
import Isolation
import PyRuntime
import TestSupport
import XCTest

/// The `on` op makes its calls where it says, in pymemcheck and in the C reproducer alike: a
/// plugin that fails one request size off the thread that installed it (the main thread) shows
/// which calls ran elsewhere.
final class PlacesTests: XCTestCase {
    static let failsOffMainThread = """
        #include <pthread.h>
        #include "pymemcheck_plugin.h"
        static PyMemAllocatorEx below[3];
        static pthread_t installer;
        static int refused(size_t n) { return n == 777 && !pthread_equal(pthread_self(), installer); }
        static void *m(void *c, size_t n) { PyMemAllocatorEx *b = c; return refused(n) ? 0 : b->malloc(b->ctx, n); }
        static void *z(void *c, size_t e, size_t n) { PyMemAllocatorEx *b = c; return b->calloc(b->ctx, e, n); }
        static void *r(void *c, void *p, size_t n) { PyMemAllocatorEx *b = c; return b->realloc(b->ctx, p, n); }
        static void f(void *c, void *p) { PyMemAllocatorEx *b = c; b->free(b->ctx, p); }
        int pymemcheck_allocator(int d, const PyMemAllocatorEx *previous, PyMemAllocatorEx *hook) {
            installer = pthread_self();
            below[d] = *previous;
            hook->ctx = &below[d]; hook->malloc = m; hook->calloc = z; hook->realloc = r; hook->free = f;
            return 0;
        }
        """

    /// The verdict of each program on `spec`: whether it has the finding of the refused malloc(777).
    func findings(_ programs: [String: String], on spec: String) throws -> [String: Bool] {
        let plugin = try PluginTestSupport.compilePlugin(Self.failsOffMainThread, name: "fails-off-main")
        let target = try InstalledTargets.target(spec)
        var found: [String: Bool] = [:]
        for (name, text) in programs {
            let input = try write("# pymemcheck ops v1\n" + text, name: "\(name).ops")
            let replay = try PyMemCheckProcess.run([
                "replay", input, "--python", target.libraryPath, "--plugin", plugin,
            ])
            found[name] = replay.stdout.contains("returned NULL for 777 bytes")
            XCTAssertEqual(replay.exitStatus, found[name]! ? 1 : 0, replay.stdout + replay.stderr)
        }
        return found
    }

    static let programs = [
        "main": "malloc raw 777 -> s0\nmalloc mem 777 -> s1\n",
        "thread-raw": "malloc raw 8 -> s1\non thread\nmalloc raw 777 -> s0\n",
        "thread-mem": "on thread\nmalloc mem 777 -> s0\n",
        "interpreter": "on interpreter\nmalloc obj 777 -> s0\n",
        "back-on-main": "on thread\non interpreter\non main\nmalloc mem 777 -> s0\n",
    ]

    func testCallsAreMadeWhereTheProgramSays() throws {
        XCTAssertEqual(
            try findings(Self.programs, on: "3.13"),
            ["main": false, "thread-raw": true, "thread-mem": true, "interpreter": true, "back-on-main": false])
    }

    /// Before 3.12 there are no interpreters with their own GIL: `on interpreter` is the main thread.
    func testInterpreterIsTheMainThreadBefore312() throws {
        XCTAssertEqual(
            try findings(Self.programs, on: "3.11"),
            ["main": false, "thread-raw": true, "thread-mem": true, "interpreter": false, "back-on-main": false])
    }

    /// The reproducer makes the same calls on the same places: the same finding, the same op.
    func testTheReproducerMakesTheCallsOnTheSamePlaces() throws {
        let plugin = try PluginTestSupport.compilePlugin(Self.failsOffMainThread, name: "fails-off-main")
        let target = try InstalledTargets.target("3.13")
        for (name, expected) in [("thread-mem", "FINDING op 2: non-null"), ("interpreter", "FINDING op 2: non-null")] {
            let input = try write("# pymemcheck ops v1\n" + Self.programs[name]!, name: "places-\(name).ops")
            let run = try buildAndRun(input, target: target, mode: "default", plugin: plugin)
            XCTAssertEqual(run.exitStatus, 1, "\(name): " + run.stdout + run.stderr)
            XCTAssertTrue(run.stdout.contains(expected), "\(name): " + run.stdout)
        }
        let input = try write("# pymemcheck ops v1\n" + Self.programs["back-on-main"]!, name: "places-main.ops")
        let run = try buildAndRun(input, target: target, mode: "default", plugin: plugin)
        XCTAssertEqual(run.exitStatus, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("verdict: conforms"), run.stdout)
    }
}

import Foundation
import Isolation
import PyRuntime
import XCTest

/// Generated C reproducers compile against the target's own headers and library and give the
/// same verdict as pymemcheck: a finding of a faulty plugin, and a violation's fatal report.
final class ReproTests: XCTestCase {
    /// A plugin with one defect Python's own start-up does not trip over: calloc above 1 MiB
    /// returns dirty memory.
    static let dirtyCalloc = """
        #include <string.h>
        #include "pymemcheck_plugin.h"
        static PyMemAllocatorEx below[3];
        static void *m(void *c, size_t n) { PyMemAllocatorEx *b = c; return b->malloc(b->ctx, n); }
        static void *z(void *c, size_t e, size_t n) {
            PyMemAllocatorEx *b = c;
            if (e * n <= (1u << 20)) return b->calloc(b->ctx, e, n);
            char *p = b->malloc(b->ctx, e * n);
            if (p) memset(p, 0xAB, e * n);
            return p;
        }
        static void *r(void *c, void *p, size_t n) { PyMemAllocatorEx *b = c; return b->realloc(b->ctx, p, n); }
        static void f(void *c, void *p) { PyMemAllocatorEx *b = c; b->free(b->ctx, p); }
        int pymemcheck_allocator(int d, const PyMemAllocatorEx *previous, PyMemAllocatorEx *hook) {
            below[d] = *previous;
            hook->ctx = &below[d]; hook->malloc = m; hook->calloc = z; hook->realloc = r; hook->free = f;
            return 0;
        }
        """

    func testReproducerReproducesAPluginFindingOnTwoTargets() throws {
        let plugin = try PluginTestSupport.compilePlugin(Self.dirtyCalloc, name: "dirty-calloc")
        let input = try write("calloc raw 1 2097152 -> s0\ncheck s0\n", name: "dirty.ops")
        for spec in ["3.13", "3.11"] {
            let target = try PluginTestSupport.target(spec)
            let replay = try PluginTestSupport.pymemcheck(["replay", input, "--python", target.libraryPath, "--plugin", plugin])
            XCTAssertTrue(replay.stdout.contains("calloc-zeroed"), "pymemcheck itself must see the finding: \(replay.stdout)")
            let run = try buildAndRun(input, target: target, mode: "default", plugin: plugin)
            XCTAssertEqual(run.exitStatus, 1, run.stdout + run.stderr)
            XCTAssertTrue(run.stdout.contains("FINDING op 1: calloc-zeroed"), run.stdout)
        }
    }

    func testReproducerOfAViolationAbortsWithTheReport() throws {
        let input = try write("malloc mem 16 -> s0\nviolation cross-free s0 obj\n", name: "cross.ops")
        for spec in ["3.13", "3.11"] {
            let target = try PluginTestSupport.target(spec)
            let run = try buildAndRun(input, target: target, mode: "debug", plugin: nil)
            XCTAssertEqual(run.signal, SIGABRT, run.stdout + run.stderr)
            XCTAssertTrue(run.stderr.contains("bad ID: Allocated using API 'm', verified using API 'o'"), run.stderr)
        }
    }

    func testConformingInputConformsInTheReproducer() throws {
        let input = PluginTestSupport.package.appendingPathComponent("Corpus/seeds/fuzz-sequences/realloc-keeps-contents.ops").path
        let run = try buildAndRun(input, target: try PluginTestSupport.target("3.13"), mode: "pymalloc_debug", plugin: nil)
        XCTAssertEqual(run.exitStatus, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("verdict: conforms"))
    }

    func write(_ text: String, name: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pymemcheck-repro-\(getpid())-\(name)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// pymemcheck repro, then the compile command from the file's own header, then the program.
    func buildAndRun(_ input: String, target: PythonTarget, mode: String, plugin: String?) throws -> ChildOutcome {
        // Everything the test makes goes to the temporary folder, never beside the input.
        let stem = FileManager.default.temporaryDirectory
            .appendingPathComponent("pymemcheck-repro-\(getpid())-\((input as NSString).lastPathComponent)-\(target.id)-\(mode)").path
        let source = stem + ".c", binary = stem
        var arguments = ["repro", input, "--python", target.libraryPath, "--mode", mode, "-o", source]
        if let plugin { arguments += ["--plugin", plugin] }
        let generated = try PluginTestSupport.pymemcheck(arguments)
        XCTAssertEqual(generated.exitStatus, 0, generated.stderr)
        let text = try String(contentsOfFile: source, encoding: .utf8)
        let command = try XCTUnwrap(text.split(separator: "\n").first { $0.contains(" cc -O1 ") })
            .trimmingCharacters(in: CharacterSet(charactersIn: " *"))
            .replacingOccurrences(of: "-o repro repro.c", with: "-o \(binary) \(source)")
        let compiled = try ChildProcess.run(executable: "/bin/sh", arguments: ["-c", command], timeout: 120)
        XCTAssertTrue(compiled.exitedCleanly, "\(command)\n\(compiled.stderr)")
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "PYTHONMALLOC")
        return try ChildProcess.run(executable: binary, arguments: [], environment: environment, timeout: 120)
    }
}

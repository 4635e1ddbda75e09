import Foundation
import Isolation
import PyRuntime
import TestSupport
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
            let target = try InstalledTargets.target(spec)
            let replay = try PyMemCheckProcess.run([
                "replay", input, "--python", target.libraryPath, "--plugin", plugin,
            ])
            XCTAssertTrue(
                replay.stdout.contains("calloc-zeroed"), "pymemcheck itself must see the finding: \(replay.stdout)")
            let run = try buildAndRun(input, target: target, mode: "default", plugin: plugin)
            XCTAssertEqual(run.exitStatus, 1, run.stdout + run.stderr)
            XCTAssertTrue(run.stdout.contains("FINDING op 1: calloc-zeroed"), run.stdout)
        }
    }

    /// A plugin whose realloc to 64-256 bytes copies the new size, reading a little past the end
    /// of a smaller old block: harmless-looking in an ordinary heap, a crash inside the realloc
    /// under certify's guard layer (and under the reproducer's, which must install it too).
    static let overRead = """
        #include <string.h>
        #include "pymemcheck_plugin.h"
        static PyMemAllocatorEx below[3];
        static void *m(void *c, size_t n) { PyMemAllocatorEx *b = c; return b->malloc(b->ctx, n); }
        static void *z(void *c, size_t e, size_t n) { PyMemAllocatorEx *b = c; return b->calloc(b->ctx, e, n); }
        static void *r(void *c, void *p, size_t n) {
            PyMemAllocatorEx *b = c;
            if (p == NULL || n < 64 || n > 256) return b->realloc(b->ctx, p, n);
            void *q = b->malloc(b->ctx, n);
            if (q) { memcpy(q, p, n); b->free(b->ctx, p); }
            return q;
        }
        static void f(void *c, void *p) { PyMemAllocatorEx *b = c; b->free(b->ctx, p); }
        int pymemcheck_allocator(int d, const PyMemAllocatorEx *previous, PyMemAllocatorEx *hook) {
            below[d] = *previous;
            hook->ctx = &below[d]; hook->malloc = m; hook->calloc = z; hook->realloc = r; hook->free = f;
            return 0;
        }
        """

    /// A crash certify finds names its call, domain and thread, and comes with a command that,
    /// run as printed, crashes the same way; the C reproducer of the same input crashes too.
    func testACertifyCrashIsNamedAndReproducedByReplayAndRepro() throws {
        let plugin = try PluginTestSupport.compilePlugin(Self.overRead, name: "over-read")
        let target = try InstalledTargets.target("3.13")
        let findings = FileManager.default.temporaryDirectory.appendingPathComponent("pymemcheck-findings-\(getpid())")
        defer { try? FileManager.default.removeItem(at: findings) }
        let certified = try PyMemCheckProcess.run([
            "certify", "--plugin", plugin, "--python", target.libraryPath, "--mode", "default",
            "--only", "fuzz-faults", "--fuzz-seconds", "5", "--findings", findings.path, "--format", "json",
        ])
        XCTAssertEqual(certified.exitStatus, 1, certified.stdout + certified.stderr)
        let document = try JSONSerialization.jsonObject(with: Data(certified.stdout.utf8)) as? [String: Any]
        let items = try XCTUnwrap(document?["items"] as? [[String: Any]])
        XCTAssertEqual(items.map { $0["part"] as? String }, ["fuzz-faults"], "--only ran other parts")
        let item = try XCTUnwrap(items.first)
        let evidence = (item["evidence"] as? [String])?.first ?? ""
        for detail in ["(SIGSEGV) at 0x", "in the main thread", "inside PyMem_", "Realloc(0x", "at op "] {
            XCTAssertTrue(evidence.contains(detail), "the crash does not say '\(detail)': \(evidence)")
        }
        let command = try XCTUnwrap(item["reproduce"] as? String)
        XCTAssertTrue(command.hasPrefix("pymemcheck replay \(findings.path)/fuzz-faults-"), command)
        let replayed = try ChildProcess.run(
            executable: "/bin/sh",
            arguments: ["-c", "exec '\(try SelfExecutable.path())'" + command.dropFirst("pymemcheck".count)],
            environment: ["SWIFT_BACKTRACE": "enable=no", "PATH": "/usr/bin:/bin"], timeout: 120)
        XCTAssertEqual(replayed.exitStatus, 1, replayed.stdout + replayed.stderr)
        XCTAssertTrue(
            replayed.stdout.contains("crashed: on this input the target terminated by signal 11"), replayed.stdout)
        let input = try XCTUnwrap(command.split(separator: " ").dropFirst(2).first.map(String.init))
        let run = try buildAndRun(input, target: target, mode: "default", plugin: plugin)
        XCTAssertEqual(run.signal, SIGSEGV, "the reproducer must crash as replay did: \(run.stdout) \(run.stderr)")
    }

    func testReproducerOfAViolationAbortsWithTheReport() throws {
        let input = try write(
            "# target: fuzz-violations\nmalloc mem 16 -> s0\nviolation cross-free s0 obj\n", name: "cross.ops")
        for spec in ["3.13", "3.11"] {
            let target = try InstalledTargets.target(spec)
            let run = try buildAndRun(input, target: target, mode: "debug", plugin: nil)
            XCTAssertEqual(run.signal, SIGABRT, run.stdout + run.stderr)
            XCTAssertTrue(run.stderr.contains("bad ID: Allocated using API 'm', verified using API 'o'"), run.stderr)
        }
    }

    func testConformingInputConformsInTheReproducer() throws {
        let input = PluginTestSupport.package.appendingPathComponent(
            "Corpus/seeds/fuzz-sequences/realloc-keeps-contents.ops"
        ).path
        let run = try buildAndRun(
            input, target: try InstalledTargets.target("3.13"), mode: "pymalloc_debug", plugin: nil)
        XCTAssertEqual(run.exitStatus, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("verdict: conforms"))
    }

    /// One op of every kind (and a plugin), so that the program calls every function of the prelude.
    static let everyOp = """
        malloc raw 16 -> s0
        calloc mem 2 8 -> s1
        realloc obj s2 24
        write s0 0 16 seed 1
        check s0
        fail-next raw malloc
        raw-thread 2
        free raw s0
        violation cross-free s1 obj
        violation pad-write s2 0
        violation api-id s2
        violation without-gil mem
        """

    /// The prelude (Sources/Reproducer/ReproPrelude.c) and the code generated around it compile
    /// without a warning under -Wall: nothing unused, nothing suspect.
    func testPreludeCompilesCleanlyWithEveryWarning() throws {
        let target = try InstalledTargets.target("3.13")
        let input = try write(Self.everyOp, name: "every-op.ops")
        let plugin = try PluginTestSupport.library("pymemcheck-counting")
        let source = try generate(input, target: target, mode: "debug", plugin: plugin)
        let binary = String(source.dropLast(2))
        defer { unlink(binary) }
        let compiled = try compile(source, to: binary, flags: "-Wall -Werror")
        XCTAssertTrue(compiled.exitedCleanly, compiled.stderr)
    }

    /// A reproducer carries ReproPrelude.c as it is, between its header comment and its main().
    func testReproducerCarriesThePreludeFileVerbatim() throws {
        let package = PluginTestSupport.package
        let file = package.appendingPathComponent("Sources/Reproducer/ReproPrelude.c")
        let prelude = try String(contentsOf: file, encoding: .utf8)
        let input = package.appendingPathComponent("Corpus/seeds/fuzz-sequences/zero-sizes.ops").path
        let source = try generate(input, target: try InstalledTargets.target("3.13"), mode: "default")
        let code = try String(contentsOfFile: source, encoding: .utf8)
        XCTAssertTrue(code.contains(" */\n" + prelude + "int main(void) {\n"), code)
    }

}

/// Reproducer helpers for any test: generate, compile and run the C program of an input.
extension XCTestCase {
    /// pymemcheck repro INPUT into a file of the temporary folder; its path.
    func generate(_ input: String, target: PythonTarget, mode: String, plugin: String? = nil) throws -> String {
        let name = "pymemcheck-repro-\(getpid())-\((input as NSString).lastPathComponent)-\(mode).c"
        let source = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
        let arguments = ["repro", input, "--python", target.libraryPath, "--mode", mode, "-o", source]
        let generated = try PyMemCheckProcess.run(arguments + (plugin.map { ["--plugin", $0] } ?? []))
        XCTAssertEqual(generated.exitStatus, 0, generated.stderr)
        return source
    }

    /// The compile command from the reproducer's own header, with `flags` added.
    func compile(_ source: String, to binary: String, flags: String = "") throws -> ChildOutcome {
        let text = try String(contentsOfFile: source, encoding: .utf8)
        let command = try XCTUnwrap(text.split(separator: "\n").first { $0.contains(" cc -O1 ") })
            .trimmingCharacters(in: CharacterSet(charactersIn: " *"))
            .replacingOccurrences(of: "-o repro repro.c", with: "\(flags) -o \(binary) \(source)")
        return try ChildProcess.run(executable: "/bin/sh", arguments: ["-c", command], timeout: 120)
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
            .appendingPathComponent(
                "pymemcheck-repro-\(getpid())-\((input as NSString).lastPathComponent)-\(target.id)-\(mode)"
            ).path
        let source = stem + ".c"
        let binary = stem
        var arguments = ["repro", input, "--python", target.libraryPath, "--mode", mode, "-o", source]
        if let plugin { arguments += ["--plugin", plugin] }
        let generated = try PyMemCheckProcess.run(arguments)
        XCTAssertEqual(generated.exitStatus, 0, generated.stderr)
        let compiled = try compile(source, to: binary)
        XCTAssertTrue(compiled.exitedCleanly, compiled.stderr)
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "PYTHONMALLOC")
        return try ChildProcess.run(executable: binary, arguments: [], environment: environment, timeout: 120)
    }
}

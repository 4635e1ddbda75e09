import AllocatorLayers
import Foundation
import TestSupport
import XCTest

/// A free-threaded build can take a plugin's OBJ allocator only when it hands out the allocator
/// below's own blocks, unmoved, and gives each back when freed (ObjectBlockHosting): its
/// collector reads every block of mimalloc's heaps as an object. Elsewhere, certify leaves the
/// plugin's OBJ allocator out, says why, and checks its RAW and MEM allocators.
final class ObjectBlockHostingTests: XCTestCase {
    static let correct = PluginTestSupport.package.appendingPathComponent("Tests/CertificationTests/CorrectPlugins")

    func plugin(_ file: String) throws -> String {
        try ThreadWatchTests.compile(Self.correct.appendingPathComponent(file))
    }

    func testTheDriverNamesTheFirstBlockAFreeThreadedBuildCannotTake() throws {
        let header = try ObjectBlockHosting.refusal(pluginPath: try plugin("header-wrapper.c"))
        XCTAssertEqual(header, "OBJ malloc(0) returned a pointer 16 bytes into the block the allocator below gave it")
        let replacement = try ObjectBlockHosting.refusal(pluginPath: try plugin("libc-replacement.c"))
        XCTAssertEqual(
            replacement,
            "OBJ malloc(0) returned a block the allocator below did not give it in that call (served by the plugin)")
        XCTAssertNil(try ObjectBlockHosting.refusal(pluginPath: try PluginTestSupport.library("pymemcheck-counting")))
    }

    /// A plugin that keeps its last freed block for the next request of the same size: its
    /// blocks are the allocator below's, unmoved, but one freed block is not given back.
    func testABlockKeptAfterItsFreeIsNamed() throws {
        let source = """
            #include "pymemcheck_plugin.h"
            static PyMemAllocatorEx below[3];
            static void *kept[3]; static size_t kept_size[3], sizes[3][64]; static void *blocks[3][64];
            static size_t *size_of(int d, void *p) {
                for (int i = 0; i < 64; i++) if (blocks[d][i] == p) return &sizes[d][i];
                for (int i = 0; i < 64; i++) if (!blocks[d][i]) { blocks[d][i] = p; return &sizes[d][i]; }
                return &sizes[d][63];
            }
            static void *k_malloc(void *ctx, size_t n) {
                int d = (PyMemAllocatorEx *)ctx - below;
                if (kept[d] && kept_size[d] == n) { void *p = kept[d]; kept[d] = 0; return p; }
                void *p = below[d].malloc(below[d].ctx, n);
                if (p) *size_of(d, p) = n;
                return p;
            }
            static void *k_calloc(void *ctx, size_t n, size_t s) {
                int d = (PyMemAllocatorEx *)ctx - below;
                return below[d].calloc(below[d].ctx, n, s);
            }
            static void *k_realloc(void *ctx, void *p, size_t n) {
                int d = (PyMemAllocatorEx *)ctx - below;
                void *q = below[d].realloc(below[d].ctx, p, n);
                if (q) *size_of(d, q) = n;
                return q;
            }
            static void k_free(void *ctx, void *p) {
                int d = (PyMemAllocatorEx *)ctx - below;
                if (p && !kept[d]) { kept[d] = p; kept_size[d] = *size_of(d, p); return; }
                below[d].free(below[d].ctx, p);
            }
            int pymemcheck_allocator(int d, const PyMemAllocatorEx *previous, PyMemAllocatorEx *hook) {
                below[d] = *previous;
                *hook = (PyMemAllocatorEx){&below[d], k_malloc, k_calloc, k_realloc, k_free};
                return 0;
            }
            """
        let library = try PluginTestSupport.compilePlugin(source, name: "keeps-a-freed-block")
        XCTAssertEqual(
            try ObjectBlockHosting.refusal(pluginPath: library),
            "OBJ free of the block from realloc(p, 8) did not give it back to the allocator below")
    }

    /// The header wrapper (correct by the contract) on 3.13t: certified, its OBJ allocator left
    /// out with the reason, no OBJ clause judged; with it in, the collector crashed the runtime.
    func testCertifyLeavesAMovingObjectAllocatorOutOnAFreeThreadedBuild() throws {
        let threaded = try InstalledTargets.target("3.13.5t")
        let outcome = try PyMemCheckProcess.run([
            "certify", "--plugin", try plugin("header-wrapper.c"), "--python", threaded.libraryPath, "--mode",
            "default", "--only", "raw.threads.while-runtime-works", "--only", "obj.*", "--only", "mem.malloc.*",
            "--format", "json",
        ])
        XCTAssertEqual(outcome.exitStatus, 0, outcome.stdout + outcome.stderr)
        let certificate = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        let clauses = (certificate?["clauses"] as? [[String: Any]] ?? []).map {
            "\($0["clause"] ?? "") \($0["status"] ?? "")"
        }
        XCTAssertEqual(
            clauses,
            [
                "raw.threads.while-runtime-works pass", "mem.malloc.zero-size-distinct pass",
                "mem.malloc.above-ssize-max-fails pass",
            ])
        let reasons = certificate?["notApplicable"] as? [String] ?? []
        XCTAssertEqual(reasons.count, 1, "\(reasons)")
        XCTAssertTrue(
            reasons.first?.hasPrefix(
                "3.13.5t: the plugin's OBJ allocator is left out and its RAW and MEM allocators are checked: OBJ "
                    + "malloc(0) returned a pointer 16 bytes into the block") == true, "\(reasons)")
    }
}

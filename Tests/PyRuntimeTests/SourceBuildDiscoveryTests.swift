import Foundation
import PyRuntime
import TestSupport
import XCTest

/// The builds of Fuzz/cpython/build.sh are targets named by their folder ("3.11.7-fuzz"), found
/// under XDG_CACHE_HOME once finished, and chosen by that id only.
final class SourceBuildDiscoveryTests: XCTestCase {
    private var cache: URL!

    override func tearDownWithError() throws {
        if let cache { try? FileManager.default.removeItem(at: cache) }
    }

    /// A fake cache holding one "build": a link to a real libpython under ID/prefix/lib.
    private func environment(id: String, finished: Bool) throws -> [String: String] {
        let library = try InstalledTargets.target("3.12").libraryPath
        cache = FileManager.default.temporaryDirectory.appendingPathComponent("pymemcheck-cache-\(UUID())")
        let prefix = cache.appendingPathComponent("pymemcheck/cpython/\(id)/prefix")
        let lib = prefix.appendingPathComponent("lib")
        try FileManager.default.createDirectory(at: lib, withIntermediateDirectories: true)
        let name = (library as NSString).lastPathComponent
        try FileManager.default.createSymbolicLink(
            atPath: lib.appendingPathComponent(name).path,
            withDestinationPath: library)
        if finished {
            try Data("built\n".utf8).write(to: prefix.appendingPathComponent(".pymemcheck-built"))
        }
        // No pyenv root, so the link is not found first through the library it points to.
        return [
            "HOME": cache.path, "XDG_CACHE_HOME": cache.path,
            "PYENV_ROOT": cache.appendingPathComponent("none").path,
        ]
    }

    func testAFinishedBuildIsATargetNamedByItsFolder() throws {
        let found = TargetDiscovery.discover(environment: try environment(id: "3.12.1-fuzz", finished: true))
        let build = found.targets.first { $0.origin == .source }
        XCTAssertEqual(build?.id, "3.12.1-fuzz")
        XCTAssertEqual(build?.version.series, "3.12")
    }

    func testAnUnfinishedBuildIsNotATarget() throws {
        let found = TargetDiscovery.discover(environment: try environment(id: "3.12.1-cov", finished: false))
        XCTAssertEqual(found.targets.filter { $0.origin == .source }.map(\.id), [])
    }

    func testTheIdChoosesTheBuildAndTheVersionNeverDoes() throws {
        let found = TargetDiscovery.discover(environment: try environment(id: "3.12.1-cov", finished: true))
        XCTAssertEqual(try TargetSpec.resolve("3.12.1-cov", discovery: { found }).origin, .source)
        let series = try? TargetSpec.resolve("3.12", discovery: { found })
        XCTAssertNotEqual(series?.origin, .source, "a version must not pick an instrumented build")
    }

    func testAMissingBuildSaysHowToMakeIt() {
        XCTAssertThrowsError(try TargetSpec.resolve("3.11.2-asan", discovery: { InstalledTargets.discovery })) {
            error in
            XCTAssertTrue("\(error)".contains("Fuzz/cpython/build.sh builds it"), "\(error)")
        }
    }
}

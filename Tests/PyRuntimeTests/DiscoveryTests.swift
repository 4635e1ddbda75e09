import PyRuntime
import TestSupport
import Vocabulary
import XCTest

final class DiscoveryTests: XCTestCase {
    func testDiscoveryFindsUsableTargetsWithTheirBuilds() throws {
        let targets = InstalledTargets.discovery.targets
        XCTAssertFalse(targets.isEmpty, "no CPython found; install one with --enable-shared")
        for target in targets {
            XCTAssertTrue(FileManager.default.fileExists(atPath: target.libraryPath), target.id)
            XCTAssertGreaterThanOrEqual(target.version, PythonVersion(3, 6), target.id)
            XCTAssertTrue(target.supportedModes.contains(.default), target.id)
            XCTAssertEqual(target.mimalloc, target.supportedModes.contains(.mimalloc), target.id)
        }
        XCTAssertEqual(Set(targets.map(\.id)).count, targets.count, "target ids must be unique")
    }

    func testPyenvBuildsAreAllFound() throws {
        let versions = ["3.6.15", "3.7.16", "3.8.18", "3.9.18", "3.10.13", "3.11.7", "3.12.1", "3.13.0"]
        let root = ProcessInfo.processInfo.environment["PYENV_ROOT"] ?? NSHomeDirectory() + "/.pyenv"
        let installed = versions.filter { FileManager.default.fileExists(atPath: "\(root)/versions/\($0)/lib") }
        let found = Set(InstalledTargets.discovery.targets.filter { $0.origin == .pyenv }.map(\.id))
        XCTAssertEqual(Set(installed).subtracting(found), [], "pyenv builds present but not discovered")
    }

    func testDebianDebugBuildIsFoundAsDebug() throws {
        let target = try InstalledTargets.target("3.11d")
        XCTAssertTrue(target.debugBuild)
        XCTAssertTrue(target.libraryPath.contains("libpython3.11d"))
        XCTAssertEqual(target.applicability(of: .default), .applicable)
    }

    func testMimallocOnlyFrom313() throws {
        for target in InstalledTargets.discovery.targets where target.version < PythonVersion(3, 13) {
            XCTAssertFalse(target.applicability(of: .mimalloc).isApplicable, target.id)
            XCTAssertNotNil(target.applicability(of: .mimallocDebug).reason)
        }
        let target313 = try InstalledTargets.target("3.13")
        XCTAssertTrue(target313.mimalloc)
    }

    func testPython27IsRejectedWithTheReason() throws {
        let rejected = InstalledTargets.discovery.rejected.filter { $0.path.contains("libpython2.7") }
        guard let entry = rejected.first else {
            throw Requirement.missing(
                "no Python 2.7 library here; install one (pyenv install 2.7.18 with --enable-shared) "
                    + "to check that pre-PEP 445 builds are rejected")
        }
        XCTAssertTrue(entry.reason.contains("no PEP 445"), entry.reason)
    }

    func testLibraryNamesThatCount() {
        XCTAssertTrue(TargetDiscovery.isLibpythonName("libpython3.11.so"))
        XCTAssertTrue(TargetDiscovery.isLibpythonName("libpython3.6m.so.1.0"))
        XCTAssertTrue(TargetDiscovery.isLibpythonName("libpython3.11d.so.1"))
        XCTAssertFalse(TargetDiscovery.isLibpythonName("libpython3.so"), "the stable-ABI stub is no runtime")
        XCTAssertFalse(TargetDiscovery.isLibpythonName("libpython3.11.a"))
    }

    func testVersionParsing() {
        XCTAssertEqual(PythonVersion(parsing: "3.11.7 (main, Jan 1 2024) [GCC]"), PythonVersion(3, 11, 7))
        XCTAssertEqual(PythonVersion(parsing: "3.13.0rc1"), PythonVersion(3, 13, 0))
        XCTAssertNil(PythonVersion(parsing: "garbage"))
        XCTAssertEqual(PythonVersion(3, 6).debugBytes.forbidden, 0xFB)
        XCTAssertEqual(PythonVersion(3, 8).debugBytes.clean, 0xCD)
    }
}

import PyRuntime
import TestSupport
import Vocabulary
import XCTest

final class TargetSpecTests: XCTestCase {
    private func resolve(_ spec: String?) throws -> PythonTarget {
        try TargetSpec.resolve(spec, discovery: { InstalledTargets.discovery })
    }

    func testSeriesPicksTheNewestReleaseBuild() throws {
        let target = try InstalledTargets.target("3.11")
        XCTAssertEqual(target.version.series, "3.11")
        XCTAssertFalse(target.debugBuild)
        let all311 = InstalledTargets.discovery.targets.filter { $0.version.series == "3.11" && !$0.debugBuild }
        XCTAssertEqual(target.version, all311.map(\.version).max())
    }

    func testExactVersionAndDebugSuffix() throws {
        let exact = try InstalledTargets.target("3.13.0")
        XCTAssertEqual(exact.version, PythonVersion(3, 13, 0))
        let debug = try InstalledTargets.target("3.11d")
        XCTAssertTrue(debug.debugBuild)
    }

    func testLibraryPathAndExecutablePathResolveToTheSameLibrary() throws {
        let target = try InstalledTargets.target("3.12")
        XCTAssertEqual(try resolve(target.libraryPath).libraryPath, target.libraryPath)
        guard let prefix = target.prefix, FileManager.default.isExecutableFile(atPath: prefix + "/bin/python3") else {
            throw Requirement.missing(
                "\(target.id) has no bin/python3 under its prefix; install a CPython with its executables "
                    + "(pyenv install) to check --python given as an executable")
        }
        XCTAssertEqual(try resolve(prefix + "/bin/python3").libraryPath, target.libraryPath)
    }

    func testDefaultIsPython3OnPath() throws {
        let target = try resolve(nil)
        XCTAssertGreaterThanOrEqual(target.version, PythonVersion(3, 6))
    }

    func testUnknownVersionListsTheTargets() {
        XCTAssertThrowsError(try resolve("3.99")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("no CPython 3.99 found"), text)
            XCTAssertTrue(text.contains("targets here:"), text)
        }
    }

    func testMissingPathSaysSo() {
        XCTAssertThrowsError(try resolve("/nowhere/libpython3.12.so")) { error in
            XCTAssertTrue("\(error)".contains("libpython /nowhere/libpython3.12.so not found"), "\(error)")
        }
    }

    func testALibraryThatIsNotPythonIsNamed() throws {
        let libc = ["/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libz.so.1"].first {
            FileManager.default.fileExists(atPath: $0)
        }
        guard let libc else {
            throw Requirement.missing(
                "no libc.so.6 at Debian's path (/lib/x86_64-linux-gnu) to use as a non-Python library; "
                    + "run on Debian x86-64 (apt-get install libc6) to check that refusal")
        }
        XCTAssertThrowsError(try resolve(libc)) { error in
            XCTAssertTrue("\(error)".contains("is not a libpython: it has no Py_GetVersion"), "\(error)")
        }
    }

    func testNotASharedLibrary() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("libpython9.9.so")
        try Data("not an ELF file".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        XCTAssertThrowsError(try resolve(file.path)) { error in
            XCTAssertTrue("\(error)".contains("is not a loadable shared library"), "\(error)")
        }
    }

    func testModeNamesAreParsedOrListed() throws {
        XCTAssertEqual(try AllocatorMode.parse("pymalloc_debug"), .pymallocDebug)
        XCTAssertThrowsError(try AllocatorMode.parse("tcmalloc")) { error in
            XCTAssertTrue("\(error)".contains("valid modes: default, malloc, pymalloc, debug"), "\(error)")
        }
    }
}

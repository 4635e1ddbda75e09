import Foundation
import PyRuntime
import XCTest

@testable import FuzzHarness

/// How a bundle's fuzzer knows its mode and its CPython with no environment: from its name, its
/// options file and the folder beside it. Bad names and files are one clear error.
final class FuzzerIdentityTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pymemcheck-identity-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func identity(_ name: String) -> FuzzerIdentity {
        FuzzerIdentity(name: name, folder: folder.path)
    }

    func testTheModeIsTheSuffixAfterTheTargetsName() throws {
        XCTAssertEqual(try identity("fuzz-sequences-debug").modeFromName(of: .sequences), .debug)
        XCTAssertEqual(try identity("fuzz-faults-pymalloc_debug").modeFromName(of: .faults), .pymallocDebug)
        XCTAssertEqual(try identity("fuzz-violations-malloc").modeFromName(of: .violations), .malloc)
        XCTAssertNil(try identity("fuzz-sequences").modeFromName(of: .sequences))
        XCTAssertNil(try identity("fuzz-sequences-").modeFromName(of: .sequences))
        XCTAssertNil(try identity("a.out").modeFromName(of: .sequences))
    }

    func testASuffixThatIsNoModeIsAnErrorNamingTheModes() {
        XCTAssertThrowsError(try identity("fuzz-sequences-bogus").modeFromName(of: .sequences)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("'bogus' is not an allocator mode"), text)
            XCTAssertTrue(text.contains("pymalloc_debug"), text)
            XCTAssertFalse(text.contains("\n"), text)
        }
    }

    func testTheOptionsFilesPymemcheckSectionGivesTheMode() throws {
        let options = """
            [libfuzzer]
            max_len = 256
            mode = debug
            [pymemcheck]
            # the allocator mode
            mode = malloc_debug
            """
        try Data(options.utf8).write(to: folder.appendingPathComponent("fuzz-sequences.options"))
        XCTAssertEqual(try identity("fuzz-sequences").modeFromOptionsFile(), .mallocDebug)
        XCTAssertNil(try identity("fuzz-faults").modeFromOptionsFile(), "no options file")
    }

    func testAnOptionsFileWithNoModeGivesNoneAndABadModeIsAnError() throws {
        try Data("[libfuzzer]\nmax_len = 256\n".utf8).write(to: folder.appendingPathComponent("plain.options"))
        XCTAssertNil(try identity("plain").modeFromOptionsFile())
        try Data("[pymemcheck]\nmode = fast\n".utf8).write(to: folder.appendingPathComponent("bad.options"))
        XCTAssertThrowsError(try identity("bad").modeFromOptionsFile()) { error in
            XCTAssertTrue("\(error)".contains("mode 'fast' in [pymemcheck] is not an allocator mode"), "\(error)")
        }
    }

    func testIniValuesAreReadFromTheirOwnSectionOnly() {
        let text = "; comment\nmode = top\n[other]\nmode=other\n[pymemcheck]\n  mode =  hooks  \n"
        XCTAssertEqual(FuzzerIdentity.value(of: "mode", inSection: "pymemcheck", of: text), "hooks")
        XCTAssertEqual(FuzzerIdentity.value(of: "mode", inSection: "other", of: text), "other")
        XCTAssertNil(FuzzerIdentity.value(of: "mode", inSection: "missing", of: text))
    }

    func testAFolderWithNoBundledCPythonGivesNoTarget() throws {
        XCTAssertNil(try identity("fuzz-sequences-default").bundledTarget())
    }

    /// A bundle with the installed target's library in it (a link), as Fuzz/build.sh lays it out.
    @discardableResult
    private func bundleInstalledTarget() throws -> PythonTarget {
        let installed = try TargetSpec.resolve(ProcessInfo.processInfo.environment["PYMEMCHECK_PYTHON"])
        let lib = folder.appendingPathComponent("\(FuzzerIdentity.cpythonFolder)/lib")
        try FileManager.default.createDirectory(at: lib, withIntermediateDirectories: true)
        let name = (installed.libraryPath as NSString).lastPathComponent
        try FileManager.default.createSymbolicLink(
            atPath: lib.appendingPathComponent(name).path, withDestinationPath: installed.libraryPath)
        return installed
    }

    /// With no environment a bundle's fuzzer runs its bundle's CPython in its name's mode; the
    /// variables, when set, win over both.
    func testTheBundleAndTheNameChooseUnlessTheEnvironmentDoes() throws {
        let installed = try bundleInstalledTarget()
        let bare = try FuzzSession.Options.forFuzzer(
            .faults, identity: identity("fuzz-faults-malloc"), environment: [:])
        XCTAssertEqual(bare.options.target.origin, .bundle)
        XCTAssertEqual(bare.options.mode, .malloc)
        XCTAssertTrue(bare.options.hostile, "fuzz-faults runs the hostile allocator")
        XCTAssertTrue(bare.origin.contains("the bundle's CPython in \(folder.path)"), bare.origin)
        XCTAssertTrue(bare.origin.hasSuffix("mode from the fuzzer's name)"), bare.origin)
        let given = try FuzzSession.Options.forFuzzer(
            .faults, identity: identity("fuzz-faults-malloc"),
            environment: ["PYMEMCHECK_PYTHON": installed.libraryPath, "PYMEMCHECK_MODE": "debug"])
        XCTAssertEqual(given.options.target.origin, .path)
        XCTAssertEqual(given.options.mode, .debug)
        XCTAssertEqual(
            given.origin, "\(installed.id) in mode debug (CPython from PYMEMCHECK_PYTHON, mode from PYMEMCHECK_MODE)")
    }

    /// A bundle's CPython is a prefix moved away from where it was built: the target found in it
    /// carries the home CPython must be told, and its origin says where it came from.
    func testABundledCPythonCarriesItsHome() throws {
        let installed = try bundleInstalledTarget()
        let target = try XCTUnwrap(try identity("fuzz-sequences-default").bundledTarget())
        XCTAssertEqual(target.origin, .bundle)
        XCTAssertEqual(target.home, folder.appendingPathComponent(FuzzerIdentity.cpythonFolder).path)
        XCTAssertEqual(target.version, installed.version)
    }
}

/// The flag a fuzz binary adds to libFuzzer's arguments under ASan, unless one is given.
final class FuzzerFlagTests: XCTestCase {
    private func arguments(after given: [String]) -> [String] {
        var argc = Int32(given.count)
        let vector = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: given.count + 1)
        defer { vector.deallocate() }
        for (index, argument) in given.enumerated() { vector[index] = strdup(argument) }
        vector[given.count] = nil
        var argv = vector
        FuzzEntry.appendFlagIfAbsent("malloc_limit_mb", "7", &argc, &argv)
        return (0..<Int(argc)).map { String(cString: argv[$0]!) }
    }

    func testTheFlagIsAddedWhenAbsentAndTheGivenOneWins() {
        XCTAssertEqual(arguments(after: ["fuzzer", "-runs=5"]), ["fuzzer", "-runs=5", "-malloc_limit_mb=7"])
        XCTAssertEqual(arguments(after: ["fuzzer", "-malloc_limit_mb=1"]), ["fuzzer", "-malloc_limit_mb=1"])
        XCTAssertEqual(
            arguments(after: ["fuzzer", "-malloc_limit_mb_other=1"]),
            ["fuzzer", "-malloc_limit_mb_other=1", "-malloc_limit_mb=7"])
    }
}

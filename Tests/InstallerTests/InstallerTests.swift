import ClauseCatalogue
import Foundation
import PyRuntime
import Vocabulary
import XCTest

@testable import Installer

/// What `pymemcheck install` is asked, how it reads Debian's index, and which packages a root
/// gets; the install itself (network, dpkg-deb) is run by .ci/run.
final class InstallerTests: XCTestCase {
    func testSpecsNameADebianSeriesOrASourceBuild() throws {
        XCTAssertEqual(try InstallSpec(parsing: "3.14"), .debian(series: "3.14", version: nil, debug: false))
        XCTAssertEqual(try InstallSpec(parsing: "3.15d"), .debian(series: "3.15", version: nil, debug: true))
        XCTAssertEqual(try InstallSpec(parsing: "3.14.10"), .debian(series: "3.14", version: "3.14.10", debug: false))
        XCTAssertEqual(
            try InstallSpec(parsing: "3.13.5t"), .source(version: "3.13.5", freeThreaded: true, sanitizer: nil))
        XCTAssertEqual(
            try InstallSpec(parsing: "3.11.2-fuzz"),
            .source(version: "3.11.2", freeThreaded: false, sanitizer: "fuzzer"))
        XCTAssertEqual(
            try InstallSpec(parsing: "3.13.5t-asan"),
            .source(version: "3.13.5", freeThreaded: true, sanitizer: "address"))
        XCTAssertEqual("\(try InstallSpec(parsing: "3.13.5t-asan"))", "3.13.5t-asan")
    }

    func testAnUnknownSpecIsAUsageErrorThatSaysWhatToGive() {
        for spec in ["python3.14", "3.12.9t", "latest"] {
            XCTAssertThrowsError(try InstallSpec(parsing: spec), spec) { error in
                XCTAssertTrue("\(error)".contains("install --list"), "\(error)")
            }
        }
    }

    func testTheReleaseFileGivesThePackagesFilesHash() {
        let release = """
            Origin: Debian
            MD5Sum:
             0123 10 main/binary-amd64/Packages.xz
            SHA256:
             aaaa 11 main/binary-amd64/Packages
             bbbb 12 main/binary-amd64/Packages.xz
            """
        XCTAssertEqual(DebianArchive.sha256(of: "main/binary-amd64/Packages.xz", inRelease: release), "bbbb")
        XCTAssertNil(DebianArchive.sha256(of: "main/binary-arm64/Packages.xz", inRelease: release))
    }

    func testARootGetsTheLibrariesItNeedsAndNoneOfTheRest() throws {
        let index = """
            Package: libpython3.14
            Version: 3.14.10-1
            Filename: pool/main/p/python3.14/libpython3.14_3.14.10-1_amd64.deb
            SHA256: 11
            Depends: libpython3.14-stdlib (= 3.14.10-1), libc6 (>= 2.38), zlib1g (>= 1:1.2.0)

            Package: libpython3.14-stdlib
            Version: 3.14.10-1
            Filename: pool/l.deb
            SHA256: 12
            Depends: media-types | mime-support, tzdata, libffi8 (>= 3.4), libc6:any

            Package: libffi8
            Version: 3.8.0-2
            Filename: pool/f.deb
            SHA256: 13
            Pre-Depends: libc6 (>= 2.14)

            Package: libc6
            Version: 2.43-7
            Filename: pool/c.deb
            SHA256: 14

            Package: tzdata
            Version: 2026a-1
            Filename: pool/t.deb
            SHA256: 15
            """
        let archive = DebianArchive(mirror: "m", suite: "sid", packages: DebianArchive.parse(index))
        XCTAssertEqual(
            archive.packages["libpython3.14-stdlib"]?.depends, ["media-types", "tzdata", "libffi8", "libc6"])
        // zlib1g is named but not in this index: a library outside the index is no package of the root.
        XCTAssertEqual(
            try archive.libraryClosure(of: ["libpython3.14"]).map(\.name),
            ["libc6", "libffi8", "libpython3.14", "libpython3.14-stdlib"])
        XCTAssertThrowsError(try archive.libraryClosure(of: ["libpython3.99"]))
        XCTAssertEqual(DebianInstaller.available(in: archive), ["3.14"])
        XCTAssertEqual(DebianInstaller.upstream("1:3.14.10-1"), "3.14.10")
    }

    func testARootIsFoundFromAnyLibraryInIt() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("root-\(getpid())").path
        let folder = DebianRoot(path: root).libraryFolder
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        XCTAssertNil(DebianRoot.containing("\(folder)/libpython3.14.so.1.0"), "no marker: no root")
        FileManager.default.createFile(atPath: "\(root)/\(DebianRoot.marker)", contents: Data())
        let found = DebianRoot.containing("\(folder)/libpython3.14.so.1.0")
        XCTAssertEqual(found?.path, root)
        XCTAssertEqual(found?.home, "\(root)/usr")
        XCTAssertFalse(found?.isCurrent ?? true, "this process runs on the machine's C library")
        let command = found!.launcher.command("/bin/pymemcheck", ["worker"])
        XCTAssertEqual(command.executable, found!.loader)
        XCTAssertEqual(command.arguments, ["--library-path", folder, "/bin/pymemcheck", "worker"])
    }

    /// "3.12-3.13" in a deviation: both series, nothing before or after (3.14 fixed what 3.13 did).
    func testADeviationsVersionRangeIncludesBothEnds() throws {
        let json = #"{"target": "3.12-3.13", "observed": "o", "observation": "x", "evidence": "e"}"#
        let deviation = try JSONDecoder().decode(Deviation.self, from: Data(json.utf8))
        func target(_ version: String) -> PythonTarget {
            PythonTarget(
                id: version, version: PythonVersion(parsing: version)!, versionString: version, libraryPath: "/x",
                prefix: nil, origin: .path, debugBuild: false, pymalloc: true, mimalloc: true)
        }
        let applies = ["3.11.7", "3.12.1", "3.13.0", "3.13.18", "3.14.10"].map {
            deviation.applies(to: target($0), mode: .default)
        }
        XCTAssertEqual(applies, [false, true, true, true, false])
        // An id with a dash is no range: it names that build alone.
        let idJSON = #"{"target": "3.11.2-fuzz", "observed": "o", "observation": "x", "evidence": "e"}"#
        let byID = try JSONDecoder().decode(Deviation.self, from: Data(idJSON.utf8))
        XCTAssertFalse(byID.applies(to: target("3.13.0"), mode: .default))
        var fuzz = target("3.11.2")
        fuzz.id = "3.11.2-fuzz"
        XCTAssertTrue(byID.applies(to: fuzz, mode: .default))
    }

    func testAFreeThreadedBuildBefore313IsRefusedInOneLineThatSaysWhy() {
        XCTAssertThrowsError(try SourceInstaller.install(version: "3.11.2", freeThreaded: true, sanitizer: nil)) {
            XCTAssertEqual(
                "\($0)", "3.11.2 has no free-threaded build (--disable-gil came in 3.13); build 3.13.5t")
        }
    }
}

import DebugReport
import XCTest

/// Shapes CPython can print that the captured runs did not produce.
final class SyntheticReportTests: XCTestCase {
    /// `_PyObject_DebugDumpAddress` stops after the header for a NULL pointer.
    func testNullPointerDumpAndNoPythonFrame() {
        let text = """
            Debug memory block at address p=(nil):

            Fatal Python error: _PyMem_DebugRawFree: bad trailing pad byte
            Python runtime state: finalizing (tstate=0x00005555)

            Current thread 0x00007f0000000001 (most recent call first):
              <no Python frame>

            """
        let report = DebugReportParser.parse(text)
        XCTAssertEqual(report.blockAddress, 0)
        XCTAssertNil(report.apiID)
        XCTAssertEqual(report.runtimeState, "finalizing (tstate=0x00005555)")
        XCTAssertEqual(report.currentThreadFrames, [])
        XCTAssertTrue(report.isComplete, "\(report.missing)")
    }

    func testUnknownLineNumberAndDepthLimit() {
        let text = """
            Fatal Python error: _PyMem_DebugMalloc: Python memory allocator called without holding the GIL
            Python runtime state: initialized

            Stack (most recent call first):
              File "deep.py", line ??? in recurse
              ...

            """
        let report = DebugReportParser.parse(text)
        XCTAssertEqual(report.currentThreadFrames, [TraceFrame(file: "deep.py", line: -1, function: "recurse")])
        XCTAssertEqual(report.kind, .withoutGIL)
        XCTAssertTrue(report.isComplete, "\(report.missing)")
    }

    /// When an exception is set, CPython prints it instead of the thread dump.
    func testExceptionTracebackStandsInForTheThreadDump() {
        let text = """
            Fatal Python error: _PyObject_AssertFailed: something else
            Python runtime state: initialized
            Traceback (most recent call last):
              File "x.py", line 1, in <module>
            ValueError: boom

            """
        let report = DebugReportParser.parse(text)
        XCTAssertEqual(report.kind, .other("something else"))
        XCTAssertEqual(report.fatalFunction, "_PyObject_AssertFailed")
        XCTAssertEqual(report.currentThreadFrames, [])
        XCTAssertTrue(report.isComplete, "\(report.missing)")
    }

    func testLongBlockMustBeElided() {
        let dump = { (data: String) in
            """
            Debug memory block at address p=0x1000: API 'o'
                100 bytes originally requested
                The 7 pad bytes at p-7 are FORBIDDENBYTE, as expected.
                The 8 pad bytes at tail=0x1064 are FORBIDDENBYTE, as expected.
                Data at p: \(data)

            Fatal Python error: bad ID: Allocated using API 'o', verified using API 'r'

            Current thread 0x1 (most recent call first):
              File "a.py", line 3 in f

            """
        }
        let elided = DebugReportParser.parse(dump("dd dd dd dd dd dd dd dd ... dd dd dd dd dd dd dd dd"))
        XCTAssertEqual(elided.dataBytes, Array(repeating: 0xdd, count: 16))
        XCTAssertTrue(elided.dataElided)
        XCTAssertTrue(elided.isComplete, "\(elided.missing)")
        XCTAssertEqual(elided.kind, .badID(allocated: "o", verified: "r"))
        let unelided = DebugReportParser.parse(dump("dd dd dd dd dd dd dd dd dd dd dd dd dd dd dd dd"))
        XCTAssertEqual(unelided.missing, ["data"])
    }

    func testFourByteGuardsOfOldReleasesAndMissingAPI() {
        let text = """
            Debug memory block at address p=0xabc:
                4 bytes originally requested
                The 4 pad bytes at p-4 are FORBIDDENBYTE, as expected.
                The 4 pad bytes at tail=0xac0 are not all FORBIDDENBYTE (0xfb):
                    at tail+0: 0xfb
                    at tail+1: 0x00 *** OUCH
                    at tail+2: 0xfb
                    at tail+3: 0xfb
                Data at p: cb cb cb cb

            Fatal Python error: bad trailing pad byte

            Current thread 0x1 (most recent call first):
              File "a.py", line 3 in f

            """
        let report = DebugReportParser.parse(text)
        XCTAssertNil(report.apiID)
        XCTAssertEqual(report.trailingPad?.count, 4)
        XCTAssertEqual(report.trailingPad?.badOffsets, [1])
        XCTAssertEqual(report.fillBytes, .legacy)
        XCTAssertTrue(report.isComplete, "\(report.missing)")
    }

    /// A block error whose dump was lost still expects one.
    func testBlockErrorWithoutDumpMissesIt() {
        let text = """
            Fatal Python error: bad leading pad byte

            Current thread 0x1 (most recent call first):
              File "a.py", line 1 in <module>

            """
        let report = DebugReportParser.parse(text)
        XCTAssertEqual(report.missing, ["block header"])
    }
}

import Reports
import Results
import XCTest

/// Every JSON document the renderers write validates against its schema in Schemas/.
final class JSONSchemaTests: XCTestCase {
    func testMatrixJSON() throws {
        assertValid(try ReportRenderer.render(SampleDocuments.matrix, as: .json), schema: "matrix", "matrix")
    }

    func testEmptyMatrixJSON() throws {
        let empty = Matrix(rows: [], columns: [], results: [], seconds: 0)
        assertValid(try ReportRenderer.render(empty, as: .json), schema: "matrix", "empty matrix")
    }

    func testCertificateJSON() throws {
        assertValid(try DocumentJSON.render(SampleDocuments.certificate), schema: "certify", "certificate")
    }

    func testProbeJSON() throws {
        assertValid(try DocumentJSON.render(SampleDocuments.probe), schema: "probe", "probe")
    }

    func testTargetsJSON() throws {
        assertValid(try DocumentJSON.render(SampleDocuments.targets), schema: "targets", "targets")
    }

    func testReplayJSON() throws {
        assertValid(try DocumentJSON.render(SampleDocuments.replay), schema: "replay", "replay")
    }

    func testBenchJSON() throws {
        assertValid(try DocumentJSON.render(SampleDocuments.bench), schema: "bench", "bench")
        assertValid(try DocumentJSON.render(SampleDocuments.idleBench), schema: "bench", "bench of nothing")
    }

    /// The schemas can fail: a document of another kind, or one with a status no reader knows, is refused.
    func testTheValidatorRefusesWhatIsWrong() throws {
        let probe = try DocumentJSON.render(SampleDocuments.probe)
        XCTAssertFalse(
            try Validators.jsonProblems(probe, schema: "targets").isEmpty, "a probe passed as a target list")
        let matrix = try ReportRenderer.render(SampleDocuments.matrix, as: .json)
            .replacingOccurrences(of: "\"expected-deviation\"", with: "\"deviation\"")
        XCTAssertFalse(try Validators.jsonProblems(matrix, schema: "matrix").isEmpty, "an unknown status passed")
    }

    /// Optional fields are written as null, never left out: readers can count on every key.
    func testAbsentValuesAreNull() throws {
        let json = try DocumentJSON.render(SampleDocuments.probe)
        XCTAssertTrue(json.contains("\"allocatorName\" : null"), json)
        XCTAssertTrue(json.contains("\"debugLayout\" : null"), json)
        let decoded = try JSONDecoder().decode(ProbeDocument.self, from: Data(json.utf8))
        XCTAssertEqual(decoded, SampleDocuments.probe)
    }
}

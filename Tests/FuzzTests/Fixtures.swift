import Foundation
import FuzzHarness
import PyRuntime
import Results
import Vocabulary

enum PythonVersionFixture {
    static let v313 = PythonVersion(3, 13, 0)
}

/// `replay --format json`: the replay document, its entries read as the harness's results.
struct ReplayJSON: Decodable {
    var results: [ReplayEntry]

    static func results(_ stdout: String) throws -> [ReplayEntry] {
        try JSONDecoder().decode(ReplayJSON.self, from: Data(stdout.utf8)).results
    }
}

import Foundation
import XCTest

/// What a test does when something it needs is not on the machine (a CPython, a compiler,
/// valgrind, Chromium): it is skipped, saying how to get it; under PYMEMCHECK_REQUIRE_TARGETS=1
/// (CI, which installs them all) it fails instead, so that nothing is silently left unchecked.
public enum Requirement {
    public static var strict: Bool { ProcessInfo.processInfo.environment["PYMEMCHECK_REQUIRE_TARGETS"] == "1" }

    /// The error to throw: an XCTSkip, or under the strict rule a failure with the same words.
    public static func missing(_ message: String) -> Error {
        strict
            ? Missing(description: "\(message) (PYMEMCHECK_REQUIRE_TARGETS=1: a missing need fails)")
            : XCTSkip(message)
    }

    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }
}

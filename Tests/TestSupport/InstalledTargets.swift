import Foundation
import PyRuntime

/// The CPythons on this machine, discovered once.
public enum InstalledTargets {
    public static let discovery = TargetDiscovery.discover()

    /// The target a test names, or a skip (a failure under PYMEMCHECK_REQUIRE_TARGETS=1) that
    /// says how to get it.
    public static func target(_ spec: String) throws -> PythonTarget {
        guard let target = try? TargetSpec.resolve(spec, discovery: { discovery }) else {
            throw Requirement.missing("CPython \(spec) is not installed here; \(installHint(spec)) to run this test")
        }
        return target
    }

    /// The target the tests run on: PYMEMCHECK_PYTHON, else python3 on PATH.
    public static func selected() throws -> PythonTarget {
        try target(ProcessInfo.processInfo.environment["PYMEMCHECK_PYTHON"] ?? TargetSpec.defaultSpec)
    }

    /// How a user gets the target: Debian's debug build, pymemcheck install, or pyenv.
    static func installHint(_ spec: String) -> String {
        if spec.hasSuffix("d") && spec.hasPrefix("3.11") { return "apt-get install python3.11-dbg" }
        if spec.hasSuffix("t") || spec.hasPrefix("3.14") || spec.hasPrefix("3.15") || spec.hasSuffix("-fuzz") {
            return "pymemcheck install \(spec)"
        }
        return "install it (pyenv install \(spec))"
    }
}

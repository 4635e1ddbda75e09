import AllocatorLayers
import CPythonABI
import Checks
import DebugHookChecks
import PyRuntime
import RuntimeChecks

/// A negative control: a violation of exactly one clause, planted in a running target before
/// the clause's check runs (in a forked child, so that nothing planted outlives it). Under it
/// the check must fail; without it, it passes. A check that cannot be made to fail this way
/// proves nothing when it passes.
public struct Control: Sendable {
    /// What is planted, in words (shown by `check --controls`).
    public let violation: String
    package let plant: @Sendable (inout CheckContext) -> Void
}

/// A clause's check and its negative control, registered together under the clause's id.
public struct Registration: Sendable {
    public let id: String
    public let check: Check
    public let control: Control

    init(_ id: String, check: @escaping Check, control: Control) {
        self.id = id
        self.check = check
        self.control = control
    }
}

/// Every clause of the catalogue with its check and its control, one list per section of the
/// documents (Clauses/, one file each, named after the catalogue file it registers). A test
/// checks that each list and its catalogue file name the same clauses.
public enum ClauseRegistry {
    /// The registrations of each catalogue file, by its file name.
    public static let sections: [String: [Registration]] = [
        "10-raw-memory-interface.yaml": rawMemoryInterface,
        "11-memory-interface.yaml": memoryInterface,
        "12-object-allocators.yaml": objectAllocators,
        "20-default-memory-allocators.yaml": defaultMemoryAllocators,
        "30-customize-memory-allocators.yaml": customizeMemoryAllocators,
        "40-debug-hooks.yaml": debugHooks,
        "41-debug-hooks-detection.yaml": debugHooksDetection,
        "50-pymalloc.yaml": pymalloc,
        "60-mimalloc.yaml": mimalloc,
        "70-tracemalloc-c-api.yaml": traceMallocCAPI,
    ]

    public static let registry: [String: Registration] = {
        var all: [String: Registration] = [:]
        for registration in sections.values.joined() {
            guard all.updateValue(registration, forKey: registration.id) == nil else {
                preconditionFailure("\(registration.id) is registered twice")
            }
        }
        return all
    }()

    public static func check(for id: String) -> Check? { registry[id]?.check }
    public static func control(for id: String) -> Control? { registry[id]?.control }
    /// Every registered clause id.
    public static var ids: Set<String> { Set(registry.keys) }
}

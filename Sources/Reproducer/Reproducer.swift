import Foundation
import OpLanguage
import PyRuntime
import Vocabulary

/// Turns an input into a standalone C program that starts the target the same way (allocator,
/// plugin, fault layer, debug hooks), runs the same ops under the same invariants, and prints
/// the same verdict — or, for a violation, aborts with the debug hooks' report. This is what a
/// user attaches to a CPython bug report.
public enum Reproducer {
    public struct Unsupported: Error, CustomStringConvertible {
        public var description: String
    }

    /// Which ops of an input a fuzz target runs: fuzz-sequences and fuzz-faults skip the
    /// violations; fuzz-violations runs the legal prefix and the first violation.
    public enum Selection: Sendable {
        case legalOps, legalPrefixAndFirstViolation

        func ops(of program: Program) -> [(index: Int, op: Op)] {
            let all = program.ops.enumerated().map { (index: $0.offset, op: $0.element) }
            switch self {
            case .legalOps: return all.filter { !$0.op.isViolation }
            case .legalPrefixAndFirstViolation:
                guard let first = all.firstIndex(where: { $0.op.isViolation }) else { return all }
                return Array(all[...first])
            }
        }
    }

    /// `hostile`: the input is fuzz-faults', whose hostile layer (reallocs moved, freed blocks
    /// poisoned and checked) the program leaves out, and says so in its first line. Ops keep
    /// their numbers in the input, so that "op N" means the same op as in pymemcheck's findings.
    public static func generate(
        _ program: Program, source: String, target: PythonTarget, mode: AllocatorMode,
        plugin: String?, selection: Selection, hostile: Bool = false
    ) throws -> String {
        if target.version.dropsAllocatorsSetBeforeInitialisation {
            throw Unsupported(
                description: "3.7 sets its allocators up again inside "
                    + "Py_InitializeEx, dropping the layers a reproducer installs; use 3.6 or 3.8+")
        }
        if case .notApplicable(let reason) = target.applicability(of: mode) {
            throw Unsupported(description: "\(target.id) cannot run mode \(mode.name): \(reason)")
        }
        if let plugin, plugin.hasPrefix("mutant:") {
            throw Unsupported(
                description: "mutants are built into pymemcheck; a reproducer needs a plugin shared library")
        }
        let hooks = mode.expectsDebugHooks(debugBuild: target.debugBuild)
        var lines = [
            header(source: source, target: target, mode: mode, plugin: plugin, hostile: hostile),
            ReproPrelude.source,
            "int main(void) {",
            "    debug_hooks = \(hooks ? 1 : 0);",
            "    clean_byte = 0x\(String(target.version.debugBytes.clean, radix: 16));",
        ]
        lines += startUp(target: target, mode: mode, plugin: plugin, hooks: hooks).map { "    " + $0 }
        for (index, op) in selection.ops(of: program) {
            lines.append("    op_index = \(index + 1); /* \(TextForm.line(for: op)) */")
            lines.append("    " + statement(op, selection: selection))
        }
        lines += ["    return finish();", "}", ""]
        return lines.joined(separator: "\n")
    }

    /// The compile command for `target`: its own headers, and its own library by path.
    public static func compileCommand(target: PythonTarget, output: String = "repro", source: String = "repro.c")
        -> String
    {
        let folder = (target.libraryPath as NSString).deletingLastPathComponent
        let includes = HeaderLocator.includeFlags(for: target).joined(separator: " ")
        return "cc -O1 -o \(output) \(source) \(includes) \(target.libraryPath) -Wl,-rpath,\(folder) -ldl -lpthread"
    }

    static func header(
        source: String, target: PythonTarget, mode: AllocatorMode, plugin: String?, hostile: Bool
    ) -> String {
        """
        /*
         * pymemcheck reproducer: \(source); \(layers(plugin: plugin, hostile: hostile))
         * target: CPython \(target.version) (\(target.debugBuild ? "debug" : "release") build) \(target.libraryPath)
         * mode: \(mode.name)\(plugin.map { "; plugin: \($0)" } ?? "")
         *
         * Build and run:
         *   \(compileCommand(target: target))
         *   ./repro
         * It prints each finding and "verdict: ...", exiting 1 on a finding; a violation under the
         * debug hooks ends in Py_FatalError with the hooks' report instead.
         */
        """
    }

    /// What the program installs of pymemcheck's layers, and what it leaves out and why: the
    /// first line of the file, so that a different verdict is never a surprise.
    static func layers(plugin: String?, hostile: Bool) -> String {
        let installed =
            plugin == nil
            ? "the fault layer over each domain's allocator"
            : "the plugin over certify's fault and guard-page layers, as certify and replay install it"
        guard hostile && plugin == nil else { return "it installs \(installed), and leaves nothing out" }
        return "it installs \(installed), and leaves out fuzz-faults' hostile layer (reallocs always "
            + "moved, freed blocks poisoned and checked), which lives in pymemcheck: a finding that needs it "
            + "shows under pymemcheck replay only"
    }

    /// The allocator the mode stands on, without the debug hooks (set up separately, over the
    /// fault layer, as PyMem_SetupDebugHooks does for PYTHONMALLOC=*debug).
    static func baseAllocator(_ mode: AllocatorMode, target: PythonTarget) -> (preconfig: String, name: String) {
        switch target.underlyingAllocator(in: mode) {
        case .pymalloc: return ("PYMEM_ALLOCATOR_PYMALLOC", "pymalloc")
        case .mimalloc: return ("PYMEM_ALLOCATOR_MIMALLOC", "mimalloc")
        default: return ("PYMEM_ALLOCATOR_MALLOC", "malloc")
        }
    }

    static func startUp(target: PythonTarget, mode: AllocatorMode, plugin: String?, hooks: Bool) -> [String] {
        let base = baseAllocator(mode, target: target)
        var lines: [String]
        if target.version >= PythonVersion(3, 8) {
            lines = [
                "PyPreConfig preconfig;", "PyPreConfig_InitPythonConfig(&preconfig);",
                "preconfig.allocator = \(base.preconfig);",
                "PyStatus status = Py_PreInitialize(&preconfig);",
                "if (PyStatus_Exception(status)) Py_ExitStatusException(status);",
            ]
        } else {
            lines = [
                "extern int _PyMem_SetupAllocators(const char *name);",
                "if (_PyMem_SetupAllocators(\"\(base.name)\") < 0) "
                    + "{ fprintf(stderr, \"unknown allocator\\n\"); return 2; }",
            ]
        }
        if let plugin { lines.append("install_plugin(\"\(plugin)\");") }
        lines.append("install_faults();")
        if hooks { lines.append("PyMem_SetupDebugHooks();") }
        lines.append("Py_InitializeEx(0);")
        // As certify arms its guard layer: once the runtime is up.
        if plugin != nil { lines.append("guard_armed = 1;") }
        if target.version < PythonVersion(3, 7) { lines.append("PyEval_InitThreads();") }
        return lines
    }

    static func statement(_ op: Op, selection: Selection) -> String {
        func size(_ size: Size) -> String { "(size_t)\(size.bytes)u" }
        switch op {
        case .malloc(let domain, let bytes, let slot):
            return "op_malloc(\(domain.rawValue), \(size(bytes)), \(slot.index));"
        case .calloc(let domain, let count, let bytes, let slot):
            return "op_calloc(\(domain.rawValue), \(size(count)), \(size(bytes)), \(slot.index));"
        case .realloc(let domain, let slot, let bytes):
            return "op_realloc(\(domain.rawValue), \(slot.index), \(size(bytes)));"
        case .free(let domain, let slot): return "op_free(\(domain.rawValue), \(slot.index));"
        case .write(let slot, let offset, let length, let seed):
            return "op_write(\(slot.index), \(offset), \(length), \(seed));"
        case .check(let slot): return "op_check(\(slot.index));"
        case .failNext(let domain, let function):
            return "pending_fault[\(domain.rawValue)] = \(function.rawValue + 1);"
        case .rawThread(let rounds): return "op_raw_thread(\(rounds));"
        case .crossFree(let slot, let domain): return "op_cross_free(\(slot.index), \(domain.rawValue));"
        case .padWrite(let slot, let offset): return "op_pad_write(\(slot.index), \(offset));"
        case .apiIDWrite(let slot): return "op_api_id(\(slot.index));"
        case .withoutGIL(let domain): return "op_without_gil(\(domain.rawValue));"
        case .on(let place):
            // As fuzz-violations runs them: its child is forked, without its parent's threads.
            return selection == .legalOps ? "op_on(\(place.rawValue));" : "/* a violation run stays on main */"
        }
    }
}

import AllocatorLayers
import Foundation
import Isolation
import PyRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// A runtime started afresh in a child process of pymemcheck (through the target's launcher),
/// for the clauses about start-up itself: which allocators Py_PreInitialize accepts, and what an
/// allocator installed before Py_InitializeEx does to the running interpreter. The worker's own
/// runtime is up already, and CPython starts once per process.
public enum FreshStart {
    public static let subcommand = "fresh-start"

    /// The OBJ allocator installed before Py_InitializeEx, as an embedder installs one.
    public enum ObjectAllocator: String, Sendable, Codable {
        /// A layer that forwards every call to the allocator it replaced.
        case wrapper
        /// A layer that forwards every call with 16 more bytes, a header of its own in front of
        /// the block it returns (as the debug hooks and many embedders' hooks do).
        case header
        /// A replacement that serves every call from the C library's malloc family.
        case cLibrary = "c-library"
    }

    public struct Request: Sendable, Codable, Equatable {
        public var library: String
        public var allocators: AllocatorRequest?
        public var objectAllocator: ObjectAllocator?
        /// Keeps a reference to the cycle it makes (a negative control's planted leak).
        public var keepCycle = false

        public init(library: String, allocators: AllocatorRequest? = nil, objectAllocator: ObjectAllocator? = nil) {
            self.library = library
            self.allocators = allocators
            self.objectAllocator = objectAllocator
        }
    }

    /// What the child said, a line each: "refused: MESSAGE", or "initialized NAME", then
    /// "cycle collected" or "cycle not collected", then "finished"; and how it ended.
    public struct Run: Sendable {
        public var outcome: ChildOutcome
        public var lines: [String]

        public var refusal: String? { value(after: "refused: ") }
        public var allocatorName: String? { value(after: "initialized ") }
        public var cycleCollected: Bool? {
            lines.contains("cycle collected") ? true : lines.contains("cycle not collected") ? false : nil
        }
        /// Whether the OBJ allocator installed before Py_InitializeEx was no longer the domain's
        /// after it (under the debug hooks, where a build puts them: inside them).
        public var allocatorReplaced: Bool { lines.contains("allocator replaced") }

        /// The run in a deviation's words: "refused", or "started (reports 'malloc'), a cycle
        /// is collected", or where it crashed ("Py_InitializeEx ended by signal 11").
        public var summary: String {
            if refusal != nil { return "refused" }
            var words = ""
            if let name = allocatorName {
                words =
                    name == FreshStart.noName ? "started (reports no allocator name)" : "started (reports '\(name)')"
            }
            if allocatorReplaced { words += ", the allocator installed before it replaced" }
            if let collected = cycleCollected {
                words += collected ? ", a cycle is collected" : ", a cycle is not collected"
            }
            if !lines.contains("finished") {
                let stage =
                    allocatorName == nil ? "Py_InitializeEx" : cycleCollected == nil ? "gc.collect()" : "the run"
                words +=
                    (words.isEmpty ? "" : ", ")
                    + "\(stage) \(outcome.signal.map { "ended by signal \($0)" } ?? outcome.summary)"
            }
            return words
        }

        private func value(after prefix: String) -> String? {
            lines.first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        }
    }

    /// Starts the child and reads what it said; a failure to start it is the verdict's error.
    package static func run(_ context: CheckContext, _ request: Request) -> Result<Run, VerdictError> {
        var request = request
        context.seams.freshStart?(&request)
        guard let executable = try? SelfExecutable.path(),
            let json = try? String(decoding: JSONEncoder().encode(request), as: UTF8.self)
        else { return .failure(VerdictError(.fail("pymemcheck could not start itself for a fresh runtime"))) }
        let command = context.target.launcher.command(executable, [subcommand, json])
        guard
            let outcome = try? ChildProcess.run(
                executable: command.executable, arguments: command.arguments,
                environment: ChildProcess.cleanEnvironment(), timeout: 60)
        else { return .failure(VerdictError(.fail("could not run \(executable) \(subcommand)"))) }
        if outcome.timedOut { return .failure(VerdictError(.fail("the fresh runtime hung (killed after 60 s)"))) }
        return .success(Run(outcome: outcome, lines: outcome.stdout.split(separator: "\n").map(String.init)))
    }

    /// The child's side: starts the library as asked, makes a reference cycle, collects.
    public static func serve(_ request: Request) throws {
        let target = try TargetSpec.resolve(request.library)
        let runtime: PythonRuntime
        do {
            runtime = try PythonRuntime.start(
                target: target, mode: .default, verifyMode: false, request: request.allocators
            ) { library in
                install(request.objectAllocator, in: library)
            }
        } catch let refusal as PreInitializeRefusal {
            return ThreadedChild.say("refused: \(refusal.message)")
        }
        ThreadedChild.say("initialized \(runtime.reportedAllocatorName ?? noName)")
        if let layer = installed.last, !inPlace(layer, runtime.library) { ThreadedChild.say("allocator replaced") }
        let keep = request.keepCycle ? "kept = a\n" : ""
        let collected = runtime.run(
            "import gc, weakref\nclass A: pass\na = A()\na.me = a\nr = weakref.ref(a)\n\(keep)del a\ngc.collect()\n"
                + "assert r() is None, 'the cycle survived gc.collect()'\n")
        ThreadedChild.say(collected ? "cycle collected" : "cycle not collected")
        ThreadedChild.say("finished")
    }

    /// Whether `layer` is still the OBJ domain's allocator: on top, or right inside the debug
    /// hook a build puts on top at initialisation.
    static func inPlace(_ layer: AllocatorLayer, _ library: PythonLibrary) -> Bool {
        let top = library.allocator(.obj)
        return top.ctx == layer.ctx || PythonLibrary.slotInside(debugHook: top, for: .obj)?.pointee.ctx == layer.ctx
    }

    /// What the child says when CPython names no allocator (allocators it does not know).
    static let noName = "(none)"

    /// Layers live as long as the process: CPython calls them until it exits.
    nonisolated(unsafe) private static var installed: [AllocatorLayer] = []

    private static func install(_ allocator: ObjectAllocator?, in library: PythonLibrary) {
        switch allocator {
        case .wrapper: installed.append(AllocatorLayer().install(onTopOf: .obj, in: library))
        case .header: installed.append(HeaderLayer().install(onTopOf: .obj, in: library))
        case .cLibrary: installed.append(CLibraryAllocator().install(replacing: .obj, in: library))
        case nil: break
        }
    }
}

/// Serves every call from the C library's malloc family, ignoring the allocator it replaced.
final class CLibraryAllocator: AllocatorLayer, @unchecked Sendable {
    override func malloc(_ size: Int) -> UnsafeMutableRawPointer? { Glibc.malloc(max(size, 1)) }
    override func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
        Glibc.calloc(max(count, 1), max(size, 1))
    }
    override func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        Glibc.realloc(pointer, max(size, 1))
    }
    override func free(_ pointer: UnsafeMutableRawPointer?) { Glibc.free(pointer) }
}

/// Forwards every call, with a 16-byte header of its own in front of each block (the size
/// asked for, then a zero word: the same bytes every run): the blocks it returns start 16 bytes
/// into those of the allocator below.
final class HeaderLayer: AllocatorLayer, @unchecked Sendable {
    static let header = 16

    override func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        headed(below.malloc(max(size, 1) + Self.header), size)
    }
    override func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
        let (total, overflow) = max(count, 1).multipliedReportingOverflow(by: max(size, 1))
        guard !overflow, total <= Int.max - Self.header else { return nil }
        return headed(below.calloc(1, total + Self.header), total)
    }
    override func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        headed(below.realloc(pointer.map { $0 - Self.header }, max(size, 1) + Self.header), size)
    }
    override func free(_ pointer: UnsafeMutableRawPointer?) { below.free(pointer.map { $0 - Self.header }) }

    private func headed(_ block: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        guard let block else { return nil }
        block.storeBytes(of: size, as: Int.self)
        block.storeBytes(of: 0, toByteOffset: 8, as: Int.self)
        return block + Self.header
    }
}

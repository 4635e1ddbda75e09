import AllocatorLayers
import ClauseCatalogue
import ClauseRunner
import Foundation
import FuzzHarness
import Isolation
import OpLanguage
import PyRuntime
import Results
import Vocabulary

/// The parent side of certify: the allocator-contract clauses of the catalogue run by warm
/// workers with the plugin installed, and a certify worker per target and mode for the parts
/// that are not clauses.
public struct Certifier: Sendable {
    public var pluginPath: String
    public var catalogue: Catalogue
    public var catalogueFolder: String?
    public var fuzzSeconds: Double
    public var executable: String
    /// Called as each (target, mode) finishes, with how many are done of how many.
    public var progress: (@Sendable (Int, Int, String) -> Void)?
    /// Only the contract clauses and parts these globs name (`--only`); empty: all of them.
    public var only: [String] = []
    /// Where the inputs of fuzz findings are saved, for the commands that replay them.
    public var findingsFolder = "pymemcheck-findings"
    /// How long a worker may say nothing (installing the plugin, starting CPython with it, one
    /// check) before it counts as hung.
    public var hangLimit = ConformanceRunner.defaultSilenceLimit

    public init(
        pluginPath: String, catalogue: Catalogue, catalogueFolder: String?, fuzzSeconds: Double,
        executable: String
    ) {
        self.pluginPath = pluginPath
        self.catalogue = catalogue
        self.catalogueFolder = catalogueFolder
        self.fuzzSeconds = fuzzSeconds
        self.executable = executable
    }

    /// The clauses about what an allocator must do: the catalogue's `subject: contract` (not
    /// CPython's own set-up: which allocator a mode names, pymalloc's arenas, tracemalloc).
    /// Three kinds of allocator clause are not marked so, because certify cannot ask them of a
    /// plugin: the double free (certify's guard layer under the plugin protects a freed block's
    /// pages, so a second free faults there before the hooks can report); the GIL check after a
    /// subinterpreter (every target has stopped checking by then, a recorded deviation of
    /// CPython's, and what the unchecked call does next is the allocator's below the hooks); and
    /// `free.releases` (the process's memory is measured, and the guard layer keeps freed blocks
    /// out of use by design: the measure would be certify's, not the plugin's).
    public static func isContractClause(_ clause: Clause) -> Bool { clause.subject == .contract }

    /// Why a target cannot take a plugin, if it cannot.
    public static func pluginSupport(_ target: PythonTarget) -> String? {
        target.version.dropsAllocatorsSetBeforeInitialisation
            ? "3.7 sets its allocators up again inside Py_InitializeEx, dropping any installed "
                + "before it; certify needs 3.6 or 3.8+"
            : nil
    }

    public func run(targets: [PythonTarget], modes: [AllocatorMode]) -> Certificate {
        var notApplicable: [String] = []
        var pairs: [(PythonTarget, AllocatorMode)] = []
        var objectLeftOut: Set<String> = []
        for target in targets {
            if let reason = Self.pluginSupport(target) {
                notApplicable.append("\(target.id): \(reason)")
                continue
            }
            if let refusal = objectRefusal(target) {
                notApplicable.append("\(target.id): \(ObjectBlockHosting.consequence(refusal))")
                objectLeftOut.insert(target.id)
            }
            for mode in modes {
                if case .notApplicable(let reason) = target.applicability(of: mode) {
                    notApplicable.append("\(target.id) \(mode.name): \(reason)")
                } else {
                    pairs.append((target, mode))
                }
            }
        }
        var conformance = ConformanceRunner(catalogue: catalogue, catalogueFolder: catalogueFolder, width: 2)
        conformance.plugin = pluginPath
        conformance.silenceLimit = hangLimit
        let runner = conformance
        let baseline = ConformanceRunner(catalogue: catalogue, catalogueFolder: catalogueFolder, width: 2)
        let clauses = selectedClauses
        let parts = selectedParts
        let withoutObject = objectLeftOut
        // A built-in mutant lives in pymemcheck, not in a library the C driver could load.
        let watch = pluginPath.hasPrefix("mutant:") ? nil : ThreadWatch(pluginPath: pluginPath, executable: executable)
        let done = Locked(0)
        let total = pairs.count
        let results = ParallelMap.run(pairs, width: 2) { target, mode -> ([ClauseResult], [CertifyItem]) in
            defer {
                progress?(
                    done.withLock {
                        $0 += 1
                        return $0
                    }, total, "\(target.id) \(mode.name)")
            }
            // Without the plugin's OBJ allocator, an OBJ clause would judge CPython's own.
            let clauses = withoutObject.contains(target.id) ? clauses.filter { $0.domains != ["obj"] } : clauses
            let column = runner.runColumn(target: target, mode: mode, clauses: clauses)
            if let failure = column.failure, let item = Self.setupFailure(failure) {
                // When CPython could not start over the installed plugin, the parts that need no
                // running CPython still show what the plugin does: its RAW functions before
                // start-up, and the watched threads (a process of their own, without CPython).
                // Not when the plugin could not even be installed: that is the one failure.
                let independent =
                    item.part == Self.startUp ? parts.filter { $0 == .threadsWatched || $0 == .rawBeforeStartUp } : []
                let found = items(target: target, mode: mode, parts: independent, watch: watch).map {
                    reproducible($0, target: target)
                }
                return ([], [reproducible(Self.placed(item, target: target, mode: mode), target: target)] + found)
            }
            let withPlugin = column.results
            let without = clauses.isEmpty ? [] : baseline.run(target: target, mode: mode, clauses: clauses).results
            let judged = Self.judge(withPlugin, against: without).map { reproducible($0, target: target) }
            let found = items(target: target, mode: mode, parts: parts, watch: watch).map {
                reproducible($0, target: target)
            }
            return (judged, found)
        }
        return Certificate(
            plugin: pluginPath, clauses: results.flatMap(\.0), items: results.flatMap(\.1),
            notApplicable: notApplicable)
    }

    /// Why the target cannot take the plugin's OBJ allocator (a free-threaded build's rule), if
    /// it cannot. When the question cannot be asked, the workers, which ask it too, say why.
    func objectRefusal(_ target: PythonTarget) -> String? {
        guard target.freeThreaded, !pluginPath.hasPrefix("mutant:") else { return nil }
        return (try? ObjectBlockHosting.refusal(pluginPath: pluginPath)) ?? nil
    }

    /// The contract clauses `only` selects.
    public var selectedClauses: [Clause] {
        catalogue.clauses.filter { Self.isContractClause($0) && selects($0.id) }
    }

    /// The parts `only` selects.
    public var selectedParts: [CertifyProbe.Part] { CertifyProbe.Part.all.filter { selects($0.id) } }

    private func selects(_ id: String) -> Bool { only.isEmpty || only.contains { fnmatch($0, id, 0) == 0 } }

    // MARK: the commands that reproduce a failure

    /// A failed clause with the certify command that runs it alone again.
    func reproducible(_ result: ClauseResult, target: PythonTarget) -> ClauseResult {
        var result = result
        // The plugin's own command, or none where the plugin is not to blame.
        result.reproduce = nil
        guard result.status.isUnexpected else { return result }
        result.reproduce = certifyCommand(target: target, mode: result.mode, only: result.clause)
        return result
    }

    /// A failed part with its command: replay of the saved input for a fuzz finding, else the
    /// certify command that runs the part alone.
    func reproducible(_ item: CertifyItem, target: PythonTarget) -> CertifyItem {
        guard item.failed else { return item }
        var item = item
        let part = CertifyProbe.Part.all.first { $0.name == item.part }
        if case .fuzz(let fuzzTarget)? = part, let input = item.input, let file = save(input, of: item) {
            item.reproduce = ReproduceCommand.line([
                "replay", file, "--python", ReproduceCommand.python(target), "--mode", item.mode,
                "--plugin", pluginPath, "--fuzz-target", fuzzTarget.rawValue,
            ])
        } else if let part {
            item.reproduce = certifyCommand(target: target, mode: item.mode, only: part.id)
        } else {
            item.reproduce = certifyCommand(target: target, mode: item.mode, only: nil)
        }
        return item
    }

    func certifyCommand(target: PythonTarget, mode: String, only: String?) -> String {
        ReproduceCommand.line(
            ["certify", "--plugin", pluginPath, "--python", ReproduceCommand.python(target), "--mode", mode]
                + (only.map { ["--only", $0] } ?? []))
    }

    /// Saves a finding's input in the text form (named by the part, target, mode and its
    /// contents) and returns its path, or nil when it cannot be saved.
    func save(_ input: String, of item: CertifyItem) -> String? {
        guard let program = try? ByteForm.decode(Hex.bytes(input)) else { return nil }
        let name = "\(item.part)-\(item.target)-\(item.mode)-\(Self.digest(input)).ops"
        let file = URL(fileURLWithPath: findingsFolder).standardizedFileURL.appendingPathComponent(name).path
        let text = "# a finding of pymemcheck certify for \(pluginPath)\n" + TextForm.render(program)
        do {
            try FileManager.default.createDirectory(atPath: findingsFolder, withIntermediateDirectories: true)
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            return file
        } catch {
            return nil
        }
    }

    /// FNV-1a of the input, 8 hex digits: the same input gets the same file.
    static func digest(_ text: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return String(format: "%08x", hash)
    }

    /// Judges the plugin, not the target: a clause counts against the plugin only where its
    /// result with the plugin differs from its result on the same target and mode without it.
    /// A target's recorded deviation is inherited only where the plugin run observed exactly
    /// the recorded observation (the runner's expected-deviation); a clause the target fails by
    /// itself, unrecorded, is reported as the target's, not the plugin's.
    static func judge(_ withPlugin: [ClauseResult], against without: [ClauseResult]) -> [ClauseResult] {
        let baseline = Dictionary(without.map { ($0.clause, $0) }) { first, _ in first }
        return withPlugin.map { result in
            guard let alone = baseline[result.clause] else { return result }
            var judged = result
            switch (result.status, alone.status) {
            case (.fail, .fail):
                judged.status = .expectedDeviation
                judged.evidence.insert(
                    "the target fails this clause without the plugin too: the target's own failure, not the plugin's",
                    at: 0)
            case (.unexpectedPass, .expectedDeviation):
                judged.status = .pass
                judged.evidence = ["the plugin holds the clause where the target alone shows its recorded deviation"]
            default:
                break
            }
            return judged
        }
    }

    /// One line for a target and mode where no worker could start with the plugin (it crashed,
    /// hung or failed while being installed, or CPython with it): every clause and part would
    /// only say the same again.
    static func setupFailure(_ failure: WorkerFailure) -> CertifyItem? {
        switch failure {
        case .died(let child, let step?):
            let crash = child.signal.map { ["crash \(ChildOutcome.signalName($0))"] } ?? []
            let evidence = "the worker \(child.summary) while \(step)" + WorkerFailure.colonTail(child, lines: 2)
            let part = step == Worker.startingOverAllocators ? startUp : "installing the plugin"
            return CertifyItem(part: part, status: .fail, evidence: [evidence], detectedBy: crash)
        case .refused(let error):
            return CertifyItem(part: startUp, status: .fail, evidence: [error])
        case .died, .cannotStart:
            return nil
        }
    }

    static func placed(_ item: CertifyItem, target: PythonTarget, mode: AllocatorMode) -> CertifyItem {
        var item = item
        item.target = target.id
        item.mode = mode.name
        return item
    }

    static let startUp = "start-up with the plugin"

    /// The parts that are not clauses, through certify workers.
    func items(
        target: PythonTarget, mode: AllocatorMode,
        parts: [CertifyProbe.Part] = CertifyProbe.Part.all, watch: ThreadWatch? = nil
    ) -> [CertifyItem] {
        // The watched threads need no target: certify runs them, once per GIL rule.
        let watched = parts.contains(.threadsWatched) ? watch.map { [$0.item(for: target.version)] } ?? [] : []
        let parts = parts.filter { $0 != .threadsWatched }
        return workerItems(target: target, mode: mode, parts: parts)
            + watched.map {
                Self.placed($0, target: target, mode: mode)
            }
    }

    func workerItems(target: PythonTarget, mode: AllocatorMode, parts: [CertifyProbe.Part]) -> [CertifyItem] {
        guard !parts.isEmpty else { return [] }
        let setup = CertifyProbe.Setup(
            target: target.libraryPath, mode: mode, plugin: pluginPath,
            fuzzSeconds: fuzzSeconds)
        let fuzzSeconds = fuzzSeconds
        let pool = WorkerPool<CertifyProbe.Setup, CertifyProbe.Part, CertifyItem>(
            subcommand: CertifyProbe.subcommand, setup: setup, executable: executable, launcher: target.launcher,
            timeout: { _ in 300 + 4 * fuzzSeconds }, silenceLimit: hangLimit + 60 + fuzzSeconds)
        var items: [CertifyItem] = []
        for (part, outcome) in zip(parts, pool.run(parts)) {
            switch outcome {
            case .answered(let item):
                items.append(item)
            case .charged(let child):
                let evidence =
                    "the worker \(child.summary) during this part" + WorkerFailure.colonTail(child, lines: 2)
                items.append(CertifyItem(part: part.name, status: .fail, evidence: [evidence]))
            case .notRun(let failure):
                // Said once, for every part left: a worker that cannot start loses them all.
                items.append(Self.lost(failure, after: items.count))
                return items.map { Self.placed($0, target: target, mode: mode) }
            }
        }
        return items.map { Self.placed($0, target: target, mode: mode) }
    }

    /// The item that says the parts left were lost, and why.
    static func lost(_ failure: WorkerFailure, after parts: Int) -> CertifyItem {
        switch failure {
        case .cannotStart(let error):
            return CertifyItem(part: "certify worker", status: .fail, evidence: ["could not start: \(error)"])
        case .refused(let error):
            return CertifyItem(part: startUp, status: .fail, evidence: [error])
        case .died(let child, _):
            let after = parts == 0 ? "" : " after \(parts) part(s)"
            let evidence = "the worker \(child.summary)\(after)" + WorkerFailure.colonTail(child, lines: 2)
            return CertifyItem(part: "certify worker", status: .fail, evidence: [evidence])
        }
    }
}

import FuzzHarness
import Oracle
import PyRuntime
import Reports

// The producers' results as the Reports documents that render them (Reports depends on none of
// these modules: the mapping lives here, where both are known).

extension TargetEntry {
    init(_ target: PythonTarget) {
        let version = Version(major: target.version.major, minor: target.version.minor, micro: target.version.micro)
        let modes = target.modes.map {
            Mode(mode: $0.mode.name, applicable: $0.applicability.isApplicable, reason: $0.applicability.reason)
        }
        self.init(id: target.id, version: version, versionString: target.versionString, libraryPath: target.libraryPath,
                  prefix: target.prefix, origin: Origin(target.origin), debugBuild: target.debugBuild,
                  pymalloc: target.pymalloc, mimalloc: target.mimalloc, modes: modes)
    }
}

extension TargetEntry.Origin {
    init(_ origin: PythonTarget.Origin) {
        switch origin {
        case .pyenv: self = .pyenv
        case .system: self = .system
        case .path: self = .path
        case .source: self = .source
        }
    }
}

extension TargetsDocument {
    init(_ found: TargetDiscovery.Result) {
        self.init(targets: found.targets.map(TargetEntry.init),
                  rejected: found.rejected.map { Rejected(path: $0.path, reason: $0.reason) })
    }
}

extension ProbeDocument {
    init(_ report: ProbeReport) {
        let blocks = report.blocks.map { block in
            Block(domain: block.domain, requested: block.requested, address: block.address,
                  debugLayout: block.debugLayout.map(DebugLayout.init))
        }
        self.init(target: TargetEntry(report.target), mode: report.mode, modeInEffect: report.modeInEffect,
                  allocatorName: report.allocatorName, debugHooks: report.debugHooks, debugHooksOn: report.debugHooksOn,
                  arenaSize: report.arenaSize, blocks: blocks)
    }
}

extension ProbeDocument.DebugLayout {
    init(_ layout: BlockLayout) {
        self.init(domain: layout.domain, requested: layout.requested, address: layout.address,
                  headerSize: layout.headerSize, apiID: layout.apiID, leadingPad: layout.leadingPad,
                  trailingPad: layout.trailingPad, firstBytes: layout.firstBytes)
    }
}

extension FindingEntry {
    init(_ finding: Finding) {
        self.init(opIndex: finding.opIndex, op: finding.op, invariant: finding.invariant.rawValue,
                  evidence: finding.evidence, signal: finding.signal)
    }
}

extension ReplayDocument.Entry {
    init(_ result: Replay.Result) {
        let verdict = result.verdict.map {
            FindingsDocument(findings: $0.findings.map(FindingEntry.init), note: $0.note)
        }
        self.init(file: result.file, fuzzTarget: result.fuzzTarget, target: result.target, mode: result.mode,
                  outcome: result.outcome, verdict: verdict, detail: result.detail, signal: result.signal,
                  detectedBy: result.detectedBy)
    }
}

extension BenchDocument {
    init(target: PythonTarget, mode: AllocatorMode, maxOps: Int, figures: Bench.Figures) {
        self.init(target: target.id, mode: mode.name, programs: figures.programs, ops: figures.ops, maxOps: maxOps,
                  secondsWithOracle: figures.secondsWithOracle, secondsBare: figures.secondsBare)
    }
}

/// A document in the format asked for: its text, or its JSON.
func printDocument(_ document: some ReadableDocument, as format: OutputFormat) throws {
    print(try document.rendered(asJSON: format == .json), terminator: "")
}

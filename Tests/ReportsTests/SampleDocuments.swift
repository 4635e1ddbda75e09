import Vocabulary

@testable import Oracle
@testable import PyRuntime
@testable import Reports
@testable import Results

/// Documents with every status and shape each renderer handles, fixed so their renderings can
/// be compared with the golden files.
enum SampleDocuments {
    static let columns = [
        MatrixColumn(target: "3.13.0", mode: "default"),
        MatrixColumn(target: "3.13.0", mode: "debug"),
        MatrixColumn(target: "3.13.0", mode: "hooks"),
        MatrixColumn(target: "3.6.15", mode: "malloc"),
        MatrixColumn(target: "3.6.15", mode: "debug"),
    ]

    static let rows = [
        MatrixRow(
            clause: "raw.malloc.zero-size-distinct", section: "Raw memory interface",
            statement: "PyMem_RawMalloc(0) returns a unique non-NULL pointer."),
        MatrixRow(
            clause: "debug.realloc.shrink-erases", section: "Debug hooks",
            statement: "Freed bytes are filled with DEADBYTE (0xDD)."),
        MatrixRow(
            clause: "mimalloc.in-use", section: "mimalloc", statement: "PYTHONMALLOC=mimalloc selects mimalloc."),
    ]

    static var matrix: Matrix {
        Matrix(rows: rows, columns: columns, results: results, controls: controls, seconds: 1.25)
    }

    static let results: [ClauseResult] = [
        ClauseResult(
            clause: "raw.malloc.zero-size-distinct", target: "3.13.0", mode: "default", status: .pass,
            evidence: [], seconds: 0.00003, exercised: 4),
        ClauseResult(
            clause: "raw.malloc.zero-size-distinct", target: "3.13.0", mode: "debug", status: .fail,
            evidence: ["malloc(0) returned NULL", "second line of evidence"], seconds: 0.5, exercised: 2,
            reproduce: "pymemcheck check --python 3.13.0 --mode debug --clause raw.malloc.zero-size-distinct"),
        ClauseResult(
            clause: "raw.malloc.zero-size-distinct", target: "3.6.15", mode: "malloc", status: .pass,
            evidence: [], seconds: 0.001, exercised: 4),
        ClauseResult(
            clause: "debug.realloc.shrink-erases", target: "3.13.0", mode: "default", status: .notApplicable,
            evidence: ["the debug hooks are off in this mode"]),
        ClauseResult(
            clause: "debug.realloc.shrink-erases", target: "3.13.0", mode: "debug", status: .expectedDeviation,
            evidence: ["recorded deviation: dead 14, kept 72, dead 64"], seconds: 0.02, exercised: 1),
        ClauseResult(
            clause: "debug.realloc.shrink-erases", target: "3.6.15", mode: "malloc", status: .notApplicable,
            evidence: ["the debug hooks are off in this mode"]),
        ClauseResult(
            clause: "mimalloc.in-use", target: "3.13.0", mode: "default", status: .unexpectedPass,
            evidence: ["the recorded deviation did not happen"], seconds: 0.1, exercised: 1),
        ClauseResult(
            clause: "mimalloc.in-use", target: "3.13.0", mode: "debug", status: .pass, evidence: [],
            exercised: 1),
        ClauseResult(
            clause: "mimalloc.in-use", target: "3.6.15", mode: "malloc", status: .notApplicable,
            evidence: ["mimalloc arrived in CPython 3.13; 3.6.15 predates it"]),
        // The hooks and 3.6.15's debug mode: the same failure and deviation in more than one
        // mode and target (one entry each in the text), a failure of the same clause with other
        // evidence (an entry of its own, longer than the text shows), reasons that repeat.
        ClauseResult(
            clause: "raw.malloc.zero-size-distinct", target: "3.13.0", mode: "hooks", status: .fail,
            evidence: ["malloc(0) returned NULL", "second line of evidence"], seconds: 0.5, exercised: 2),
        ClauseResult(
            clause: "raw.malloc.zero-size-distinct", target: "3.6.15", mode: "debug", status: .fail,
            evidence: ["malloc(0) returned 0x10 twice", "the worker's stderr:\nline 1\n\nline 3"]
                + (4...11).map { "line \($0)" }, seconds: 0.5, exercised: 2),
        ClauseResult(
            clause: "debug.realloc.shrink-erases", target: "3.13.0", mode: "hooks", status: .expectedDeviation,
            evidence: ["recorded deviation: dead 14, kept 72, dead 64"], seconds: 0.02, exercised: 1),
        ClauseResult(
            clause: "debug.realloc.shrink-erases", target: "3.6.15", mode: "debug", status: .expectedDeviation,
            evidence: ["recorded deviation: dead 14, kept 72, dead 64"], seconds: 0.02, exercised: 1),
        ClauseResult(
            clause: "mimalloc.in-use", target: "3.13.0", mode: "hooks", status: .notApplicable,
            evidence: ["applies to other modes than hooks"]),
        ClauseResult(
            clause: "mimalloc.in-use", target: "3.6.15", mode: "debug", status: .notApplicable,
            evidence: ["mimalloc arrived in CPython 3.13; 3.6.15 predates it"]),
    ]

    static let controls = [
        ControlResult(
            planted: ClauseResult(
                clause: "raw.malloc.zero-size-distinct", target: "3.13.0", mode: "default",
                status: .fail, evidence: ["two blocks at 0x10"]),
            violation: "zero-size requests share a block"),
        ControlResult(
            planted: ClauseResult(
                clause: "raw.malloc.zero-size-distinct", target: "3.6.15", mode: "malloc",
                status: .pass, evidence: ["the control did not fire"]),
            violation: "zero-size requests share a block"),
    ]

    static var certificate: Certificate {
        Certificate(
            plugin: "libexample.so", clauses: Array(results.prefix(5)),
            items: [
                CertifyItem(
                    target: "3.13.0", mode: "default", part: "plugin functions called directly", status: .pass,
                    evidence: ["every documented edge"], detectedBy: []),
                CertifyItem(
                    target: "3.13.0", mode: "debug", part: "fuzz-sequences", status: .fail,
                    evidence: ["op 2 `calloc raw 4 8 -> s1`: calloc-zeroed: byte 3 is 0xab", "input:"]
                        + (1...10).map { "  malloc raw \($0 * 8) -> s\($0)" },
                    detectedBy: ["calloc-zeroed"], input: "0100", reproduce: "pymemcheck replay finding.ops"),
                CertifyItem(
                    target: "3.13.0", mode: "debug", part: "threads", status: .note,
                    evidence: ["recorded, not judged"], detectedBy: []),
            ],
            notApplicable: ["3.6.15 mimalloc: mimalloc arrived in CPython 3.13; 3.6.15 predates it"])
    }

    static func target(_ id: String, debug: Bool = false, origin: TargetEntry.Origin = .pyenv) -> TargetEntry {
        let modes = [
            "default", "malloc", "pymalloc", "debug", "malloc_debug", "pymalloc_debug", "mimalloc",
            "mimalloc_debug", "hooks",
        ].map { mode in
            mode.hasPrefix("mimalloc")
                ? TargetEntry.Mode(mode: mode, applicable: false, reason: "\(id) predates mimalloc")
                : TargetEntry.Mode(mode: mode, applicable: true, reason: nil)
        }
        return TargetEntry(
            id: id, version: .init(major: 3, minor: 12, micro: 1),
            versionString: "3.12.1 (main, Jan  1 2026, 00:00:00)\n[GCC 12.2.0]",
            libraryPath: "~/.pyenv/versions/\(id)/lib/libpython3.12.so.1.0", prefix: nil, origin: origin,
            debugBuild: debug, pymalloc: true, mimalloc: false, freeThreaded: false,
            supportedModes: modes.filter(\.applicable).map(\.mode), modes: modes)
    }

    static var targets: TargetsDocument {
        TargetsDocument(
            targets: [target("3.12.1"), target("3.12.1d", debug: true, origin: .system)],
            rejected: [
                .init(
                    path: "~/.pyenv/versions/2.7.18/lib/libpython2.7.so",
                    reason: "Python 2 has no PEP 445 API")
            ])
    }

    static var probe: ProbeDocument {
        let layout = BlockLayout(
            domain: "raw", requested: 8, address: "0x1000", headerSize: 8,
            apiID: "r", leadingPad: [0xfd, 0xfd, 0xfd], trailingPad: [0xfd, 0xfd],
            firstBytes: [0xcd, 0xcd])
        return ProbeDocument(
            target: target("3.12.1"), mode: "debug", modeInEffect: "pymalloc_debug",
            allocatorName: nil,
            debugHooks: ["raw": true, "mem": true, "obj": false], debugHooksOn: true,
            arenaSize: 1 << 18,
            blocks: [
                .init(domain: "raw", requested: 8, address: "0x1000", debugLayout: layout),
                .init(domain: "obj", requested: 600, address: "NULL", debugLayout: nil),
            ])
    }

    static let findings = Verdict(
        findings: [
            Finding(
                opIndex: 2, op: "realloc mem s1 50", invariant: .contentsKept,
                evidence: "byte 7 was 0x00, expected 0x41"),
            Finding(opIndex: -1, op: "", invariant: .noLeak, evidence: "2 blocks left in OBJ"),
            Finding(opIndex: 0, op: "malloc raw 8 -> s1", invariant: .noCrash, evidence: "SIGSEGV", signal: 11),
        ], note: "a note")

    static var replay: ReplayDocument {
        ReplayDocument(results: [
            .init(
                file: "", fuzzTarget: "", target: "3.6.15", mode: "mimalloc", outcome: .notApplicable, verdict: nil,
                detail: "mimalloc arrived in CPython 3.13", signal: nil, detectedBy: nil),
            .init(
                file: "Corpus/fuzz-sequences/a.bin", fuzzTarget: "fuzz-sequences", target: "3.13.0", mode: "default",
                outcome: .conforms, verdict: Verdict(findings: []), detail: nil, signal: nil,
                detectedBy: nil),
            .init(
                file: "Corpus/fuzz-sequences/b.bin", fuzzTarget: "fuzz-sequences", target: "3.13.0", mode: "default",
                outcome: .finding, verdict: findings, detail: nil, signal: nil,
                detectedBy: "invariant contents-kept"),
            .init(
                file: "crash-1", fuzzTarget: "", target: "3.13.0", mode: "default", outcome: .crashed, verdict: nil,
                detail: "the target was killed by SIGSEGV on this input", signal: 11, detectedBy: nil),
        ])
    }

    static let bench = BenchDocument(
        target: "3.13.0", mode: "pymalloc", programs: 200, ops: 6400, maxOps: 64,
        secondsWithOracle: 0.5, secondsBare: 0.125)
    static let idleBench = BenchDocument(
        target: "3.13.0", mode: "pymalloc", programs: 0, ops: 0, maxOps: 64,
        secondsWithOracle: 0, secondsBare: 0)
}

/// A matrix the size of `check --all` here: nine targets × nine modes × 95 clauses, with a
/// deviation recorded in every debug mode of every target (the same 500 characters each time),
/// a failure per target, and the reasons a clause does not run. Built, not pinned: the tests
/// that read it assert what the page and the text must hold, whatever its size.
enum WideMatrix {
    static let targets = ["3.6.15", "3.7.16", "3.8.18", "3.9.18", "3.10.13", "3.11.2", "3.11.7", "3.12.1", "3.13.0"]
    static let modes = [
        "default", "malloc", "pymalloc", "debug", "malloc_debug", "pymalloc_debug", "mimalloc", "mimalloc_debug",
        "hooks",
    ]
    static let deviationText =
        "recorded deviation: only the first and the last 64 bytes of the old data are DEADBYTE "
        + String(repeating: "when the block reaches realloc; the bytes between keep their contents. ", count: 6)

    static func clause(_ index: Int) -> String { "section\(index / 10).clause-with-a-long-name-\(index)" }

    static var matrix: Matrix {
        let rows = (0..<95).map {
            MatrixRow(clause: clause($0), section: "Section \($0 / 10)", statement: "Statement \($0).")
        }
        let columns = targets.flatMap { target in modes.map { MatrixColumn(target: target, mode: $0) } }
        let results = columns.flatMap { column in rows.indices.map { result(clause: $0, column) } }
        return Matrix(rows: rows, columns: columns, results: results, seconds: 127.6)
    }

    static func result(clause index: Int, _ column: MatrixColumn) -> ClauseResult {
        let (status, evidence): (ResultStatus, [String]) =
            switch index {
            case 0 where column.mode.hasSuffix("debug") || column.mode == "hooks":
                (.expectedDeviation, [deviationText, "PyMem_Raw*: dead 14, kept 72, dead 64"])
            case 1 where column.mode == "default":
                // One line with no space to break it at: the page must wrap it, not widen.
                (.fail, ["\(column.target): " + String(repeating: "cdcdcdcd", count: 400)])
            case 2..<40 where column.mode.hasPrefix("mimalloc"):
                (.notApplicable, ["mimalloc arrived in CPython 3.13; \(column.target) predates it"])
            case 40..<70 where !column.mode.contains("debug") && column.mode != "hooks":
                (.notApplicable, ["needs the debug hooks; mode \(column.mode) on \(column.target) has none"])
            default: (.pass, [])
            }
        return ClauseResult(
            clause: clause(index), target: column.target, mode: column.mode, status: status, evidence: evidence)
    }
}

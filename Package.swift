// swift-tools-version:6.0
import PackageDescription

// One module per concept, the shared words at the bottom:
//   Vocabulary     – domains, modes, versions, fill bytes, block layout, errors, a lock: no code of loading
//   Results        – what the engines find: findings, verdicts, matrix results, certificates, replay entries
//   CPythonABI     – the C declarations of CPython's allocator ABI (no Python.h at build time)
//   SanitizerCoverage – hands a fuzz binary's libFuzzer callbacks to an instrumented libpython
//   PyRuntime      – finding, loading and starting a CPython runtime in an allocator mode
//   Isolation      – running a scenario in a fresh child process (for runs that must abort)
//   CrashReport    – the allocator call each thread is in, said by a crashing process itself
//   DebugReport    – parsing the debug hooks' fatal-error report
//   ClauseCatalogue – the clause catalogue (Conformance/*.yaml): what the documents promise
//   AllocatorLayers – pymemcheck's allocator layers (recording, fault, guard, counting, mutant) and plugins
//   Checks, RuntimeChecks, DebugHookChecks – the clause checks run against a started runtime
//   NegativeControls – each clause registered with its check and its negative control
//   ClauseRunner   – runs clauses on targets and modes, in warm workers or isolated: the matrix
//   Reports        – renders the results and the documents of PyRuntime's values (probe, targets, bench):
//                    text, JSON; JUnit, Markdown and HTML for the matrix
//   OpLanguage     – the fuzzers' op language: ops, the versioned byte form, the text form
//   Oracle         – the model of the documented semantics that judges every op's result
//   FuzzHarness    – runs programs on a started target under the oracle: layers, mutants, violations
//   Certification  – certify: a custom allocator plugin checked against the contract
//   Reproducer     – repro: any input as a standalone C program for a CPython bug report
//   fuzz-*         – the libFuzzer entry points (Fuzz/), one product per fuzz target
//   PluginInterface, Examples/* – the plugin header and example plugins (shared libraries)
//   Installer      – `pymemcheck install`: Debian's newest binaries with their own C library, source builds
//   PyMemCheckCLI  – the command line (subcommands), kept in a library so tests can drive it
//   pymemcheck     – the executable: a thin main over PyMemCheckCLI
//   EmbedText      – builds the catalogue and the reproducer's C prelude into the binary
let package = Package(
    name: "pymemcheck",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pymemcheck", targets: ["pymemcheck"]),
        .executable(name: "pymemcheck-threads", targets: ["pymemcheck-threads"]),
        // Built for fuzzing only with Fuzz/run.sh (--sanitize=fuzzer -DLIBFUZZER); a plain build
        // makes corpus replayers of them.
        .executable(name: "fuzz-sequences", targets: ["fuzz-sequences"]),
        .executable(name: "fuzz-violations", targets: ["fuzz-violations"]),
        .executable(name: "fuzz-faults", targets: ["fuzz-faults"]),
        // Example allocator plugins (Examples/), loaded by `pymemcheck certify --plugin`.
        .library(name: "pymemcheck-counting", type: .dynamic, targets: ["CountingAllocator"]),
        .library(name: "pymemcheck-bump", type: .dynamic, targets: ["BumpAllocator"]),
        .library(name: "pymemcheck-unlocked-freelist", type: .dynamic, targets: ["UnlockedFreelistAllocator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // The words every module shares, with no code of loading or running in them: the
        // domains, modes, versions, fill bytes, block layout, errors, a lock.
        .target(name: "Vocabulary"),
        // What the engines find and Reports renders: findings, verdicts, the matrix's results,
        // certificates, replay entries, their statuses.
        .target(name: "Results"),
        .target(name: "CPythonABI", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "SanitizerCoverage"),
        .target(name: "CrashReport"),
        .target(name: "PyRuntime", dependencies: ["Vocabulary", "CPythonABI", "CrashReport", "Isolation"]),
        .target(name: "Isolation", dependencies: ["Vocabulary", "CrashReport"]),
        .target(name: "DebugReport", dependencies: ["Vocabulary"]),
        .target(name: "Installer", dependencies: ["Vocabulary", "PyRuntime", "Isolation"]),
        .target(
            name: "ClauseCatalogue",
            dependencies: ["Vocabulary", "PyRuntime", "DebugReport", .product(name: "Yams", package: "Yams")],
            plugins: ["EmbedText"]),
        .target(name: "Reports", dependencies: ["Results", "Vocabulary", "PyRuntime"]),
        .target(name: "OpLanguage", dependencies: ["Vocabulary"]),
        // The plugin interface: include/pymemcheck_plugin.h, for custom allocator authors.
        .target(name: "PluginInterface"),
        .target(name: "CountingAllocator", dependencies: ["PluginInterface"], path: "Examples/counting-allocator"),
        .target(name: "BumpAllocator", dependencies: ["PluginInterface"], path: "Examples/bump-allocator"),
        .target(
            name: "UnlockedFreelistAllocator", dependencies: ["PluginInterface"],
            path: "Examples/unlocked-freelist-allocator"),
        .target(name: "Oracle", dependencies: ["Results", "Vocabulary", "OpLanguage", "DebugReport"]),
        .target(
            name: "AllocatorLayers",
            dependencies: ["Vocabulary", "CPythonABI", "PyRuntime", "Isolation", "OpLanguage"]),
        .target(
            name: "FuzzHarness",
            dependencies: [
                "Results", "Vocabulary",
                "AllocatorLayers", "OpLanguage", "Oracle", "PyRuntime", "Isolation", "DebugReport", "CPythonABI",
                "SanitizerCoverage",
            ]),
        .target(
            name: "Reproducer", dependencies: ["Vocabulary", "OpLanguage", "PyRuntime"],
            exclude: ["ReproPrelude.c"], plugins: ["EmbedText"]),
        // The text files a copied binary needs (Conformance/*.yaml, the C prelude), built in.
        .plugin(name: "EmbedText", capability: .buildTool()),
        .target(
            name: "Certification",
            dependencies: [
                "Results", "Vocabulary",
                "AllocatorLayers", "FuzzHarness", "ClauseRunner", "Checks", "ClauseCatalogue", "PyRuntime",
                "Isolation",
                "OpLanguage", "Oracle", "CPythonABI",
            ]),
        .executableTarget(name: "fuzz-sequences", dependencies: ["FuzzHarness"], path: "Fuzz/fuzz-sequences"),
        .executableTarget(name: "fuzz-violations", dependencies: ["FuzzHarness"], path: "Fuzz/fuzz-violations"),
        .executableTarget(name: "fuzz-faults", dependencies: ["FuzzHarness"], path: "Fuzz/fuzz-faults"),
        // The check library: what a check sees and answers (CheckContext, Evidence, the seams a
        // control plants through), the scenarios, and the checks of the allocation functions.
        .target(
            name: "Checks",
            dependencies: [
                "Vocabulary", "Results", "AllocatorLayers", "PyRuntime", "Isolation", "CPythonABI", "ClauseCatalogue",
                "DebugReport", "Oracle",
            ]),
        // The checks of threads, custom allocators, start-up, pymalloc and tracemalloc.
        .target(
            name: "RuntimeChecks",
            dependencies: [
                "Checks", "Vocabulary", "AllocatorLayers", "PyRuntime", "Isolation", "CPythonABI",
            ]),
        // The checks of the debug hooks: fill bytes, layout, what they detect and report.
        .target(
            name: "DebugHookChecks",
            dependencies: [
                "Checks", "Vocabulary", "AllocatorLayers", "PyRuntime", "Isolation", "CPythonABI", "ClauseCatalogue",
                "DebugReport",
            ]),
        // Every clause's registration (its check beside its negative control, one file per
        // catalogue section) and the defects the controls plant.
        .target(
            name: "NegativeControls",
            dependencies: [
                "DebugReport",
                "Checks", "RuntimeChecks", "DebugHookChecks", "Vocabulary", "AllocatorLayers", "PyRuntime",
                "Isolation",
                "CPythonABI",
            ]),
        // Runs clauses on targets and modes in warm workers, controls included: the matrix.
        .target(
            name: "ClauseRunner",
            dependencies: [
                "NegativeControls", "Checks", "Vocabulary", "Results", "PyRuntime", "Isolation",
                "ClauseCatalogue", "CPythonABI",
            ]),
        .target(
            name: "PyMemCheckCLI",
            dependencies: [
                "Results", "Vocabulary",
                "AllocatorLayers", "PyRuntime", "Isolation", "ClauseRunner", "Checks", "ClauseCatalogue", "Reports",
                "OpLanguage", "FuzzHarness", "Certification", "Reproducer", "Installer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "pymemcheck", dependencies: ["PyMemCheckCLI", "pymemcheck-threads"]),
        // C, with no Swift runtime in it: the process valgrind's DRD watches a plugin in. DWARF 4:
        // the valgrind of Debian 12 cannot read clang's DWARF 5 and gives up on the whole run.
        .executableTarget(
            name: "pymemcheck-threads", dependencies: ["PluginInterface", "CrashReport"], path: "Sources/ThreadDriver",
            cSettings: [.unsafeFlags(["-gdwarf-4"])],
            linkerSettings: [.linkedLibrary("dl"), .linkedLibrary("pthread")]),
        // What the test targets share: the package's folder, the installed CPythons, running the
        // pymemcheck executable, and the rule that turns a skip into a failure in CI
        // (PYMEMCHECK_REQUIRE_TARGETS=1).
        .target(name: "TestSupport", dependencies: ["PyRuntime", "Isolation"], path: "Tests/TestSupport"),
        .testTarget(
            name: "ClauseCatalogueTests",
            dependencies: ["ClauseCatalogue", "DebugReport", "Vocabulary", "TestSupport"]),
        // The registrations against the catalogue, the rules that turn verdicts into results.
        .testTarget(
            name: "ClauseRunnerTests",
            dependencies: [
                "Results", "Vocabulary", "ClauseRunner", "NegativeControls", "Checks", "ClauseCatalogue", "Isolation",
                "PyRuntime", "Reports",
                "TestSupport",
            ]),
        .testTarget(
            name: "DebugReportTests", dependencies: ["Vocabulary", "DebugReport"],
            resources: [.copy("Fixtures")]),
        // The clause catalogue checked on the target PYMEMCHECK_PYTHON names; needs the pymemcheck
        // executable built beside the test bundle (workers are spawned from it).
        .testTarget(
            name: "ConformanceTests",
            dependencies: [
                "Results", "Vocabulary",
                "ClauseCatalogue", "ClauseRunner", "Isolation", "PyRuntime", "Reports", "TestSupport", "pymemcheck",
            ]),
        .testTarget(
            name: "PyRuntimeTests",
            dependencies: [
                "Vocabulary", "PyRuntime", "Isolation", "Checks", "PyMemCheckCLI", "TestSupport", "pymemcheck",
            ]),
        .testTarget(name: "OpLanguageTests", dependencies: ["Vocabulary", "OpLanguage", "TestSupport"]),
        .testTarget(
            name: "InstallerTests", dependencies: ["Vocabulary", "Installer", "PyRuntime", "ClauseCatalogue"]),
        // certify on the example plugins and the mutants; C reproducers compiled and run.
        .testTarget(
            name: "CertificationTests",
            dependencies: [
                "Certification",
                "AllocatorLayers", "CPythonABI", "Isolation", "PyRuntime", "FuzzHarness", "TestSupport", "pymemcheck",
            ],
            // C plugins the tests compile with cc, as a plugin author would.
            exclude: ["CorrectPlugins", "ThreadPlugins"]),
        // Every rendering: golden text and Markdown, every JSON document against Schemas/, the
        // JUnit against Schemas/junit.xsd (needs python3-jsonschema and xmllint).
        .testTarget(
            name: "ReportsTests",
            dependencies: [
                "Results", "Vocabulary", "Reports", "Isolation", "Oracle", "PyRuntime", "TestSupport", "pymemcheck",
            ],
            exclude: ["Fixtures"]),
        // The corpus replayed on several targets and modes, the mutants found, the oracle.
        .testTarget(
            name: "FuzzTests",
            dependencies: [
                "Results", "Vocabulary",
                "AllocatorLayers", "FuzzHarness", "OpLanguage", "Oracle", "PyRuntime", "Isolation", "TestSupport",
                "pymemcheck",
            ]),
    ]
)

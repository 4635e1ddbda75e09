// swift-tools-version:6.0
import PackageDescription

// One module per concept:
//   CPythonABI     – the C declarations of CPython's allocator ABI (no Python.h at build time)
//   PyRuntime      – finding, loading and starting a CPython runtime in an allocator mode
//   Isolation      – running a scenario in a fresh child process (for runs that must abort)
//   DebugReport    – parsing the debug hooks' fatal-error report
//   Executor       – scenarios run against a started runtime, in-process or isolated
//   PyMemCheckCLI  – the command line (subcommands), kept in a library so tests can drive it
//   pymemcheck     – the executable: a thin main over PyMemCheckCLI
let package = Package(
    name: "pymemcheck",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pymemcheck", targets: ["pymemcheck"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "CPythonABI", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "PyRuntime", dependencies: ["CPythonABI", "Isolation"]),
        .target(name: "Isolation"),
        .target(name: "DebugReport"),
        .target(name: "Executor", dependencies: ["PyRuntime", "Isolation", "CPythonABI"]),
        .target(
            name: "PyMemCheckCLI",
            dependencies: [
                "PyRuntime", "Isolation", "DebugReport", "Executor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "pymemcheck", dependencies: ["PyMemCheckCLI"]),
        .testTarget(name: "DebugReportTests", dependencies: ["DebugReport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "PyRuntimeTests", dependencies: ["PyRuntime", "Isolation", "Executor", "DebugReport", "PyMemCheckCLI", "pymemcheck"]),
    ]
)

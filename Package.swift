// swift-tools-version: 6.0
// lenet-tutor: LeNet-5 from scratch, taught step by step. No package dependencies: the toolchain only.
import PackageDescription

let package = Package(
  name: "lenet-tutor",
  products: [
    .library(name: "LeNetKit", targets: ["LeNetKit"]),
    .executable(name: "lenet-tutor", targets: ["lenet-tutor"]),
  ],
  targets: [
    // The network library: tensors, layers, models, training, MNIST. Depends on nothing but zlib.
    .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
    .target(name: "LeNetKit", dependencies: ["CZlib"], swiftSettings: kernelSettings),
    // Terminal output shared by the runner and the CLI: styles, TTY detection, progress bars.
    .target(name: "TerminalKit"),
    // The lesson runner: parses Markdown chapters, compiles their Swift cells against LeNetKit,
    // runs them and checks their outputs.
    .target(name: "LessonRunner", dependencies: ["LeNetKit", "TerminalKit"]),
    // The command line: argument parsing and the commands. Kept apart from `main.swift` so tests
    // can run every command in-process and compare its output verbatim.
    .target(name: "TutorCLI", dependencies: ["LeNetKit", "LessonRunner", "TerminalKit"]),
    .executableTarget(name: "lenet-tutor", dependencies: ["TutorCLI"]),

    // Examples: small programs that use only LeNetKit's public API; ExampleTests runs them.
    .executableTarget(
      name: "paper-lenet5", dependencies: ["LeNetKit"], path: "Examples/paper-lenet5"),
    .executableTarget(
      name: "keras-tutorial", dependencies: ["LeNetKit"], path: "Examples/keras-tutorial"),
    .executableTarget(
      name: "draw-a-digit", dependencies: ["LeNetKit"], path: "Examples/draw-a-digit"),

    // Test helpers (not public API): `expectClose` and friends.
    .target(name: "LeNetTestSupport", dependencies: ["LeNetKit"], path: "Tests/LeNetTestSupport"),
    .testTarget(name: "LeNetKitTests", dependencies: ["LeNetKit", "LeNetTestSupport"]),
    .testTarget(name: "LessonRunnerTests", dependencies: ["LessonRunner", "LeNetTestSupport"]),
    .testTarget(name: "TutorCLITests", dependencies: ["TutorCLI", "LeNetTestSupport"]),
    .testTarget(name: "ExampleTests", dependencies: ["LeNetTestSupport"]),
  ]
)

/// LeNetKit is compiled with optimization in every configuration: its kernels' `SIMD` types are
/// generic, and unoptimized they run some fifty times slower, which would make the tests (which
/// train small networks) crawl. The debug build optimizes for size (`-Osize`): it specializes
/// the same generics and trains as fast (`bench` of the debug build, keras on one thread, within
/// the runs' spread of `-O`), and compiles in a tenth to a fifth less CPU time than `-O`, on
/// the path every other target waits for (Docs/training.md, issue 13). The release build keeps
/// `-O`; the tests check the same source, and the arithmetic's order is the code's at either.
///
/// On x86-64 the target is Haswell (x86-64-v3: AVX2 and FMA; Intel since 2013, every AMD Zen),
/// which turns the kernels' 8- and 16-wide arithmetic into fused multiply-adds on 256-bit
/// registers; baseline x86-64 (SSE2, no FMA) runs a training step several times slower, and
/// calls libm for every fused multiply-add. A build stops with "illegal instruction" on an older
/// CPU: delete the `-target-cpu` flag there. Other architectures use the compiler's defaults.
///
/// The debug build keeps the debug assertion mode (`-assert-config Debug`, which `-Osize` would
/// otherwise turn off): the chapters link this build (`ChapterCompiler`), and a learner whose
/// cell hands a layer the wrong shape should read the precondition's message, not "illegal
/// instruction".
var kernelSettings: [SwiftSetting] {
  let debug = SwiftSetting.unsafeFlags(
    ["-Osize", "-assert-config", "Debug"], .when(configuration: .debug))
  #if arch(x86_64)
    return [debug, .unsafeFlags(["-target-cpu", "haswell"])]
  #else
    return [debug]
  #endif
}

/// Every target's debug build indexes only this package's code, not the toolchain's modules
/// (`-index-ignore-system-modules`): SwiftPM indexes as it builds, and on a fresh clone it
/// otherwise also indexes the standard library, Foundation and Swift Testing, some 12 of a
/// fresh `swift build --build-tests`' 215 CPU-seconds (Docs/training.md, issue 13). Editors
/// read the toolchain's modules from their interfaces; only this package's own symbols come from
/// the index.
///
/// It also compiles each target in as many batch jobs as SwiftPM runs compilers at once (`-j`,
/// the number of cores), not in batches of at most 25 files (`-driver-batch-size-limit`, whose
/// default split LeNetKit's 52 files into three jobs on two cores: two ran, then the third alone
/// while every other target waited for LeNetKit). `swift build --target LeNetKit`, empty
/// LeNetKit build, load 1.6-2.0, alternating: 24.6 and 22.7 s against 30.8, 27.5 and 26.4 s, the
/// same CPU time; level when other work leaves the build one core (Docs/training.md, issue 13).
for target in package.targets where target.type != .system {
  target.swiftSettings =
    (target.swiftSettings ?? [])
    + [
      .unsafeFlags(
        ["-index-ignore-system-modules", "-driver-batch-size-limit", "1000"],
        .when(configuration: .debug))
    ]
}

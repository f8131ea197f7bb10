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
    .target(name: "LeNetKit", dependencies: ["CZlib"]),
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
    .executableTarget(name: "paper-lenet5", dependencies: ["LeNetKit"], path: "Examples/paper-lenet5"),

    // Test helpers (not public API): `expectClose` and friends.
    .target(name: "LeNetTestSupport", dependencies: ["LeNetKit"], path: "Tests/LeNetTestSupport"),
    .testTarget(name: "LeNetKitTests", dependencies: ["LeNetKit", "LeNetTestSupport"]),
    .testTarget(name: "LessonRunnerTests", dependencies: ["LessonRunner", "LeNetTestSupport"]),
    .testTarget(name: "TutorCLITests", dependencies: ["TutorCLI", "LeNetTestSupport"]),
    .testTarget(name: "ExampleTests", dependencies: ["LeNetTestSupport"]),
  ]
)

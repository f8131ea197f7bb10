import Foundation
import LeNetKit
import LeNetTestSupport
import Testing

/// `train`, `evaluate`, `predict` and `bench` on generated data (`SyntheticMNIST`), in-process.
@Suite struct TrainCommandTests {
  /// Trains 2 epochs on 60 generated images into a fresh folder; returns the folder and data.
  func trained(_ extra: [String] = []) throws -> (
    root: URL, data: URL, out: URL, environment: [String: String],
    result: (status: Int32, output: String, errors: String)
  ) {
    let root = try makeTemporaryDirectory()
    let (data, environment) = try generatedData(in: root, trainCount: 60, testCount: 20)
    let out = root.appendingPathComponent("out")
    let result = runTool(
      [
        "train", "--epochs", "2", "--batch-size", "10", "--lr", "0.1", "--momentum", "0.9",
        "--data", data.path, "--out", out.path,
      ] + extra, environment: environment)
    return (root, data, out, environment, result)
  }

  @Test func trainPrintsEpochLinesAndWritesItsFiles() throws {
    let run = try trained()
    defer { try? FileManager.default.removeItem(at: run.root) }
    #expect(run.result.status == 0, "\(run.result.errors)")
    let lines = run.result.output.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(
      lines.first
        == "Training keras (61,706 parameters) on 60 images, validating on 20: SGD lr 0.1 momentum 0.9, batch 10, 2 epochs, seed 1"
    )
    #expect(
      lines[1]
        == "Saving into \(run.out.path) after every epoch; continue an interrupted run with 'lenet-tutor train --resume \(run.out.path)'."
    )
    #expect(lines[2].hasPrefix("epoch 1/2  loss "))
    #expect(lines[3].hasPrefix("epoch 2/2  loss "))
    #expect(lines.contains("accuracy  (t training, v validation)"))
    let csv = try String(contentsOf: run.out.appendingPathComponent("history.csv"), encoding: .utf8)
    #expect(csv.split(separator: "\n").count == 3, "header and two epochs")
    #expect(
      FileManager.default.fileExists(atPath: run.out.appendingPathComponent("training.svg").path))
    // The checkpoint reloads to the same predictions as a fresh evaluation prints.
    let model = try Checkpoint.load(from: run.out.appendingPathComponent("model.safetensors"))
    #expect(model.name == "keras")
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: run.out.path)
    #expect(
      leftovers.sorted() == [
        "history.csv", "model.safetensors", "training-state.safetensors", "training.svg",
      ])
  }

  @Test func evaluateAndPredictReadTheTrainedCheckpoint() throws {
    let run = try trained()
    defer { try? FileManager.default.removeItem(at: run.root) }
    let checkpoint = run.out.appendingPathComponent("model.safetensors").path
    let evaluation = runTool(
      ["evaluate", "--checkpoint", checkpoint, "--data", run.data.path],
      environment: run.environment)
    #expect(evaluation.status == 0, "\(evaluation.errors)")
    #expect(evaluation.output.hasPrefix("keras from \(checkpoint) on 20 test images\nTest loss "))
    #expect(
      evaluation.output.contains("Confusion matrix (rows: true digit, columns: predicted digit):"))

    let prediction = runTool(
      ["predict", "--checkpoint", checkpoint, "--test-index", "3", "--data", run.data.path],
      environment: run.environment)
    #expect(prediction.status == 0, "\(prediction.errors)")
    #expect(prediction.output.hasPrefix("test image 3 (labelled 3):\n"))
    // Three ranked lines "  d  pp.pp%" after the 14-line picture.
    let ranked = prediction.output.split(separator: "\n").suffix(3)
    #expect(ranked.allSatisfy { $0.hasSuffix("%") && $0.hasPrefix("  ") })

    // A PGM file of test image 3 (SyntheticMNIST draws digit 3 as a block) goes the same way.
    let test = SyntheticMNIST.split(count: 20, seed: 2).images
    let image = GrayImage(width: 28, height: 28, pixels: Array(test.pixels[3 * 784..<4 * 784]))
    let file = run.root.appendingPathComponent("three.pgm")
    try Data(PGM.encode(image)).write(to: file)
    let fromFile = runTool(["predict", "--checkpoint", checkpoint, file.path])
    #expect(fromFile.status == 0, "\(fromFile.errors)")
    #expect(fromFile.output.hasPrefix("\(file.path):\n"))
  }

  /// The trained checkpoint's tensors re-encoded as PyTorch's `save_file` writes them (no
  /// lenet-tutor metadata, tensors sorted by name) evaluate exactly as the original: the same
  /// loss, accuracy, confusion matrix and mistakes, after one line saying how the model was
  /// chosen. The reference is lenet-tutor's own checkpoint of the same weights.
  @Test func evaluateReadsAPyTorchWrittenCheckpoint() throws {
    let run = try trained()
    defer { try? FileManager.default.removeItem(at: run.root) }
    let original = run.out.appendingPathComponent("model.safetensors")
    var stateDict: [String: Tensor] = [:]
    for (name, tensor) in Checkpoint.tensors(of: try Checkpoint.load(from: original)).tensors {
      stateDict[name] = tensor
    }
    let pyTorch = run.root.appendingPathComponent("pytorch.safetensors")
    try Data(PyTorchSafeTensors.encode(stateDict)).write(to: pyTorch)

    func evaluate(_ file: URL, _ extra: [String] = []) -> (status: Int32, lines: [Substring]) {
      let result = runTool(
        ["evaluate", "--checkpoint", file.path, "--data", run.data.path] + extra,
        environment: run.environment)
      #expect(result.status == 0, "\(result.errors)")
      return (result.status, result.output.split(separator: "\n", omittingEmptySubsequences: false))
    }
    let reference: [Substring] = evaluate(original).lines
    let inferred: [Substring] = evaluate(pyTorch).lines
    let referenceAfterHeader: [Substring] = Array(reference.dropFirst())
    #expect(
      inferred.first
        == "\(pyTorch.path) has no lenet-tutor metadata: reading it as keras, inferred from its tensor names (it has no s2.weight); --model chooses another."
    )
    #expect(inferred[1] == "keras from \(pyTorch.path) on 20 test images")
    #expect(Array(inferred.dropFirst(2)) == referenceAfterHeader)
    #expect(reference[1].hasPrefix("Test loss "))

    let chosen: [Substring] = evaluate(pyTorch, ["--model", "keras"]).lines
    #expect(
      chosen.first
        == "\(pyTorch.path) has no lenet-tutor metadata: reading it as keras, as --model says.")
    #expect(Array(chosen.dropFirst(2)) == referenceAfterHeader)

    // --model lecun1998 on the keras weights names the first tensor (in file order: by name)
    // that lecun1998 lacks: its output layer has no bias.
    let wrong = runTool(
      ["evaluate", "--checkpoint", pyTorch.path, "--model", "lecun1998", "--data", run.data.path],
      environment: run.environment)
    #expect(wrong.status == 1)
    #expect(
      wrong.errors.hasPrefix(
        "error: \(pyTorch.path): unexpected tensor 'output.bias' for model 'lecun1998'\n"))
  }

  /// The header of issue 10 §1, which trapped (SIGILL) in `evaluate`: now exit status 1 and a
  /// message naming the file and the tensor.
  @Test func evaluateRefusesAShapeWhoseSizeOverflows() throws {
    try withTemporaryDirectory { directory in
      let header =
        #"{"c1.weight":{"dtype":"F32","shape":[1099511627776,1099511627776,1,1],"data_offsets":[0,4]}}"#
      let file = directory.appendingPathComponent("big.safetensors")
      try Data(
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian, Array.init)
          + Array(header.utf8) + [0, 0, 0, 0]
      ).write(to: file)
      let result = runTool(["evaluate", "--checkpoint", file.path])
      #expect(result.status == 1)
      #expect(
        result.errors.hasPrefix(
          "error: \(file.path): tensor 'c1.weight' has shape [1099511627776, 1099511627776, 1, 1], "
            + "whose size does not fit in a 64-bit integer\n"))
    }
  }

  /// 1 epoch, then `--resume` to 2, ends with the same checkpoint, byte for byte, as 2 epochs
  /// straight (momentum 0.9 and shifts make the velocity and the random state matter), and the
  /// same history apart from the timings.
  @Test func resumedRunEqualsAnUninterruptedOne() throws {
    let straight = try trained(["--shift", "2", "--lr-decay", "0.5"])
    defer { try? FileManager.default.removeItem(at: straight.root) }
    #expect(straight.result.status == 0, "\(straight.result.errors)")
    let stopped = try trained(["--shift", "2", "--lr-decay", "0.5", "--epochs", "1"])
    defer { try? FileManager.default.removeItem(at: stopped.root) }
    #expect(stopped.result.status == 0, "\(stopped.result.errors)")
    let resumed = runTool(
      ["train", "--resume", stopped.out.path, "--epochs", "2", "--data", stopped.data.path],
      environment: stopped.environment)
    #expect(resumed.status == 0, "\(resumed.errors)")
    let lines = resumed.output.split(separator: "\n")
    #expect(
      lines.first
        == "Resuming keras after epoch 1 (61,706 parameters) on 60 images, validating on 20: SGD lr 0.1 momentum 0.9 decay 0.5, shifts up to 2 px, batch 10, 2 epochs, seed 1"
    )
    #expect(lines[2].hasPrefix("epoch 2/2  loss "))
    func bytes(_ run: URL, _ file: String) throws -> Data {
      try Data(contentsOf: run.appendingPathComponent(file))
    }
    #expect(
      try bytes(stopped.out, "model.safetensors") == bytes(straight.out, "model.safetensors"))
    func withoutTimings(_ run: URL) throws -> [String] {
      try String(decoding: bytes(run, "history.csv"), as: UTF8.self).split(separator: "\n")
        .map { $0.split(separator: ",").prefix(6).joined(separator: ",") }
    }
    #expect(try withoutTimings(stopped.out) == withoutTimings(straight.out))

    // Both epochs done: nothing to do, and the files stay as they are.
    let again = runTool(
      ["train", "--resume", stopped.out.path, "--data", stopped.data.path],
      environment: stopped.environment)
    #expect(again.status == 0)
    #expect(
      again.output
        == "Nothing to do: \(stopped.out.path) has finished 2 epochs; give --epochs above 2 to train further.\n"
    )
  }

  @Test func resumeRefusesSettingsAndFoldersWithoutARun() throws {
    let changed = runTool(["train", "--resume", "somewhere", "--lr", "0.5"])
    #expect(changed.status == 2)
    #expect(
      changed.errors.hasPrefix(
        "error: '--lr' cannot be given with '--resume': a resumed run keeps its own settings\n"))
    try withTemporaryDirectory { folder in
      let empty = runTool(["train", "--resume", folder.path])
      #expect(empty.status == 1)
      #expect(
        empty.errors == """
          error: \(folder.path): holds no training run to resume (no training-state.safetensors)
          fix: give the --out folder of a run that 'lenet-tutor train' saved

          """)
    }
  }

  /// The output folder is checked before the data is even loaded, so before the first epoch.
  @Test func unusableOutputFoldersAreRefusedBeforeTraining() throws {
    try withTemporaryDirectory { root in
      let (data, environment) = try generatedData(in: root, trainCount: 20, testCount: 10)
      let file = root.appendingPathComponent("results.txt")
      try Data("keep me".utf8).write(to: file)
      func train(out: String) -> (status: Int32, output: String, errors: String) {
        runTool(
          ["train", "--epochs", "1", "--data", data.path, "--out", out], environment: environment)
      }
      let onAFile = train(out: file.path)
      #expect(onAFile.status == 1)
      #expect(onAFile.output == "")
      #expect(
        onAFile.errors == """
          error: \(file.path): is a file, not a folder
          fix: choose another --out folder

          """)
      #expect(try String(contentsOf: file, encoding: .utf8) == "keep me")

      let underAFile = train(out: file.path + "/run")
      #expect(underAFile.status == 1)
      #expect(
        underAFile.errors.hasPrefix(
          "error: \(file.path)/run: cannot create the folder: a part of the path is a file, not a folder\n"
        ))

      let empty = train(out: "")
      #expect(empty.status == 2)
      #expect(empty.errors.hasPrefix("error: '--out' needs a folder name, got ''\n"))
    }
  }

  /// Without MNIST a run never starts, and leaves no empty --out folder behind; a folder that
  /// was there before stays.
  @Test(arguments: [[], ["--recipe", "paper1998"]])
  func aRunWithoutMNISTLeavesNoFolderBehind(recipe: [String]) throws {
    try withTemporaryDirectory { root in
      let missingData = root.appendingPathComponent("no-mnist").path
      let out = root.appendingPathComponent("run")
      let result = runTool(["train", "--data", missingData, "--out", out.path] + recipe)
      #expect(result.status == 1)
      #expect(result.errors.hasPrefix("error: "))
      #expect(!FileManager.default.fileExists(atPath: out.path))

      try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
      #expect(runTool(["train", "--data", missingData, "--out", out.path] + recipe).status == 1)
      #expect(FileManager.default.fileExists(atPath: out.path))
    }
  }

  /// Permission bits do not stop root, so this runs only for other users; `FileProblemTests`
  /// covers the message for everyone.
  @Test(.enabled(if: getuid() != 0, "root writes into read-only folders"))
  func readOnlyOutputFolderIsRefusedBeforeTraining() throws {
    try withTemporaryDirectory { root in
      let locked = root.appendingPathComponent("locked")
      try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
      try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: locked.path)
      defer {
        try? FileManager.default.setAttributes(
          [.posixPermissions: 0o755], ofItemAtPath: locked.path)
      }
      let result = runTool(["train", "--out", locked.path])
      #expect(result.status == 1)
      #expect(
        result.errors.hasPrefix(
          "error: \(locked.path): cannot write into the folder: permission denied\n"))
    }
  }

  /// An untrained network gets most of the 20 generated test digits wrong; `--show 1` draws
  /// one of them and says 'digit', singular.
  @Test func evaluateShowingOneMistakeSaysDigitInTheSingular() throws {
    try withTemporaryDirectory { root in
      let (data, environment) = try generatedData(in: root, trainCount: 20, testCount: 20)
      let checkpoint = root.appendingPathComponent("model.safetensors")
      try Checkpoint.save(.keras(seed: 1), to: checkpoint)
      let result = runTool(
        ["evaluate", "--checkpoint", checkpoint.path, "--data", data.path, "--show", "1"],
        environment: environment)
      #expect(result.status == 0, "\(result.errors)")
      #expect(result.output.contains("\nThe first misclassified test digit:\n"), "\(result.output)")
    }
  }

  @Test func aFolderIsNotACheckpoint() throws {
    try withTemporaryDirectory { folder in
      try Checkpoint.save(.keras(), to: folder.appendingPathComponent("model.safetensors"))
      let result = runTool(["evaluate", "--checkpoint", folder.path])
      #expect(result.status == 1)
      #expect(
        result.errors == """
          error: \(folder.path): is a folder, not a checkpoint
          fix: use \(folder.path)/model.safetensors

          """)
    }
  }

  @Test func evaluateWithoutCheckpointIsAUsageError() {
    let result = runTool(["evaluate"])
    #expect(result.status == 2)
    #expect(
      result.errors == """
        error: missing option '--checkpoint <file>'
        Usage: lenet-tutor evaluate --checkpoint <file> [--model <name>] [--data <dir>] [--show <n>]
        See 'lenet-tutor evaluate --help'.

        """)
  }

  @Test func aMissingImageIsNamedWithThePlainReason() throws {
    try withTemporaryDirectory { folder in
      let checkpoint = folder.appendingPathComponent("model.safetensors")
      try Checkpoint.save(.keras(), to: checkpoint)
      let missing = folder.appendingPathComponent("seven.png").path
      let result = runTool(["predict", "--checkpoint", checkpoint.path, missing])
      #expect(result.status == 1)
      #expect(result.errors == "error: \(missing): cannot be read: no such file or folder\n")
    }
  }

  @Test func missingCheckpointFileIsAnError() {
    let result = runTool(["evaluate", "--checkpoint", "/nonexistent/model.safetensors"])
    #expect(result.status == 1)
    #expect(result.errors.hasPrefix("error: /nonexistent/model.safetensors: "))
  }

  /// predict reads images only; its help says where a text drawing goes instead.
  @Test func predictHelpSaysTextDrawingsGoToDrawADigit() {
    let result = runTool(["predict", "--help"])
    #expect(result.status == 0)
    #expect(
      result.output.hasSuffix(
        """
        Images up to 64 megapixels, grayscale or colour, dark ink on light paper or the reverse:
        each is cropped, scaled into a 20×20 box and centred by its centre of mass in 28×28, as
        the MNIST digits were (see Docs/images.md). Text drawings ('#' on '.') are not read: the
        draw-a-digit example classifies those with the same checkpoint ('swift run draw-a-digit
        seven.txt --checkpoint FILE').

        """), "\(result.output)")
  }

  @Test func predictNeedsImagesOrATestIndexButNotBoth() {
    let neither = runTool(["predict", "--checkpoint", "x.safetensors"])
    #expect(neither.status == 2)
    #expect(neither.errors.hasPrefix("error: give images to classify, or --test-index <n>\n"))
    // --checkpoint is required, so the usage shows it without brackets.
    #expect(
      neither.errors.contains(
        "Usage: lenet-tutor predict --checkpoint <file> [--model <name>] [--test-index <n>]"
          + " [--data <dir>] [<image> ...]\n"))
    let both = runTool(["predict", "--checkpoint", "x.safetensors", "--test-index", "1", "a.png"])
    #expect(both.status == 2)
    #expect(both.errors.hasPrefix("error: give either images or --test-index, not both\n"))
  }

  @Test func trainRejectsBadNumbers() {
    let result = runTool(["train", "--epochs", "0"])
    #expect(result.status == 2)
    #expect(
      result.errors.hasPrefix("error: '--epochs' needs a whole number from 1 to 1000, got '0'\n"))
    let momentum = runTool(["train", "--momentum", "1"])
    #expect(momentum.status == 2)
    #expect(
      momentum.errors.hasPrefix("error: '--momentum' needs a number from 0.0 to 0.999, got '1'\n"))
  }

  @Test func benchPrintsATableForOneModel() {
    let result = runTool([
      "bench", "--model", "keras", "--runs", "1", "--batch-size", "8", "--threads", "1",
    ])
    #expect(result.status == 0)
    let lines = result.output.split(separator: "\n")
    #expect(lines.count == 6)
    #expect(
      lines[0].hasSuffix(
        "1 of \(ProcessInfo.processInfo.activeProcessorCount) cores; each figure is from a single run."
      ))
    #expect(lines[1].hasPrefix("Peak: "))
    #expect(
      lines[1].hasSuffix(
        " GFLOP/s (1 thread, each running 12 independent 8-lane fused multiply-adds)."))
    #expect(
      lines[2]
        == "model       train img/s  s/epoch  GFLOP/s  % peak  infer img/s (1000)  % peak  ms/img (1)"
    )
    #expect(lines[3].hasPrefix("keras "))
    // 416,520 and 1,131,960: the hand count of BenchFigureTests.
    #expect(
      lines[4]
        == "keras: 416,520 multiply-adds per image forward, 1,131,960 per training image (forward + backward)."
    )
  }

  @Test func benchRefusesZeroThreads() {
    let result = runTool(["bench", "--threads", "0"])
    #expect(result.status == 2)
    #expect(
      result.errors.hasPrefix("error: '--threads' needs a whole number from 1 to 256, got '0'\n"))
  }

  @Test func aOneEpochRunSaysEpochInTheSingular() throws {
    let root = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let (data, environment) = try generatedData(in: root, trainCount: 20, testCount: 10)
    let result = runTool(
      [
        "train", "--epochs", "1", "--batch-size", "10", "--data", data.path,
        "--out", root.appendingPathComponent("out").path,
      ], environment: environment)
    #expect(result.status == 0, "\(result.errors)")
    let lines = result.output.split(separator: "\n")
    #expect(lines.first?.hasSuffix("batch 10, 1 epoch, seed 1") == true, "\(lines.first ?? "")")
    #expect(lines.contains { $0.hasPrefix("Test accuracy after 1 epoch: ") }, "\(result.output)")
  }
}

/// `train`'s paper options (`--loss`, `--optimizer sdlm`, `--distort`, `--recipe paper1998`) on
/// generated data, in-process.
@Suite struct PaperTrainCommandTests {
  @Test func invalidPaperOptionsAreUsageErrors() {
    let cases: [([String], String)] = [
      (["--loss", "hinge"], "'--loss' needs one of cross-entropy, map, mse, got 'hinge'"),
      (["--optimizer", "adam"], "'--optimizer' needs one of sgd, sdlm, got 'adam'"),
      (["--recipe", "paper2000"], "'--recipe' needs one of paper1998, got 'paper2000'"),
      (
        ["--loss", "map", "--map-j", "0"], "'--map-j' needs a number from 0.001 to 1000.0, got '0'"
      ),
      (["--map-j", "5"], "'--map-j' needs '--loss map'"),
      (["--mu", "0.1"], "'--mu' needs '--optimizer sdlm'"),
      (
        ["--recipe", "paper1998", "--model", "keras"],
        "'--model' does not go with the paper's training"
      ),
      (
        ["--optimizer", "sdlm", "--momentum", "0.9"],
        "'--momentum' does not go with the paper's training"
      ),
      (["--distort", "--resume", "x"], "'--resume' does not go with the paper's training"),
      (
        ["--loss", "map"],
        "'--loss': MAP (eq. 9, j = 5.0) is defined on RBF penalties; keras outputs logits"
      ),
    ]
    for (arguments, message) in cases {
      let result = runTool(["train"] + arguments)
      #expect(result.status == 2, "\(arguments)")
      #expect(result.errors.hasPrefix("error: \(message)"), "\(arguments): \(result.errors)")
    }
  }

  @Test func aShortPaperRunWritesItsFigures() throws {
    let root = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let (data, environment) = try generatedData(in: root, trainCount: 40, testCount: 20)
    let out = root.appendingPathComponent("out")
    let result = runTool(
      [
        "train", "--recipe", "paper1998", "--epochs", "2", "--distort", "--data", data.path,
        "--out", out.path,
      ], environment: environment)
    #expect(result.status == 0, "\(result.errors)")
    let lines = result.output.split(separator: "\n")
    #expect(
      lines.first
        == "Training lecun1998 (60,000 parameters) pattern by pattern on 40 images and 9 distorted copies of each, 40 patterns a pass, testing on 20: MAP (eq. 9, j = 5.0), SDLM μ 0.5, η as the paper (0.0005 … 0.00001), batch 1, 2 passes, seed 1"
    )
    #expect(lines.contains { $0.hasPrefix("pass 1/2  η 0.0005  loss ") })
    let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
    #expect(files == ["errors.svg", "history.csv", "misclassified.svg", "model.safetensors"])
    let csv = try String(contentsOf: out.appendingPathComponent("history.csv"), encoding: .utf8)
    #expect(csv.split(separator: "\n").count == 3, "header and two passes")
    let figure = try String(contentsOf: out.appendingPathComponent("errors.svg"), encoding: .utf8)
    #expect(figure.contains("test set error") && figure.contains("<polyline"))
  }

  @Test func aOnePassRunSaysPassInTheSingular() throws {
    let root = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let (data, environment) = try generatedData(in: root, trainCount: 20, testCount: 10)
    let result = runTool(
      [
        "train", "--recipe", "paper1998", "--epochs", "1", "--data", data.path,
        "--out", root.appendingPathComponent("out").path,
      ], environment: environment)
    #expect(result.status == 0, "\(result.errors)")
    let lines = result.output.split(separator: "\n")
    #expect(lines.first?.hasSuffix("batch 1, 1 pass, seed 1") == true, "\(lines.first ?? "")")
    #expect(lines.contains { $0.hasPrefix("Test error after 1 pass: ") }, "\(result.output)")
  }
}

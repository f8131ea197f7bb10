// keras-tutorial: the classic Keras LeNet-5 tutorial, step by step, in Swift with LeNetKit.
//
//   swift run -c release keras-tutorial [--epochs N] [--out DIR] [--data DIR] [--limit N]
//
// Each step carries the Keras line it stands for. Writes training.svg (accuracy and loss per
// epoch, the tutorial's matplotlib figure) and history.csv into --out. Exit status: 0 done,
// 1 data or file error, 2 usage error.
import Foundation
import LeNetKit

let usage = "keras-tutorial [--epochs <n>] [--out <dir>] [--data <dir>] [--limit <n>]"
let help = """
  OVERVIEW: The classic Keras LeNet-5 tutorial in Swift: load MNIST, normalise, build, compile
  with SGD and categorical cross-entropy, fit with validation, evaluate, plot.

  USAGE: \(usage)

  OPTIONS:
    --epochs <n>    Passes over the training images. (default: 10)
    --out <dir>     Where to write training.svg and history.csv. (default: the current folder)
    --data <dir>    The MNIST folder. (default: $LENET_TUTOR_DATA, else the download cache)
    --limit <n>     Train on the first n training images only. (default: all 60,000)
    -h, --help      Show help information.

  Get MNIST with 'lenet-tutor data download'.
  """

/// Prints a usage error the way lenet-tutor does and exits with status 2.
func usageError(_ message: String) -> Never {
  FileHandle.standardError.write(
    Data("error: \(message)\nUsage: \(usage)\nSee 'keras-tutorial --help'.\n".utf8))
  exit(2)
}

/// Prints an error (and what to do about it) and exits with status 1.
func fail(_ message: String, fix: String? = nil) -> Never {
  FileHandle.standardError.write(
    Data(("error: \(message)\n" + (fix.map { "fix: \($0)\n" } ?? "")).utf8))
  exit(1)
}

// MARK: The command line

/// The options given, by name; `--help` prints the help and exits.
func parseOptions(_ arguments: [String]) -> [String: String] {
  var options: [String: String] = [:]
  var rest = arguments[...]
  while let argument = rest.popFirst() {
    if argument == "-h" || argument == "--help" {
      print(help)
      exit(0)
    }
    guard ["--epochs", "--out", "--data", "--limit"].contains(argument) else {
      usageError(
        argument.hasPrefix("-")
          ? "unknown option '\(argument)'" : "unexpected argument '\(argument)'")
    }
    guard let value = rest.popFirst() else { usageError("missing value for '\(argument)'") }
    options[argument] = value
  }
  return options
}

/// The value of `option` as a positive whole number, `value` when it is not given.
func positiveInteger(_ option: String, in options: [String: String], default value: Int) -> Int {
  guard let text = options[option] else { return value }
  guard let number = Int(text), number > 0 else {
    usageError("'\(text)' is not a valid value for '\(option)' (expected a positive whole number)")
  }
  return number
}

let options = parseOptions(Array(CommandLine.arguments.dropFirst()))
let epochs = positiveInteger("--epochs", in: options, default: 10)
let limit = positiveInteger("--limit", in: options, default: 60_000)
let outputFolder = URL(fileURLWithPath: options["--out"] ?? ".", isDirectory: true)
let environment = ProcessInfo.processInfo.environment

// MARK: 1. Load the data
// (x_train, y_train), (x_test, y_test) = mnist.load_data()

let mnist: MNIST
do {
  let folder = try MNIST.locate(dataOption: options["--data"], environment: environment)
  // LENET_TUTOR_CHECKSUMS names a sha256sum file for data in MNIST's layout that is not MNIST.
  var checksums = MNIST.standardChecksums
  if let path = environment[MNIST.checksumsVariable], !path.isEmpty {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      fail("\(path): cannot be read", fix: "unset \(MNIST.checksumsVariable) for the real MNIST")
    }
    checksums = try MNIST.checksums(fromSHA256SUMS: text, file: path)
  }
  mnist = try MNIST.load(from: folder, checksums: checksums)
} catch {
  fail(error.description, fix: error.fix)
}
let train: MNIST.Split
if limit < mnist.train.count {
  let size = mnist.train.rows * mnist.train.columns
  train = MNIST.Split(
    name: "train",
    images: IDX.Images(
      count: limit, rows: mnist.train.rows, columns: mnist.train.columns,
      pixels: Array(mnist.train.images[0..<limit * size])),
    labels: Array(mnist.train.labels[0..<limit]))
} else {
  train = mnist.train
}
print(
  "x_train: \(train.count) images of \(train.rows)×\(train.columns), x_test: \(mnist.test.count)")

// MARK: 2. Normalise
// x_train = x_train / 255.0; x_test = x_test / 255.0
// y_train = to_categorical(y_train); y_test = to_categorical(y_test)
//
// `Preprocessing.keras` divides each byte by 255 as each mini-batch is drawn (the images stay
// bytes in memory). Labels stay class numbers: the cross-entropy of a one-hot row is
// −log p[label], which is what the loss computes from the number.
let preprocessing = Preprocessing.keras
print(
  "pixel 255 becomes \(preprocessing.value(of: 255)), pixel 0 becomes \(preprocessing.value(of: 0))"
)

// MARK: 3. Build the model, layer by layer
// model = Sequential()
// model.add(Conv2D(6, kernel_size=5, padding="same", activation="tanh", input_shape=(28, 28, 1)))
// model.add(AveragePooling2D())
// model.add(Conv2D(16, kernel_size=5, activation="tanh"))
// model.add(AveragePooling2D())
// model.add(Conv2D(120, kernel_size=5, activation="tanh"))
// model.add(Flatten())
// model.add(Dense(84, activation="tanh"))
// model.add(Dense(10, activation="softmax"))

var model: Model
do {
  model = try Model(
    name: "keras", inputShape: [1, 28, 28],
    layers: [
      Conv2D("C1", inputChannels: 1, outputChannels: 6, kernelSize: 5, padding: .same),
      Activation(.tanh),
      AveragePooling("S2"),
      Conv2D("C3", inputChannels: 6, outputChannels: 16, kernelSize: 5), Activation(.tanh),
      AveragePooling("S4"),
      Conv2D("C5", inputChannels: 16, outputChannels: 120, kernelSize: 5), Activation(.tanh),
      Flatten(),
      Dense("F6", inputFeatures: 120, outputFeatures: 84), Activation(.tanh),
      // The softmax is applied with the loss, as Keras' from_logits=True does.
      Dense("output", inputFeatures: 84, outputFeatures: 10),
    ])
} catch {
  fail("the model does not fit together: \(error)")
}
// Keras' default initialisation: Glorot uniform weights, zero biases.
model.initialize(.glorotUniform, seed: 1)
// model.summary()
print(model.summary().rendered())

// MARK: 4. Compile
// model.compile(loss="categorical_crossentropy", optimizer=SGD(learning_rate=0.01),
//               metrics=["accuracy"])
//
// `fit` always uses softmax cross-entropy and reports accuracy; the optimizer is a value.
let optimizer = SGD(learningRate: 0.01)

// MARK: 5. Fit, validating after each epoch
// history = model.fit(x_train, y_train, batch_size=128, epochs=10,
//                     validation_data=(x_test, y_test))

let history = model.fit(
  train, epochs: epochs, batchSize: 128, optimizer: optimizer, validation: mnist.test, seed: 1,
  onEpoch: { record in
    print(
      "Epoch \(record.epoch)/\(epochs) - "
        + String(
          format: "%.1fs - loss: %.4f - accuracy: %.4f - val_loss: %.4f - val_accuracy: %.4f",
          record.seconds, record.loss, record.accuracy, record.validationLoss ?? .nan,
          record.validationAccuracy ?? .nan))
  })

// MARK: 6. Evaluate
// score = model.evaluate(x_test, y_test)

let score = model.evaluate(mnist.test)
print(String(format: "Test loss: %.4f", score.loss))
print(String(format: "Test accuracy: %.4f", score.accuracy))

// MARK: 7. Plot accuracy and loss per epoch
// plt.plot(history.history["accuracy"]); plt.plot(history.history["val_accuracy"]) ...
// plt.savefig(...)

print(TrainingPlot.text(history).joined(separator: "\n"))
do {
  let svg = outputFolder.appendingPathComponent("training.svg")
  let csv = outputFolder.appendingPathComponent("history.csv")
  try FileManager.default.createDirectory(at: outputFolder, withIntermediateDirectories: true)
  try AtomicFile.write(Array(TrainingPlot.svg(history, title: "LeNet-5 on MNIST").utf8), to: svg)
  try AtomicFile.write(Array(history.csv.utf8), to: csv)
  print("Wrote \(svg.path) and \(csv.path)")
} catch let error as DataError {
  fail(error.description, fix: error.fix)
} catch {
  fail("\(outputFolder.path): cannot create the folder (\(error.localizedDescription))")
}

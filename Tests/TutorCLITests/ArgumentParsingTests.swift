import Testing

@testable import TutorCLI

/// The argument parser on its own: one declaration feeds the help and the lookup.
@Suite struct ArgumentParsingTests {
  static let epochs = Option.integer(
    "--epochs", "n", "Passes over the data.", in: 1...1000, default: 10)
  static let seed = Option.integer("--seed", "n", "A seed.", in: 0...99)
  static let rate = Option.number(
    "--lr", "rate", "The learning rate.", in: 1e-6...10, default: 0.01)
  static let model = Option.choice(
    "--model", "name", "The model.", from: ["keras", "lecun1998"], default: "keras")
  static let out = Option.text("--out", "dir", "Where to write.", default: "out")
  static let verbose = Flag("--verbose", "Say more.")
  static let spec = CommandSpec(
    name: "demo", abstract: "A demo.",
    arguments: [ArgumentSpec(name: "lesson", help: "A lesson.", isOptional: true)],
    options: [epochs.spec, seed.spec, rate.spec, model.spec, out.spec, verbose.spec])

  func parse(_ words: String...) throws(UsageError) -> ParsedArguments {
    try Self.spec.parse(words)
  }

  @Test func anAbsentOptionHasItsDeclaredDefault() throws {
    let parsed = try parse()
    #expect(try parsed.value(of: Self.epochs) == 10)
    #expect(try parsed.value(of: Self.seed) == nil)
    #expect(try parsed.value(of: Self.rate) == 0.01)
    #expect(try parsed.value(of: Self.model) == "keras")
    #expect(!parsed.isSet(Self.verbose))
  }

  @Test func valuesAreReadSeparatedOrInline() throws {
    let parsed = try parse("--epochs", "3", "--seed=7", "--model", "lecun1998", "--verbose", "4")
    #expect(try parsed.value(of: Self.epochs) == 3)
    #expect(try parsed.value(of: Self.seed) == 7)
    #expect(try parsed.value(of: Self.model) == "lecun1998")
    #expect(parsed.isSet(Self.verbose))
    #expect(parsed.positionals == ["4"])
  }

  @Test func aValueOutsideTheRangeIsAUsageErrorThatStatesTheRange() throws {
    let parsed = try parse("--epochs", "0")
    let error = #expect(throws: UsageError.self) { try parsed.value(of: Self.epochs) }
    #expect(error?.message == "'--epochs' needs a whole number from 1 to 1000, got '0'")
    #expect(error?.helpCommand == "lenet-tutor demo --help")
  }

  @Test func aChoiceOutsideTheListNamesTheChoices() throws {
    let parsed = try parse("--model", "resnet")
    let error = #expect(throws: UsageError.self) { try parsed.value(of: Self.model) }
    #expect(error?.message == "'--model' needs one of keras, lecun1998, got 'resnet'")
  }

  @Test func anEmptyTextIsRefused() throws {
    let parsed = try parse("--out", "")
    let error = #expect(throws: UsageError.self) { try parsed.value(of: Self.out) }
    #expect(error?.message == "'--out' needs a non-empty value, got ''")
  }

  @Test func aFlagTakesNoValue() {
    let error = #expect(throws: UsageError.self) { try parse("--verbose=yes") }
    #expect(error?.message == "'--verbose' is a flag and takes no value")
  }

  @Test func anOptionAtTheEndWithoutItsValueIsAUsageError() {
    let error = #expect(throws: UsageError.self) { try parse("--epochs") }
    #expect(error?.message == "'--epochs' needs a value <n>")
  }

  @Test func anUnknownOptionIsAUsageError() {
    let error = #expect(throws: UsageError.self) { try parse("--frobnicate", "3") }
    #expect(error?.message == "unknown option '--frobnicate'")
  }

  @Test func aMisspelledOptionSuggestsTheDeclaredOne() {
    for (typed, meant) in [
      ("--epoch", "--epochs"), ("--verbsoe", "--verbose"), ("--mdoel", "--model"),
    ] {
      let error = #expect(throws: UsageError.self) { try parse(typed, "3") }
      #expect(error?.message == "unknown option '\(typed)'; did you mean '\(meant)'?")
    }
  }

  @Test func aNegativeNumberIsAValueNotAnOption() throws {
    // `Double("-1") != nil`, so "-1" is a positional, not an unknown option.
    #expect(try parse("-1").positionals == ["-1"])
  }

  @Test func tooManyPositionalsAreAUsageError() {
    let error = #expect(throws: UsageError.self) { try parse("3", "4") }
    #expect(error?.message == "unexpected argument '4'")
  }

  @Test func theHelpShowsEachOptionsRangeAndDefault() {
    #expect(
      Self.spec.help == """
        OVERVIEW: A demo.

        USAGE: lenet-tutor demo [--epochs <n>] [--seed <n>] [--lr <rate>] [--model <name>] \
        [--out <dir>] [--verbose] [<lesson>]

        ARGUMENTS:
          <lesson>                A lesson.

        OPTIONS:
          --epochs <n>            Passes over the data. (1 to 1000; default: 10)
          --seed <n>              A seed. (0 to 99)
          --lr <rate>             The learning rate. (1e-06 to 10; default: 0.01)
          --model <name>          The model. (keras, lecun1998; default: keras)
          --out <dir>             Where to write. (default: out)
          --verbose               Say more.
          -h, --help              Show help information.
        """)
  }
}

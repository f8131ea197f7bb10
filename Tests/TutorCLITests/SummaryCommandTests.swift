import Testing

/// `lenet-tutor summary`, asserted verbatim. The lecun1998 figures are the paper's (section
/// II.B); the Keras ones are Keras' `model.summary()` parameters and the connections derived by
/// hand in `PaperCountTests`.
@Suite struct SummaryCommandTests {
  @Test func lecun1998SummaryIsThePapersTable() {
    let result = run("summary")
    #expect(result.status == 0)
    #expect(result.errors == "")
    #expect(
      result.output == """
        Model: lecun1998
        ──────────────────────────────────────────────────────────────────────────────────────────────────────────────
        Layer   Type                                   Output             Parameters  Connections             Paper
        ──────────────────────────────────────────────────────────────────────────────────────────────────────────────
        input                                          1@32×32
        C1      Conv2D 5×5, scaledTanh                 6@28×28                   156      122,304     156 / 122,304  ✓
        S2      Subsampling 2×2, scaledTanh            6@14×14                    12        5,880        12 / 5,880  ✓
        C3      Conv2D 5×5, 60-link table, scaledTanh  16@10×10                1,516      151,600   1,516 / 151,600  ✓
        S4      Subsampling 2×2, scaledTanh            16@5×5                     32        2,000        32 / 2,000  ✓
        C5      Conv2D 5×5, scaledTanh                 120@1×1                48,120       48,120   48,120 / 48,120  ✓
        F6      Dense, scaledTanh                      84                     10,164       10,164   10,164 / 10,164  ✓
        output  Euclidean RBF                          10             0 (+840 fixed)          840           0 / 840  ✓
        ──────────────────────────────────────────────────────────────────────────────────────────────────────────────
        Total                                                    60,000 (+840 fixed)      340,908  60,000 / 340,908  ✓
        Every figure matches the paper.

        """)
  }

  @Test func explicitModelGivesTheSameTable() {
    #expect(run("summary", "--model", "lecun1998").output == run("summary").output)
    #expect(run("summary", "--model=lecun1998").output == run("summary").output)
  }

  @Test func kerasSummaryHas61706Parameters() {
    let result = run("summary", "--model", "keras")
    #expect(result.status == 0)
    #expect(result.errors == "")
    #expect(
      result.output == """
        Model: keras
        ────────────────────────────────────────────────────────────────
        Layer   Type                   Output    Parameters  Connections
        ────────────────────────────────────────────────────────────────
        input                          1@28×28
        C1      Conv2D 5×5 same, tanh  6@28×28          156      112,440
        S2      AveragePooling 2×2     6@14×14            0        4,704
        C3      Conv2D 5×5, tanh       16@10×10       2,416      241,600
        S4      AveragePooling 2×2     16@5×5             0        1,600
        C5      Conv2D 5×5, tanh       120@1×1       48,120       48,120
        F6      Dense, tanh            84            10,164       10,164
        output  Dense, softmax         10               850          850
        ────────────────────────────────────────────────────────────────
        Total                                        61,706      419,478

        """)
  }

  @Test func summaryHelp() {
    let result = run("summary", "--help")
    #expect(result.status == 0)
    #expect(
      result.output == """
        OVERVIEW: Print a model's layers with their parameters and connections.

        USAGE: lenet-tutor summary [--model <name>]

        OPTIONS:
          --model <name>          The model. (lecun1998, keras; default: lecun1998)
          -h, --help              Show help information.

        For lecun1998 the paper's figures (LeCun et al. 1998, section II.B) stand beside the
        computed ones, with a check mark where they agree.

        """)
    #expect(run("summary", "-h").output == result.output)
  }

  // MARK: Failures: exit status 2, the error, the usage, where to read more.

  @Test func unknownModelIsAUsageError() {
    let result = run("summary", "--model", "lenet")
    #expect(result.status == 2)
    #expect(result.output == "")
    #expect(
      result.errors == """
        error: '--model' needs one of lecun1998, keras, got 'lenet'
        Usage: lenet-tutor summary [--model <name>]
        See 'lenet-tutor summary --help'.

        """)
  }

  @Test func missingModelValueIsAUsageError() {
    let result = run("summary", "--model")
    #expect(result.status == 2)
    #expect(
      result.errors == """
        error: '--model' needs a value <name>
        Usage: lenet-tutor summary [--model <name>]
        See 'lenet-tutor summary --help'.

        """)
  }

  @Test func unknownFlagIsAUsageError() {
    let result = run("summary", "--verbose")
    #expect(result.status == 2)
    #expect(
      result.errors == """
        error: unknown option '--verbose'
        Usage: lenet-tutor summary [--model <name>]
        See 'lenet-tutor summary --help'.

        """)
  }

  @Test func extraArgumentIsAUsageError() {
    let result = run("summary", "keras")
    #expect(result.status == 2)
    #expect(
      result.errors == """
        error: unexpected argument 'keras'
        Usage: lenet-tutor summary [--model <name>]
        See 'lenet-tutor summary --help'.

        """)
  }
}

import Testing

/// `Examples/paper-lenet5`: the 1998 network built from layers matches the paper's figures.
@Suite struct PaperLeNet5Tests {
  @Test func printsEveryPaperFigureWithACheckMark() throws {
    let run = try runExample("paper-lenet5")
    #expect(run.status == 0, "stderr: \(run.errors)")
    // The paper's figures (LeCun et al. 1998, section II.B) for C3 and the totals.
    #expect(run.output.contains("1,516      151,600   1,516 / 151,600  ✓"))
    #expect(run.output.contains("340,908  60,000 / 340,908  ✓"))
    #expect(run.output.contains("Every figure matches the paper."))
    #expect(!run.output.contains("✗"))
  }

  @Test func runsAForwardPassToTenPenalties() throws {
    let run = try runExample("paper-lenet5")
    #expect(run.output.contains("gives 10 penalties, one per digit class"))
  }
}

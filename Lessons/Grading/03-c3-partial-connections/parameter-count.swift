// A hidden check (Docs/teaching.md, "Writing a hidden check"): a table and kernel the visible
// checks do not use, so an answer tailored to Table I and 5×5 kernels fails. 3·2 kernels of 3×3
// weights and 2 biases: 56, by hand.
check(
  "parameters of a 3-input, 2-output table with 3×3 kernels",
  parameterCount(of: .full(inputChannels: 3, outputChannels: 2), kernelSize: 3),
  equals: 3 * 2 * 9 + 2)

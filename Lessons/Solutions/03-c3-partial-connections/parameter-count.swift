/// The trainable parameters of a convolution wired by `table` with `kernelSize`×`kernelSize`
/// kernels: one kernel per linked (input map, output map) pair, one bias per output map.
func parameterCount(of table: ConnectionTable, kernelSize: Int) -> Int {
  var count = 0
  for inputs in table.inputsOfOutput {
    count += inputs.count * kernelSize * kernelSize + 1
  }
  return count
}

/// The position in `scalars` of element `[n, c, y, x]` of a tensor of shape `[N, C, H, W]`.
func offset(n: Int, c: Int, y: Int, x: Int, shape: [Int]) -> Int {
  ((n * shape[1] + c) * shape[2] + y) * shape[3] + x
}

import LeNetKit
import Testing

@Suite struct PNGWriterTests {
  @Test func aWrittenImageDecodesToTheSamePixels() throws {
    let pixels: [UInt8] = (0..<(7 * 5)).map { (index: Int) -> UInt8 in UInt8((index * 37) % 256) }
    let image = GrayImage(width: 7, height: 5, pixels: pixels)
    #expect(try PNG.decode(PNG.encode(image), file: "x.png") == image)
  }

  @Test func theHeaderIsAnEightBitGrayImage() {
    let bytes = PNG.encode(GrayImage(width: 3, height: 2, pixels: [0, 1, 2, 3, 4, 5]))
    // `[UInt8](…)`, not `Array(…)`, to spare the type checker
    // (Docs/training.md: type-checking hot spots).
    #expect([UInt8](bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    // IHDR by ISO/IEC 15948 §11.2.2: length 13, "IHDR", width 3, height 2, depth 8, type 0 (gray).
    #expect(
      [UInt8](bytes[8..<29]) == [
        0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 3, 0, 0, 0, 2, 8, 0, 0, 0, 0,
      ])
    // The file ends with the empty IEND chunk, whose CRC-32 is the well-known AE 42 60 82.
    #expect(
      [UInt8](bytes.suffix(12)) == [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
  }
}

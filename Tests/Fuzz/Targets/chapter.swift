// Fuzz target: the chapter parser (front matter, prose, cells, exercises, quiz blocks) on any
// UTF-8 text, as `lesson`, `check` and `quiz` read Lessons/NN-*.md.
import LessonRunner

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  _ = try? ChapterParser.parse(text, path: "Lessons/03-fuzz.md")
  return 0
}

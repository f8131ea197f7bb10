// Fuzz target: quiz blocks and quiz answers. The input is chapter text, a NUL byte, and a
// learner's answer: every quiz the text declares grades the answer, as `quiz` does.
import LessonRunner

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = UnsafeBufferPointer(start: data, count: size)
  let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
  let text = String(decoding: bytes[..<split], as: UTF8.self)
  let answer = String(decoding: bytes[min(split + 1, bytes.endIndex)...], as: UTF8.self)
  guard let chapter = try? ChapterParser.parse(text, path: "Lessons/03-fuzz.md") else { return 0 }
  for quiz in chapter.quizzes {
    _ = quiz.grade(answer)
    _ = quiz.correctResponse
  }
  return 0
}

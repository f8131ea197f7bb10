// Fuzz target: the progress file (.lenet-tutor/progress.json) read by LearnerProgress.load,
// through a real file as every command reads it, then used as `summary` and `quiz` use it.
import Foundation
import LessonRunner

#if canImport(Glibc)
  import Glibc
#endif

let progressPath = NSTemporaryDirectory() + "lenet-fuzz-progress-\(getpid()).json"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  // Plain POSIX writes: FileManager's atomic write would make this ten times slower.
  let descriptor = open(progressPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
  guard descriptor >= 0 else { return 0 }
  let written = write(descriptor, data, size)
  close(descriptor)
  guard written == size, var progress = try? LearnerProgress.load(from: progressPath) else {
    return 0
  }
  for (stem, chapter) in progress.chapters {
    for exercise in chapter.exercises.keys {
      _ = progress.passed(exercise: exercise, chapter: stem)
    }
  }
  progress.record(answer: "1", correct: true, quiz: "q", chapter: "00-fuzz")
  return 0
}

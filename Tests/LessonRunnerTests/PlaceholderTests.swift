import LessonRunner
import Testing

/// The lesson runner: Markdown chapters with live Swift cells (see Docs/lesson-format.md).
public enum LessonRunner {}

"""Courses: themes, the Markdown course library and its sync, authoring, catalogue,
enrolment and progress."""

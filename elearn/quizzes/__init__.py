"""Quizzes: GIFT question banks, quizzes, attempts and grading."""

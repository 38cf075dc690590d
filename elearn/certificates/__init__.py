"""Completion certificates: PDF rendering (:mod:`.pdf`) and font discovery (:mod:`.fonts`)."""

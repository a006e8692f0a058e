"""The learning platform's writes, by aggregate: courses.py (courses, the outline, co-instructors),
learning.py (enrolments, progress, openings)."""

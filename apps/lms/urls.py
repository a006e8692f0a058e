"""The learning platform's pages under /courses/ (the hook mounts this urlconf).

Each section is one area's pages; the catalogue's course and lesson addresses come last, as a
course's address is a free slug (``RESERVED_COURSE_SLUGS`` keeps the sections' own)."""

app_name = "lms"

urlpatterns: list = []

# --- The course editor, for instructors (apps/lms/views/manage.py) ------------------------------
# (added by the course editor's increment)

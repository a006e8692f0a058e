"""The blog's pages: reading (reading.py) and writing, reviewing and publishing (editing.py)."""

"""The publishing engine: drafts, preview, publish, schedules, history, diff and revert for any
model that subclasses ``Publishable`` (see models.py, services.py, selectors.py)."""

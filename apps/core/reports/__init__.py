"""Reports of any app's objects into the platform's one moderation queue: a reader reports a
post, an account or a message; staff see the reports grouped per object in the queue beside the
comments waiting there, and act (the kind's own actions: remove, silence, suspend...) or dismiss.

An app makes a kind reportable with a ``Reportable(kind=..., ...)`` in its hook's
``reportables`` (registry.py). The table is in models.py, writes in services.py, reads in
selectors.py, the rules in permissions.py, the dialog and staff actions in views.py and urls.py,
the API in api.py. Core names no domain.
"""

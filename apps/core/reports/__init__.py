"""Reports of any app's objects into the platform's one moderation queue: a reader reports a
post, an account or a message; staff see the reports grouped per object in the queue beside the
comments waiting there, and act (the kind's own actions: remove, silence, suspend...) or dismiss.

An app makes a kind reportable with a ``Reportable(kind=..., ...)`` in its hook's
``reportables`` (registry.py). The table is in models.py, writes in services.py, reads in
selectors.py, the rules in permissions.py, the dialog and staff actions in views.py and urls.py;
the API view is apps/core/api/report_views.py. Core names no domain.
"""

from apps.core.platform.faces import lazy_face

# What other apps may use, imported when first asked for (models and services must not load
# with the face).
_EXPORTS = {
    "Reportable": "apps.core.reports.registry",
    "ReportAction": "apps.core.reports.registry",
    "register": "apps.core.reports.registry",
    "unregister": "apps.core.reports.registry",
    "reportable": "apps.core.reports.registry",
    "Report": "apps.core.reports.models",
    # public modules: report_create / report_system / report_act / report_dismiss, and the queue's reads
    "services": "apps.core.reports.services",
    "selectors": "apps.core.reports.selectors",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_face(__name__, _EXPORTS)

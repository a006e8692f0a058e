"""The publishing engine: drafts, preview, publish, schedules, history, diff and revert for any
model that subclasses ``Publishable`` (see models.py, services.py, selectors.py).

This face names what other apps may use; everything else here is core's own.
"""

from apps.core.platform.faces import lazy_face

_EXPORTS = {
    "Publishable": "apps.core.publishing.models",
    "ContentPublished": "apps.core.publishing.services",
    "ContentUnpublished": "apps.core.publishing.services",
    "DraftConflict": "apps.core.publishing.services",
    "preview_token": "apps.core.publishing.services",
    "apply_preview": "apps.core.publishing.http",
    "as_draft": "apps.core.publishing.http",
    "live_or_preview": "apps.core.publishing.http",
    # public modules, used as namespaces: the engine's writes (services.draft_save, .publish, ...)
    # and its public reads of drafts and revisions (selectors.draft_content, .revision_list, ...)
    "services": "apps.core.publishing.services",
    "selectors": "apps.core.publishing.selectors",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_face(__name__, _EXPORTS)

"""Core's API room: the API's shell (root, schema, errors, pagination, parsers, metadata,
authentication with JWT, the shared fields and serializers) and core's own API views
(accounts and sign-in, site). Domain apps mount their API from their hook and build on this.

This face names what other apps may use; everything else here is core's own.
"""

from apps.core.platform.faces import lazy_face

_EXPORTS = {
    "ErrorOutput": "apps.core.api.auth_serializers",
    "BoundedIntegerField": "apps.core.api.fields",
    "IdField": "apps.core.api.fields",
    # the largest row id (2**63 - 1): ids past it name nothing and databases refuse them
    "ID_MAX": "apps.core.api.fields",
    "ApiRootOutput": "apps.core.api.serializers",
    "api_not_found": "apps.core.api.views",
    # the API's error shape: its body (for a DRF Response with extra members) and, for views
    # outside DRF (the editors' JSON endpoints), a whole response
    "error_body": "apps.core.api.errors",
    "json_error": "apps.core.api.errors",
    # public module: the input limits (parsers.MAX_DEPTH, parsers.depth_of, ...)
    "parsers": "apps.core.api.parsers",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_face(__name__, _EXPORTS)

"""Core's pages, one module per area: site (home, status, health, error pages), accounts, dashboards."""

from apps.core.views.site import bad_request, csrf_failure, page_not_found, permission_denied, server_error

__all__ = ["bad_request", "csrf_failure", "page_not_found", "permission_denied", "server_error"]

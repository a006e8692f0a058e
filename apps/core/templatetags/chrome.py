"""``{% chrome "_header.html" %}``: the site's header and footer, rendered once for signed-out visitors.

Signed-out visitors all see the same header (for a given address: the current page is marked and
"Sign in" returns to it) and the same footer, so the HTML is kept in the page cache's fragment
cache under the site-wide namespace, which every publication clears. Signed-in readers and
editors previewing drafts get it rendered for them, as before.
"""

from __future__ import annotations

import hashlib

from django import template
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

from apps.core.platform import pagecache

register = template.Library()

_MAX_PATH = 300  # longer addresses are rendered, not kept: nobody may fill the cache with them


@register.simple_tag(takes_context=True)
def chrome(context: Context, template_name: str, per_address: bool = False) -> SafeString:
    """``template_name`` rendered in this context; for signed-out visitors kept once (``per_address``:
    once per address, for parts that mark the current page)."""
    request = context.get("request")
    part = context.template.engine.get_template(template_name)
    shared = (
        request is not None
        and not request.user.is_authenticated
        and not context.get("site_preview")
        and len(request.path) <= _MAX_PATH
    )
    if not shared:
        return part.render(context)
    address = hashlib.blake2b(request.path.encode(), digest_size=12).hexdigest() if per_address else ""
    key = f"chrome:{template_name}:{address}"
    html = pagecache.cached(pagecache.SITE, key, lambda: str(part.render(context)))
    return mark_safe(html)  # noqa: S308 (rendered by an autoescaping template)

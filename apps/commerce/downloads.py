"""Digital deliveries: a paid digital line gets a DownloadGrant, and its buyer downloads the file
through a signed link that expires (``DigitalAsset.link_hours``) and counts
(``DownloadGrant.downloads`` never passes ``max_downloads``: a check constraint, and the count is
taken by one conditional UPDATE, so two clicks at once cannot both take the last download).

The link's token is ``django.core.signing`` over the grant's id, with a salt of its own; its age
is checked against the asset's hours. The file is streamed from the default storage (S3 in
production), never from a public URL.
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse

from apps.commerce import events as shop_events
from apps.commerce import permissions
from apps.commerce.models import DigitalAsset, DownloadGrant, OrderLine
from apps.core.platform import events

SALT = "commerce.downloads"


@events.subscribe(shop_events.OrderPaid)
def on_order_paid_grant_downloads(event: shop_events.OrderPaid) -> None:
    """Each digital line of the paid order gets its grant (once: the line is unique on it)."""
    grant_downloads(order_id=event.order_id)


def grant_downloads(*, order_id: int) -> list[DownloadGrant]:
    """The grants of an order's digital lines, made where missing (idempotent)."""
    lines = OrderLine.objects.filter(order_id=order_id, is_digital=True, variant__isnull=False)
    assets = {asset.variant_id: asset for asset in DigitalAsset.objects.filter(variant__in=lines.values("variant"))}
    grants = []
    with transaction.atomic():
        for line in lines:
            asset = assets.get(line.variant_id)
            if asset is None:
                continue
            grant, _ = DownloadGrant.objects.get_or_create(
                line=line, defaults={"asset": asset, "max_downloads": asset.max_downloads * line.quantity}
            )
            grants.append(grant)
    return grants


def download_url(grant: DownloadGrant) -> str:
    """A fresh signed link to ``grant``'s file (valid ``link_hours`` from now)."""
    return reverse("commerce:download", args=[signing.dumps(grant.pk, salt=SALT)])


def grant_for_token(*, user: Any, token: str) -> DownloadGrant:
    """The grant a link names, for its buyer (or staff), if the link is genuine and not expired
    and the grant not revoked; else ValidationError (a bad or old link) or PermissionDenied."""
    try:
        grant_id = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise ValidationError("This download link is not valid.", code="bad_link") from None
    grant = (
        DownloadGrant.objects.select_related("asset", "line__order").filter(pk=grant_id).first()
        if isinstance(grant_id, int)
        else None
    )
    if grant is None or grant.revoked or grant.line.quantity_refunded >= grant.line.quantity:
        raise ValidationError("This download is no longer available.", code="revoked")
    if not permissions.can_view_order(user, grant.line.order):
        raise PermissionDenied("This download belongs to another customer.")
    try:
        signing.loads(token, salt=SALT, max_age=grant.asset.link_hours * 3600)
    except signing.SignatureExpired:
        raise ValidationError(
            "This download link has expired: open your order for a new one.", code="expired"
        ) from None
    return grant


def download_take(*, grant: DownloadGrant) -> DownloadGrant:
    """Count one download, atomically; ValidationError when the limit is reached."""
    taken = DownloadGrant.objects.filter(pk=grant.pk, revoked=False, downloads__lt=F("max_downloads")).update(
        downloads=F("downloads") + 1
    )
    if not taken:
        raise ValidationError(f"You have used all {grant.max_downloads} downloads of this file.", code="limit_reached")
    grant.refresh_from_db(fields=["downloads"])
    return grant

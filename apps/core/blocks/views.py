"""The block editor's image upload: a file in, its storage key and address out, as JSON."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from apps.core.accounts import permissions
from apps.core.api.errors import json_error
from apps.core.blocks.images import block_image_upload


@never_cache
def block_image_upload_view(request: HttpRequest) -> JsonResponse:
    """POST ``file`` (multipart, with the CSRF token): 201 ``{"key", "url", "width", "height"}``.

    Every refusal is the API's JSON error shape: 405 for another method, 403 for visitors who
    may not upload, 400 naming what is wrong with the file. Every block editor posts here (the
    admin's site editor and the domains' on-site editors, through static/js/rich-editor.js)."""
    if request.method != "POST":
        response = json_error(405)
        response["Allow"] = "POST"
        return response
    if not permissions.can_upload_block_image(request.user):
        return json_error(403, message="Only editors may upload images.")
    upload = request.FILES.get("file")
    if upload is None:
        return json_error(400, code="invalid", message="Choose an image file to upload.")
    try:
        stored = block_image_upload(user=request.user, file=upload)
    except PermissionDenied:
        return json_error(403, message="Only editors may upload images.")
    except ValidationError as exc:
        return json_error(400, code=exc.code or "invalid", message=" ".join(exc.messages))
    return JsonResponse(stored.as_json(), status=201)

"""Staff's account controls on a profile (/@<handle>/moderate/<action>/): silence, suspend and
their undoing without a report open, the same services the moderation queue's actions call
(apps/social/services/moderation.py). A plain POST and a redirect back to the profile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from apps.social import permissions
from apps.social import selectors_people as people
from apps.social.services import moderation

DONE = {
    "silence": "@{handle} is silenced: their posts reach only their followers.",
    "unsilence": "@{handle} is no longer silenced.",
    "suspend": "@{handle} is suspended.",
    "unsuspend": "@{handle} is no longer suspended.",
}


@require_POST
@login_required
def account_moderate(request: HttpRequest, handle: str, action: str) -> HttpResponse:
    """Staff silence, unsilence, suspend or unsuspend the account at ``handle``, with a reason."""
    if not permissions.can_moderate_social(request.user):
        raise PermissionDenied("Only staff moderate accounts.")
    profile = people.profile_get(handle)
    if profile is None:
        raise Http404("Nobody has that handle.")
    try:
        moderation.ACCOUNT_ACTIONS[action](
            target=profile, moderator=request.user, note=request.POST.get("note", "")[:1000]
        )
    except ValidationError as refusal:
        messages.warning(request, refusal.messages[0])
    else:
        messages.success(request, DONE[action].format(handle=profile.handle))
    return redirect(profile.get_absolute_url())

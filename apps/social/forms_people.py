"""The profile settings form (/social/settings/profile/): its fields parse what was sent; the
rules (reserved and taken handles, http(s) links, the header image's content) are the service's
(services/profile_settings.py), whose refusals land on these fields."""

from __future__ import annotations

from django import forms

from apps.social.models import Profile
from apps.social.models.relations import HANDLE_MAX
from apps.social.services.profile_settings import LINK_LABEL_MAX, LINK_URL_MAX, LINKS_MAX, Settings


class ProfileSettingsForm(forms.Form):
    handle = forms.CharField(
        max_length=HANDLE_MAX + 1,  # a leading "@" is forgiven
        help_text="Your address: /@handle. Letters, digits and underscores.",
    )
    header = forms.FileField(
        required=False,
        label="Header image",
        help_text="A wide image above your profile: PNG, JPEG, GIF or WebP, at most 5 MB.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )
    remove_header = forms.BooleanField(required=False, label="Remove the header image")
    locked = forms.BooleanField(
        required=False,
        label="Lock my account",
        help_text="New followers ask first and you approve them. Unlocking accepts every waiting request.",
    )
    presence_audience = forms.ChoiceField(
        choices=Profile.Presence.choices, label="Who sees when I am online", widget=forms.RadioSelect
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Four rows of links, a label and an address each (the service keeps the filled ones).
        for n in range(LINKS_MAX):
            self.fields[f"link_label_{n}"] = forms.CharField(
                required=False, max_length=LINK_LABEL_MAX, label=f"Link {n + 1} label"
            )
            self.fields[f"link_url_{n}"] = forms.CharField(
                required=False,
                max_length=LINK_URL_MAX,
                label=f"Link {n + 1} address",
                widget=forms.URLInput(attrs={"placeholder": "https://"}),
            )

    @classmethod
    def initial_for(cls, profile: Profile) -> dict[str, object]:
        initial: dict[str, object] = {
            "handle": profile.handle,
            "locked": profile.locked,
            "presence_audience": profile.presence_audience,
        }
        for n, link in enumerate((profile.links or [])[:LINKS_MAX]):
            initial[f"link_label_{n}"], initial[f"link_url_{n}"] = link.get("label", ""), link.get("url", "")
        return initial

    def link_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"link_label_{n}"], self[f"link_url_{n}"]) for n in range(LINKS_MAX)]

    def settings(self) -> Settings:
        data = self.cleaned_data
        return Settings(
            handle=data["handle"],
            locked=data["locked"],
            presence_audience=data["presence_audience"],
            links=[{"label": data[f"link_label_{n}"], "url": data[f"link_url_{n}"]} for n in range(LINKS_MAX)],
            header=data.get("header"),
            remove_header=data["remove_header"],
        )

    def add_refusal(self, errors: dict[str, list[str]]) -> None:
        """The service's refusal, each message on its field (the links' on the first address)."""
        for field, messages in errors.items():
            target = "link_url_0" if field == "links" else field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)

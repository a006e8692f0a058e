"""The social network's admin: staff keep the word filter's phrases here."""

from __future__ import annotations

from django.contrib import admin

from apps.social.models import FilteredPhrase


@admin.register(FilteredPhrase)
class FilteredPhraseAdmin(admin.ModelAdmin):
    list_display = ("phrase", "match", "action", "created_at")
    list_filter = ("match", "action")
    search_fields = ("phrase",)

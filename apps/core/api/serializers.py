from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.core.api.fields import IdField


class ApiRootOutput(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.CharField()
    links = serializers.DictField(child=serializers.URLField())


class ActivityOutput(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    actor_id = serializers.IntegerField(allow_null=True)
    occurred_at = serializers.DateTimeField()
    payload = serializers.DictField()

    def to_representation(self, instance: dict[str, Any]) -> dict[str, Any]:
        return super().to_representation({**instance, "id": instance["_id"]})


class ActivityFilterInput(serializers.Serializer):
    name = serializers.RegexField(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$", required=False)
    actor = IdField(required=False)

"""Reports for API clients: ``POST /api/v1/reports/`` reports any reportable kind's object to its
moderators (the same service as the report dialog). A thin view in the API's error shape: bad
input 400 with its fields, an unknown kind or object 404, a refusal 403, too many reports 429.
Reporting again while a report is open answers 200 with that report (201 for a new one)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.auth_serializers import ErrorOutput
from apps.core.api.fields import ID_MAX
from apps.core.reports import services
from apps.core.reports.models import Report

TAGS = ["reports"]


class ReportInput(serializers.Serializer):
    kind = serializers.RegexField(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$", max_length=64, help_text="e.g. social.post")
    object_id = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    note = serializers.CharField(max_length=services.NOTE_MAX, required=False, allow_blank=True, default="")


class ReportOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    object_id = serializers.IntegerField()
    reason = serializers.CharField()
    note = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class TooFast(exceptions.Throttled):
    default_code = "rate_limited"


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorOutput, description=description)


class ReportCreateView(APIView):
    """Report something to its moderators (a post, an account, a message...)."""

    @extend_schema(
        request=ReportInput,
        responses={
            201: ReportOutput,
            200: OpenApiResponse(ReportOutput, description="You had already reported it: that report."),
            400: _error("Bad input."),
            403: _error("You may not report this."),
            404: _error("No such kind or object."),
            429: _error("Too many reports: wait and try again."),
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = ReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            report, created = services.report_create(reporter=request.user, **data.validated_data)
        except services.ReportRateLimited as refusal:
            raise TooFast(wait=refusal.retry_after, detail=refusal.messages[0]) from None
        except DjangoPermissionDenied as refusal:
            raise exceptions.PermissionDenied(str(refusal)) from None
        except DjangoValidationError as refusal:
            if getattr(refusal, "code", None) in {"unknown_kind", "not_found"} or (
                hasattr(refusal, "error_dict") and set(refusal.error_dict) & {"kind", "object_id"}
            ):
                raise exceptions.NotFound(refusal.messages[0]) from None
            raise exceptions.ValidationError(
                refusal.message_dict if hasattr(refusal, "error_dict") else refusal.messages
            ) from None
        return Response(ReportOutput(report).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

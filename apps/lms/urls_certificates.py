"""Certificates at the site's root, /certificates/<id>/ (the hook mounts this urlconf beside the
courses'): the address printed on a certificate and in its QR code, short and apart from any
course's. An id that is no UUID matches nothing: the site's 404, as an unknown one."""

from django.urls import path

from apps.lms.views import certificates

app_name = "lms_certificates"

urlpatterns = [
    path("<uuid:certificate_uuid>/", certificates.certificate_detail, name="detail"),
    path("<uuid:certificate_uuid>/pdf/", certificates.certificate_download, name="pdf"),
    path("<uuid:certificate_uuid>/revoke/", certificates.certificate_revoke, name="revoke"),
]

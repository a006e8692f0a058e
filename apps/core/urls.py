from django.urls import include, path

from apps.core.accounts import dashboard_views as dashboards
from apps.core.accounts import views as accounts
from apps.core.blocks import views as block_images
from apps.core.site import styleguide
from apps.core.site import views as site

urlpatterns = [
    path("preview/leave/", site.site_preview_exit, name="site-preview-exit"),
    # The design system's components in every state, for staff (docs/design-system.md).
    path("styleguide/", styleguide.styleguide, name="styleguide"),
    path("editor/block-images/", block_images.block_image_upload_view, name="block-image-upload"),
    path("dashboard/", dashboards.dashboard_home, name="dashboard"),
    path("dashboard/<slug:key>/", dashboards.dashboard_page, name="dashboard-page"),
    # Comments on every kind, and the one moderation queue (/moderation/).
    path("", include("apps.core.comments.urls")),
    # Reports of any app's objects (/reports/<kind>/<id>/) and staff's decisions on them.
    path("", include("apps.core.reports.urls")),
    # Every domain's notifications, their preferences and the emails' unsubscribe link.
    path("notifications/", include("apps.core.notifications.urls")),
    # Accounts
    path("accounts/register/", accounts.register, name="register"),
    path("accounts/register/done/", accounts.register_done, name="register-done"),
    path("accounts/verify/<str:token>/", accounts.verify_email, name="verify-email"),
    path("accounts/resend-verification/", accounts.resend_verification, name="resend-verification"),
    path("accounts/login/", accounts.sign_in, name="login"),
    path("accounts/logout/", accounts.sign_out, name="logout"),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/password/", accounts.password_change, name="password_change"),
    path("accounts/password/done/", accounts.password_change_done, name="password_change_done"),
    path("accounts/reset/", accounts.password_reset, name="password_reset"),
    path("accounts/reset/sent/", accounts.password_reset_done, name="password_reset_done"),
    path("accounts/reset/done/", accounts.password_reset_complete, name="password_reset_complete"),
    path("accounts/reset/<uidb64>/<token>/", accounts.password_reset_confirm, name="password_reset_confirm"),
]

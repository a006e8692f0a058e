from django.apps import AppConfig


class CommerceConfig(AppConfig):
    # What the shop contributes to the platform is declared in apps/commerce/platform.py; its
    # models are described in apps/commerce/models.py, who may do what in permissions.py.
    name = "apps.commerce"
    label = "commerce"
    verbose_name = "Shop"

    def ready(self) -> None:
        # Subscribers, registered on import: the notifications and the download grants of paid
        # orders (apps/commerce/notifications.py, downloads.py).
        from apps.commerce import (  # noqa: F401
            downloads,
            notifications,
            receivers,  # noqa: F401 (connects the sign-in cart merge)
        )

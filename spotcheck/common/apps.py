from __future__ import annotations

from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "spotcheck.common"
    label = "common"
    verbose_name = "公共"

    def ready(self) -> None:
        # here, not at the top: the backend's module may import models, ready once apps are
        from spotcheck.common.messaging import check_backend

        # a MESSAGE_BACKEND that names no backend stops start-up, not the first message
        check_backend()

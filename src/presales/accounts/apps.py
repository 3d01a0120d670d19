from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "presales.accounts"
    label = "accounts"

    def ready(self) -> None:
        from presales.accounts import access  # noqa: F401  (registers the access rules)

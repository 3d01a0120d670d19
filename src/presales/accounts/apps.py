from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "presales.accounts"
    label = "accounts"

from django.apps import AppConfig


class ProductsConfig(AppConfig):
    name = "presales.products"
    label = "products"

    def ready(self) -> None:
        from presales.products import access  # noqa: F401  (registers the access rules)

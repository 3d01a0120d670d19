from django.apps import AppConfig


class ProductsConfig(AppConfig):
    name = "presales.products"
    label = "products"

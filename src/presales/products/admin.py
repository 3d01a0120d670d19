from django.contrib import admin

from presales.products.models import Competitor, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "series", "list_price", "active")
    list_filter = ("series", "active")
    search_fields = ("name",)


@admin.register(Competitor)
class CompetitorAdmin(admin.ModelAdmin):
    list_display = ("name", "website")
    search_fields = ("name",)

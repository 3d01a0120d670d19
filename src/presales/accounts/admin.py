from django.contrib import admin

from presales.accounts.models import Account, AccountDomain, Contact


class AccountDomainInline(admin.TabularInline):
    model = AccountDomain
    extra = 0


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("name", "sector", "size", "region", "team", "source", "external_id")
    list_filter = ("sector", "size", "region", "team", "source")
    search_fields = ("name", "external_id", "domains__domain")
    list_select_related = ("region", "team")
    raw_id_fields = ("parent",)
    inlines = [AccountDomainInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("full_name", "title", "account", "deal_role", "status", "email")
    list_filter = ("deal_role", "status", "source")
    search_fields = ("first_name", "last_name", "email", "account__name")
    list_select_related = ("account",)
    raw_id_fields = ("account",)

"""Who sees which accounts: their team's, and those of the deals they see (an account follows
its deals); everything for admins and product managers. Contacts follow their account."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from presales.accounts.models import Account, AccountDomain, Asset, Contact
from presales.core import access
from presales.deals.access import opportunities_for
from presales.people.models import User


def accounts_for(user: User | AnonymousUser) -> QuerySet[Account]:
    if not user.is_authenticated:
        return Account.objects.none()
    assert isinstance(user, User)
    if access.sees_everything(user):
        return Account.objects.all()
    return access.built_once(user, "accounts", _team_and_deal_accounts)


def _team_and_deal_accounts(user: User) -> QuerySet[Account]:
    teams = access.team_ids(user)
    deal_accounts = opportunities_for(user).filter(account__isnull=False).values("account_id")
    return Account.objects.filter(Q(team_id__in=teams) | Q(pk__in=deal_accounts))


access.register(Account, visible=accounts_for)

contacts_for = access.through(Contact, "account")
access.register(Contact, visible=contacts_for)
access.reached_through(AccountDomain, "account", "An account's web domains, shown on the account.")
assets_for = access.through(Asset, "account")
access.register(Asset, visible=assets_for)

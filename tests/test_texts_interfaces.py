"""The text service through its interfaces: the API, the pages and the CLI."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from presales.deals.models import Stage
from presales.texts.models import Text
from presales.texts.services import index_texts
from tests.conftest import Cast, make_account, make_opportunity
from tests.test_api import bearer, call
from tests.test_texts import (  # noqa: F401 - _fresh_vector_cache is an autouse fixture
    NOTES,
    PRICE,
    SSO,
    _fresh_vector_cache,
    needs_model,
    write,
)


def api_get(path: str, user: Any) -> Any:
    return call("get", path, bearer(user))


@needs_model
def test_api_search_answers_with_ranked_hits_and_snippets(cast: Cast) -> None:
    write(cast, NOTES)
    index_texts()
    body = api_get("/api/texts/search?q=budget+freeze%2C+no+money+to+buy&limit=3", cast.alice)
    data = body.json()
    assert body.status_code == 200 and data["mode"] == "hybrid"
    assert data["hits"][0]["text"]["body"] == NOTES[0]
    # The other notes share no word with the query. The float model puts every one below the
    # meaning floor (0.2); the int8 model puts the pricing note just over it (0.21), so at most
    # that one follows, far behind the paraphrase.
    assert data["total"] <= 2 and len(data["hits"]) == data["total"]
    assert all(h["score"] < data["hits"][0]["score"] / 4 for h in data["hits"][1:])


def test_api_search_refuses_bad_input_and_hides_invisible_texts(cast: Cast) -> None:
    south = write(cast, ["South secret"], account=make_account(cast.south))[0]
    bad = api_get("/api/texts/search?q=x&written_after=yesterday", cast.alice)
    assert bad.status_code == 422
    assert {f["field"] for f in bad.json()["error"]["fields"]} == {"q", "written_after"}
    text = Text.objects.get(object_id=south.pk)
    assert api_get(f"/api/texts/{text.pk}", cast.alice).status_code == 404
    assert api_get(f"/api/texts/{text.pk}", cast.carol).json()["body"] == "South secret"


def test_api_corrects_a_label(cast: Cast) -> None:
    note = write(cast, ["Lunch with the account team."])[0]
    text = Text.objects.get(object_id=note.pk)
    path = f"/api/texts/{text.pk}/labels/flavor"
    done = call("put", path, bearer(cast.alice), {"value": "opportunity"})
    assert done.status_code == 200 and done.json()["labels"]["flavor"] == "opportunity"
    bad = call("put", path, bearer(cast.alice), {"value": "maybe"})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "value"
    assert call("put", path, bearer(cast.carol), {"value": "none"}).status_code == 404


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_search_page_highlights_words_and_links_to_the_text(cast: Cast) -> None:
    note = write(cast, ["Their scanners crash every morning at the depot."])[0]
    make_opportunity(make_account(cast.north, "Scanner World"), name="Scanners for depots")
    page = logged_in(cast.alice).get("/search/?q=scanners").content.decode()
    text = Text.objects.get(object_id=note.pk)
    assert "Their <mark>scanners</mark> crash every morning" in page
    assert f'href="/texts/{text.pk}/"' in page
    assert "Scanners for depots" in page  # deals by name, as before


def test_search_page_reports_a_bad_date(cast: Cast) -> None:
    page = logged_in(cast.alice).get("/search/?q=scanners&from=soon").content.decode()
    assert "is not a date" in page


def test_text_page_shows_labels_and_takes_a_correction(cast: Cast) -> None:
    note = write(cast, ["We will send the SOC 2 report by Friday."])[0]
    text = Text.objects.get(object_id=note.pk)
    client = logged_in(cast.alice)
    page = client.get(f"/texts/{text.pk}/").content.decode()
    assert "us: send the SOC 2 report — due" in page
    client.post(f"/texts/{text.pk}/", {"label": "security_objection", "value": "yes"})
    text.refresh_from_db()
    assert text.labels["security_objection"] == "yes"
    assert logged_in(cast.carol).get(f"/texts/{text.pk}/").status_code == 404


def test_themes_page_lists_themes_with_counts(cast: Cast, settings: Any) -> None:
    settings.TEXT_MODEL = "off"  # words only: groups by shared words
    write(cast, ["Okta login for single sign-on", "Okta single sign-on for admins", *PRICE[:2]])
    page = logged_in(cast.alice).get("/texts/themes/").content.decode()
    assert "4 of 4 texts grouped" in page
    assert "okta" in page


@needs_model
def test_deal_page_loads_similar_deals_as_a_fragment(cast: Cast) -> None:
    account = make_account(cast.north)
    lost = make_opportunity(make_account(cast.north), name="Lost on SSO", stage=Stage.LOST)
    current = make_opportunity(account, name="Open deal")
    write(cast, SSO, account=lost.account, opportunity=lost)
    write(cast, ["They want Okta single sign-on."], account=account, opportunity=current)
    index_texts()
    client = logged_in(cast.alice)
    deal_page = client.get(f"/opportunities/{current.pk}/").content.decode()
    assert f'hx-get="/texts/similar-deals/{current.pk}/"' in deal_page
    fragment = client.get(f"/texts/similar-deals/{current.pk}/").content.decode()
    assert "Lost on SSO" in fragment and "Closed lost" in fragment


def test_cli_search_prints_json_hits(cast: Cast, capsys: Any) -> None:
    from presales.cli import main

    write(cast, NOTES)
    assert main(["search", "pricing discounts", "--json", "--limit", "2", "--user", "alice"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["hits"][0]["body"] == NOTES[5]
    assert len(data["hits"]) <= 2


def test_cli_search_names_a_bad_query(cast: Cast, capsys: Any) -> None:
    from presales.cli import main

    assert main(["search", "x", "--user", "alice"]) == 2
    assert "at least two characters" in capsys.readouterr().err


def test_cli_index_reports_what_it_did(cast: Cast, capsys: Any, settings: Any) -> None:
    from presales.cli import main

    settings.TEXT_MODEL = "off"
    write(cast, NOTES[:2])
    assert main(["index"]) == 0
    assert "2 texts indexed (words only" in capsys.readouterr().out


def test_cli_eval_text_prints_per_label_precision_and_recall(db: None, capsys: Any) -> None:
    from presales.cli import main

    assert main(["eval-text", "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert [r["part"] for r in runs] == ["all", "held-out", "planted"]
    planted = runs[2]
    assert planted["pairs"] == 12
    if planted["skipped"]:
        assert planted["skipped"] == "the meaning model is not installed"
    else:
        # Planted among nothing else, every note is ranked, and top-3 counts are counts.
        assert all(1 <= r["meaning_rank"] <= 12 for r in planted["ranks"]), planted["ranks"]
        assert 0 < planted["meaning_top"] <= 12 and 0 < planted["fused_top"] <= 12
    from presales.notes.models import Note

    assert not Note.objects.exists()  # the planted notes were rolled back
    labels = {row["label"] for row in runs[0]["labels"]}
    assert {"flavor=problem", "product_gap", "champion_left", "commitment"} <= labels

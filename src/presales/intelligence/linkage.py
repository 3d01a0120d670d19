"""Probabilistic record linkage (Fellegi-Sunter) with Splink on DuckDB, trained without labels.

A ``Model`` names the comparisons, the blocking rules that keep the number of compared pairs
small, and the rules used to train m probabilities by expectation maximisation; u probabilities
come from random sampling. ``link`` returns every candidate pair with its match probability and
its reasons (for each comparison the level reached and its match weight), and the clusters:
connected components of the pairs at or above a threshold, so each record is in one cluster at
most.

The same settings run on Spark: build the ``Linker`` with ``splink.SparkAPI(spark_session=...)``
instead of ``DuckDBAPI`` (see the README, "Duplicates at scale").
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Reason:
    field: str
    level: str
    weight: float

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "level": self.level, "weight": round(self.weight, 2)}


@dataclass(frozen=True)
class Pair:
    left: Any
    right: Any
    probability: float
    weight: float
    reasons: tuple[Reason, ...]


@dataclass
class Result:
    pairs: list[Pair]
    clusters: list[list[Any]]
    threshold: float
    trained: list[str] = field(default_factory=list)

    def cluster_probability(self, members: Sequence[Any]) -> float:
        """The strongest link that holds a cluster together, at its weakest: the lowest
        probability among the pairs of the cluster's spanning tree is a fair summary, but the
        mean of the pairs above threshold reads better; we report the lowest of those."""
        inside = set(members)
        found = [
            p.probability
            for p in self.pairs
            if p.left in inside and p.right in inside and p.probability >= self.threshold
        ]
        return min(found) if found else 0.0


@dataclass
class Model:
    """What to compare and how to keep it fast.

    ``comparisons`` are Splink comparison creators (``splink.comparison_library``);
    ``blocking`` the rules whose pairs are scored; ``training`` the rules whose pairs train m
    by expectation maximisation (each must leave some comparisons free to learn);
    ``deterministic`` rules that almost surely mean a match, for the prior.
    """

    comparisons: list[Any]
    blocking: list[Any]
    training: list[Any]
    deterministic: list[Any]
    recall: float = 0.7
    link_type: Literal["dedupe_only", "link_only", "link_and_dedupe"] = "dedupe_only"
    prior: float = 0.001


def _settings(model: Model) -> Any:
    from splink import SettingsCreator

    return SettingsCreator(
        link_type=model.link_type,
        comparisons=model.comparisons,
        blocking_rules_to_generate_predictions=model.blocking,
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        probability_two_random_records_match=model.prior,
    )


def _train(
    linker: Any, model: Model, rows: int, progress: Progress | None, rebuild: Callable[[Any], Any]
) -> tuple[Any, list[str]]:
    """Train what the data allows; a step that cannot run on this data keeps the defaults.

    A failed training session can leave the linker without the comparisons it set aside, so
    the model is saved before each session and the linker rebuilt from it on failure."""
    done: list[str] = []
    steps = 2 + len(model.training)
    if progress:
        progress("Training: how often two records match", 0, steps)
    try:
        linker.training.estimate_probability_two_random_records_match(
            model.deterministic, recall=model.recall
        )
        done.append("prior")
    except Exception as exc:  # too few sure matches in this data: keep the default prior
        log.info("Prior kept at its default: %s", exc)
    if progress:
        progress("Training: u by random sampling", 1, steps)
    linker.training.estimate_u_using_random_sampling(
        max_pairs=min(2e6, max(1e4, rows * 20.0)), seed=7
    )
    done.append("u")
    for index, rule in enumerate(model.training):
        if progress:
            progress("Training: m by expectation maximisation", 2 + index, steps)
        saved = linker.misc.save_model_to_json()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
            done.append(f"m:{index}")
        except Exception as exc:  # no pairs under this rule in this data
            log.info("Training rule %s skipped: %s", index, exc)
            linker = rebuild(saved)
    return linker, done


def _level_labels(linker: Any) -> dict[str, dict[int, str]]:
    labels: dict[str, dict[int, str]] = {}
    for comparison in linker._settings_obj.comparisons:
        name = comparison.output_column_name
        labels[name] = {
            level.comparison_vector_value: level.label_for_charts
            for level in comparison.comparison_levels
        }
    return labels


def _components(edges: Sequence[tuple[Any, Any]]) -> list[list[Any]]:
    parent: dict[Any, Any] = {}

    def find(x: Any) -> Any:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[Any, list[Any]] = {}
    for x in list(parent):
        groups.setdefault(find(x), []).append(x)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def link(
    frames: Sequence[Any],
    model: Model,
    *,
    threshold: float = 0.9,
    keep: float = 0.5,
    progress: Progress | None = None,
) -> Result:
    """Score the candidate pairs of ``frames`` (pandas frames with a ``unique_id`` column, one
    for a dedupe, two for a link) and cluster those at or above ``threshold``. Pairs below
    ``keep`` are dropped; those kept carry their reasons."""
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.ERROR)
    rows = sum(len(f) for f in frames)
    if rows < 2:
        return Result([], [], threshold)
    db_api = DuckDBAPI()
    tables = [db_api.register(f) for f in frames]
    linker = Linker(
        tables if len(tables) > 1 else tables[0], _settings(model), log_level=logging.ERROR
    )

    def rebuild(settings: Any) -> Any:
        return Linker(tables if len(tables) > 1 else tables[0], settings, log_level=logging.ERROR)

    linker, trained = _train(linker, model, rows, progress, rebuild)
    if progress:
        progress("Scoring candidate pairs", 0, 1)
    predicted = linker.inference.predict(threshold_match_probability=keep)
    table = predicted.as_pandas_dataframe()
    labels = _level_labels(linker)
    pairs: list[Pair] = []
    names = list(labels)
    columns = {c: list(table[c]) for c in table.columns if c.startswith(("gamma_", "mw_"))}
    lefts, rights = list(table["unique_id_l"]), list(table["unique_id_r"])
    probs, weights = list(table["match_probability"]), list(table["match_weight"])
    for i in range(len(table)):
        reasons = []
        for name in names:
            gamma = int(columns[f"gamma_{name}"][i])
            weight = float(columns[f"mw_{name}"][i])
            weight = weight if math.isfinite(weight) else -30.0
            reasons.append(Reason(name, labels[name].get(gamma, str(gamma)), weight))
        left, right = lefts[i], rights[i]
        if right < left:
            left, right = right, left
        pairs.append(Pair(left, right, float(probs[i]), float(weights[i]), tuple(reasons)))
    pairs.sort(key=lambda p: -p.probability)
    edges = [(p.left, p.right) for p in pairs if p.probability >= threshold]
    if progress:
        progress("Scoring candidate pairs", 1, 1)
    return Result(pairs, _components(edges), threshold, trained)

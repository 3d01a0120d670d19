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
import time
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
    # Seconds per phase (training, scoring, clustering), for the benchmark and the run record.
    timings: dict[str, float] = field(default_factory=dict)

    def cluster_probabilities(self) -> list[float]:
        """For each cluster, the lowest probability among its pairs at or above the
        threshold: the weakest link that holds it together (one pass over the pairs)."""
        where = {m: n for n, members in enumerate(self.clusters) for m in members}
        lowest = [1.0 if len(c) > 1 else 0.0 for c in self.clusters]
        for p in self.pairs:
            n = where.get(p.left)
            if n is not None and p.probability >= self.threshold and where.get(p.right) == n:
                lowest[n] = min(lowest[n], p.probability)
        return lowest


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
    # Pairs drawn at random to learn u, and the most blocked pairs EM learns m from (a sample
    # of records when a rule makes more): both bound the training time whatever the size.
    u_pairs: float = 2e6
    em_pairs: float | None = None
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
    linker: Any,
    model: Model,
    rows: int,
    progress: Progress | None,
    rebuild: Callable[[Any], Any],
    timings: dict[str, float],
) -> tuple[Any, list[str]]:
    """Train what the data allows; a step that cannot run on this data keeps the defaults.

    A failed training session can leave the linker without the comparisons it set aside, so
    the model is saved before each session and the linker rebuilt from it on failure."""
    done: list[str] = []
    steps = 2 + len(model.training)
    if progress:
        progress("Training: how often two records match", 0, steps)
    started = time.perf_counter()
    try:
        linker.training.estimate_probability_two_random_records_match(
            model.deterministic, recall=model.recall
        )
        done.append("prior")
    except Exception as exc:  # too few sure matches in this data: keep the default prior
        log.info("Prior kept at its default: %s", exc)
    timings["training prior"] = time.perf_counter() - started
    if progress:
        progress("Training: u by random sampling", 1, steps)
    started = time.perf_counter()
    # One pass over the sample per comparison: the rare levels (an exact domain or phone)
    # never reach an early stop, so chunks would only repeat the query's overhead.
    linker.training.estimate_u_using_random_sampling(
        max_pairs=min(model.u_pairs, max(1e4, rows * 20.0)), seed=7, num_chunks=1
    )
    done.append("u")
    timings["training u"] = time.perf_counter() - started
    started = time.perf_counter()
    for index, rule in enumerate(model.training):
        if progress:
            progress("Training: m by expectation maximisation", 2 + index, steps)
        saved = linker.misc.save_model_to_json()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True, max_pairs=model.em_pairs
            )
            done.append(f"m:{index}")
        except Exception as exc:  # no pairs under this rule in this data
            log.info("Training rule %s skipped: %s", index, exc)
            linker = rebuild(saved)
    timings["training m"] = time.perf_counter() - started
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
    connection: Any = None,
) -> Result:
    """Score the candidate pairs of ``frames`` and cluster those at or above ``threshold``.

    ``frames`` are pandas frames with a ``unique_id`` column, or the names of tables already
    in the DuckDB ``connection``; one for a dedupe, two for a link. Only pairs at or above
    ``keep`` leave DuckDB; they carry their reasons."""
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.ERROR)
    timings: dict[str, float] = {}
    if connection is None:
        from presales.intelligence.loading import connect

        connection = connect()
    rows = sum(
        connection.execute(f"SELECT count(*) FROM {f}").fetchall()[0][0]  # noqa: S608
        if isinstance(f, str)
        else len(f)
        for f in frames
    )
    if rows < 2:
        return Result([], [], threshold)
    db_api = DuckDBAPI(connection=connection)
    tables = [db_api.register(f) for f in frames]
    source = tables if len(tables) > 1 else tables[0]
    linker = Linker(source, _settings(model), log_level=logging.ERROR)

    def rebuild(settings: Any) -> Any:
        return Linker(source, settings, log_level=logging.ERROR)

    started = time.perf_counter()
    linker, trained = _train(linker, model, rows, progress, rebuild, timings)
    timings["training"] = time.perf_counter() - started
    if progress:
        progress("Scoring candidate pairs", 0, 1)
    started = time.perf_counter()
    predicted = linker.inference.predict(threshold_match_probability=keep)
    pairs = _pairs(linker, predicted.as_pyarrow_table())
    predicted.drop_table_from_database_and_remove_from_cache()
    timings["scoring"] = time.perf_counter() - started
    started = time.perf_counter()
    pairs.sort(key=lambda p: -p.probability)
    clusters = _components([(p.left, p.right) for p in pairs if p.probability >= threshold])
    timings["clustering"] = time.perf_counter() - started
    if progress:
        progress("Scoring candidate pairs", 1, 1)
    return Result(pairs, clusters, threshold, trained, timings)


def _pairs(linker: Any, table: Any) -> list[Pair]:
    """Predicted pairs (an Arrow table) with their reasons, the lower id on the left."""
    labels = _level_labels(linker)
    names = list(labels)
    column = {c: table.column(c).to_pylist() for c in table.column_names}
    lefts, rights = column["unique_id_l"], column["unique_id_r"]
    probs, weights = column["match_probability"], column["match_weight"]
    gammas = [column[f"gamma_{name}"] for name in names]
    partial = [column[f"mw_{name}"] for name in names]
    pairs: list[Pair] = []
    for i in range(len(lefts)):
        reasons = []
        for n, name in enumerate(names):
            gamma = int(gammas[n][i])
            weight = float(partial[n][i])
            weight = weight if math.isfinite(weight) else -30.0
            reasons.append(Reason(name, labels[name].get(gamma, str(gamma)), weight))
        left, right = lefts[i], rights[i]
        if right < left:
            left, right = right, left
        pairs.append(Pair(left, right, float(probs[i]), float(weights[i]), tuple(reasons)))
    return pairs

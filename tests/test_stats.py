"""Statistics against hand computation, published values and scipy."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import analysis
from analysis.keyness import keyness, log_likelihood_g2, log_odds_dirichlet, log_ratio
from analysis.stats import (SmallSampleWarning, benjamini_hochberg, cliffs_delta, holm)
from helpers import docs_from


def test_benjamini_hochberg_published_example():
    # Benjamini & Hochberg (1995), section 4: 15 p-values; at q = 0.05 the four smallest
    # hypotheses are rejected.
    p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240,
         0.4262, 0.5719, 0.6528, 0.7590, 1.0000]
    q = benjamini_hochberg(p)
    assert (q <= 0.05).sum() == 4 and list(q[:4] <= 0.05) == [True] * 4
    # by hand: q_4 = min over k>=4 of p_k * 15 / k = 0.0095 * 15 / 4
    assert q[3] == pytest.approx(0.0095 * 15 / 4)


def test_holm_by_hand():
    # sorted 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, max(0.04*1, 0.06) = 0.06
    assert holm([0.01, 0.04, 0.03, 0.005]).tolist() == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert np.isnan(holm([0.01, np.nan])[1])


def test_cliffs_delta_by_hand_and_brute_force():
    assert cliffs_delta([3, 4], [1, 2]) == 1.0
    assert cliffs_delta([1, 2, 3], [2, 2]) == 0.0
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=40), rng.normal(0.5, size=30)
    brute = (sum(a > b for a in x for b in y) - sum(a < b for a in x for b in y)) / (40 * 30)
    assert cliffs_delta(x, y) == pytest.approx(brute)


def test_g2_published_worked_example():
    # Lancaster University's log-likelihood tutorial (UCREL LL wizard, Rayson & Garside 2000):
    # a word seen 52 times in 50,000 tokens and 57 times in 75,000 tokens has LL = 2.65.
    assert float(log_likelihood_g2(52, 57, 50_000, 75_000)) == pytest.approx(2.65, abs=0.005)


def test_g2_equals_scipy_power_divergence():
    a, b, c, d = 30, 4, 20_000, 35_000
    e1, e2 = c * (a + b) / (c + d), d * (a + b) / (c + d)
    expected = sps.power_divergence([a, b], f_exp=[e1, e2], lambda_="log-likelihood").statistic
    assert float(log_likelihood_g2(a, b, c, d)) == pytest.approx(expected)


def test_log_ratio_by_hand():
    assert float(log_ratio(52, 57, 50_000, 75_000)) == pytest.approx(
        math.log2((52 / 50_000) / (57 / 75_000)))
    assert float(log_ratio(4, 0, 1000, 1000)) == pytest.approx(math.log2(4 / 0.5))


def test_log_odds_dirichlet_by_hand():
    # Monroe et al. (2008) eq. 16 and 20 on a two-word vocabulary, prior alpha = (1, 1):
    # word 0: y_i = 3 of n_i = 4, y_j = 1 of n_j = 4, a0 = 2
    delta, var, z = log_odds_dirichlet([3, 1], [1, 3], [1, 1])
    d0 = math.log((3 + 1) / (4 + 2 - 3 - 1)) - math.log((1 + 1) / (4 + 2 - 1 - 1))
    v0 = 1 / (3 + 1) + 1 / (1 + 1)
    assert delta[0] == pytest.approx(d0) and var[0] == pytest.approx(v0)
    assert z[0] == pytest.approx(d0 / math.sqrt(v0)) and z[1] == pytest.approx(-z[0])


def test_keyness_signs_on_tidylo_fixture():
    # tidylo's published test fixture (bind_log_odds tests): words unique to one document get
    # positive weighted log odds for that document.
    doc1 = ["the", "quick", "brown", "fox", "jumped", "jumped"]
    doc2 = ["over", "the", "lazy", "brown", "dog", "dog"]
    table = keyness(doc1, doc2, min_freq=1).set_index("term")
    for word in ("quick", "fox", "jumped"):
        assert table.loc[word, "log_odds_z"] > 0
    for word in ("over", "lazy", "dog"):
        assert table.loc[word, "log_odds_z"] < 0
    assert table.loc["the", "log_odds_z"] == pytest.approx(0.0, abs=1e-9)
    assert table.loc["the", "g2"] == 0.0


def test_keyness_min_freq_and_kwic_reachability():
    text = ("\u201cSanctions sanctions sanctions will bite,\u201d the Kremlin said. "
            "Readers said peace peace peace matters.")
    result = analysis.analyze(docs_from(text, genre=["news"]))
    table = result.keyness(by="voice", target="official", min_freq=3)
    assert set(table["term"]) <= {t for t in result.tokens["norm"]}
    top = table.iloc[0]
    assert top["term"] == "sanctions" and top["freq_target"] == 3
    assert len(result.kwic(term=top["term"], window=2)) == top["freq_target"]
    assert (table["freq_target"] + table["freq_reference"] >= 3).all()


def _toy_corpus(n_docs=12, seed=3):
    rng = np.random.default_rng(seed)
    texts, genres = [], []
    for i in range(n_docs):
        genre = "op-ed" if i % 2 else "statement"
        n_hedge = int(rng.integers(0, 4)) + (2 if genre == "op-ed" else 0)
        words = ["The talks may continue."] * n_hedge + ["Officials met today."] * 5
        texts.append(" ".join(words))
        genres.append(genre)
    return analysis.analyze(docs_from(*texts, genre=genres), voices=False)


def test_rate_ci_matches_scipy_bootstrap():
    result = _toy_corpus()
    table = result.rates_ci(by="genre", n_resamples=4000, seed=7).set_index(["genre", "measure"])
    row = table.loc[("op-ed", "hedge")]
    per_doc = result.rates_by_document(level="measure")
    per_doc = per_doc[per_doc.measure == "hedge"].merge(result.docs[["doc_id", "genre"]])
    sub = per_doc[per_doc.genre == "op-ed"]
    hits, toks = sub["hits"].to_numpy(float), sub["tokens"].to_numpy(float)
    assert row["per_1k"] == pytest.approx(1000 * hits.sum() / toks.sum(), abs=1e-4)
    ref = sps.bootstrap((hits, toks), lambda h, t, axis=-1: 1000 * h.sum(axis) / t.sum(axis),
                        paired=True, vectorized=True, n_resamples=4000, method="percentile",
                        confidence_level=0.95, random_state=np.random.default_rng(11))
    width = ref.confidence_interval.high - ref.confidence_interval.low
    assert row["ci_low"] == pytest.approx(ref.confidence_interval.low, abs=0.1 * width)
    assert row["ci_high"] == pytest.approx(ref.confidence_interval.high, abs=0.1 * width)
    assert row["resampling"] == "documents" and not row["small_sample"]


def test_comparison_p_value_agrees_with_scipy_permutation_test():
    result = _toy_corpus(n_docs=16)
    table = result.compare(by="genre", measure="hedge", n_permutations=5000, seed=5)
    row = table[table.comparison == "op-ed vs statement"].iloc[0]
    per_doc = result.rates_by_document(level="measure")
    per_doc = per_doc[per_doc.measure == "hedge"].merge(result.docs[["doc_id", "genre"]])
    a = per_doc[per_doc.genre == "op-ed"][["hits", "tokens"]].to_numpy(float)
    b = per_doc[per_doc.genre == "statement"][["hits", "tokens"]].to_numpy(float)

    def statistic(x, y, axis=-1):
        return x[..., 0].sum(axis) / x[..., 1].sum(axis) - y[..., 0].sum(axis) / y[..., 1].sum(axis)

    idx_a, idx_b = np.arange(len(a)), np.arange(len(a), len(a) + len(b))
    both = np.vstack([a, b])
    ref = sps.permutation_test((idx_a, idx_b), lambda i, j: statistic(both[i], both[j]),
                               n_resamples=5000, vectorized=False, alternative="two-sided",
                               random_state=np.random.default_rng(2))
    assert row["p_value"] == pytest.approx(ref.pvalue, abs=0.03)
    assert row["difference"] == pytest.approx(1000 * statistic(a, b), abs=1e-3)
    assert row["difference_ci_low"] <= row["difference"] <= row["difference_ci_high"]


def test_more_than_two_groups_every_pair_and_versus_rest():
    result = _toy_corpus()
    result.docs["trio"] = ["a", "b", "c"] * 4
    table = result.compare(by="trio", measure="hedge", n_resamples=200, n_permutations=200)
    assert table["comparison"].tolist() == ["a vs b", "a vs c", "b vs c", "a vs rest",
                                            "b vs rest", "c vs rest"]
    assert table["q_bh"].between(0, 1).all() and (table["p_holm"] >= table["p_value"]).all()


def test_deterministic_for_a_seed_and_sensitive_to_it():
    result = _toy_corpus()
    one = result.rates_ci(by="genre", seed=1, n_resamples=300)
    two = result.rates_ci(by="genre", seed=1, n_resamples=300)
    three = result.rates_ci(by="genre", seed=2, n_resamples=300)
    pd.testing.assert_frame_equal(one, two)
    assert not one["ci_low"].equals(three["ci_low"])


def test_tiny_samples_are_labelled_and_warned(seed_docs):
    result = analysis.analyze(seed_docs)
    with pytest.warns(SmallSampleWarning, match="sentences"):
        table = result.compare(by="voice", measure="hedge", n_resamples=200, n_permutations=200)
    assert (table["resampling"] == "sentences").all() and table["small_sample"].all()
    row = table[table.comparison == "commentary vs official"].iloc[0]
    assert row["per_1k_a"] == 0.0 and row["hits_b"] == 2  # hand count: "may" x2 in quotes
    assert np.isfinite([row["difference_ci_low"], row["difference_ci_high"]]).all()


def test_sentiment_comparison_by_hand():
    texts = ["It was a wonderful, great success.", "A terrible, awful disaster."] * 6
    result = analysis.analyze(docs_from(*texts, genre=["good", "bad"] * 6), voices=False)
    table = result.compare_sentiment(by="genre", n_resamples=300, n_permutations=300)
    row = table.iloc[0]
    assert (row["group_a"], row["group_b"]) == ("bad", "good")
    assert row["cliffs_delta"] == -1.0  # every bad sentence scores below every good one
    assert row["difference"] == pytest.approx(row["mean_a"] - row["mean_b"])
    assert row["ci_high"] < 0 and row["p_value"] < 0.01


def test_shared_corpus_answers_the_hedging_question_in_one_call(corpus_sources):
    result = analysis.analyze(corpus_sources / "ru_ua_war_2022")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        table = result.compare(by="voice", measure="hedge", n_resamples=300, n_permutations=300)
    row = table[table.comparison == "commentary vs official"].iloc[0]
    for col in ("per_1k_a", "per_1k_b", "difference", "difference_ci_low", "difference_ci_high",
                "rate_ratio", "p_value", "q_bh"):
        assert np.isfinite(row[col]), col
    assert row["difference_ci_low"] <= row["difference"] <= row["difference_ci_high"]


def test_group_values_with_separator_and_seed_types():
    result = _toy_corpus()
    result.docs["kind"] = ["A | B"] * 6 + ["C"] * 6
    table = result.rates_ci(by="kind", n_resamples=200)
    assert set(table["kind"]) == {"A | B", "C"}
    a = result.rates_ci(by="genre", n_resamples=200, seed=5)
    b = result.rates_ci(by="genre", n_resamples=200, seed=np.int64(5))
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(analysis.ParameterError):
        result.rates_ci(by="genre", n_resamples=200, seed="five")


def test_keyness_refuses_nonsense():
    with pytest.raises(analysis.ParameterError):
        keyness(["a", "b"], ["a", "c"], prior_scale=-1)
    result = _toy_corpus()
    with pytest.raises(analysis.ParameterError, match="differ"):
        result.keyness(by="genre", target="op-ed", reference="op-ed")

"""Where agreement statistics are defined and where they are not, and what is returned instead."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from assess.domain.agreement import agreement_by_dimension, icc_forms, krippendorff_alpha, quadratic_weighted_kappa

NAN = np.nan
ICC_NAMES = ("icc1_1", "icc2_1", "icc3_1", "icc1_k", "icc2_k", "icc3_k")


@dataclass(frozen=True)
class R:
    candidate: str
    rater: str
    dimension: str
    score: float


def test_kappa_needs_the_same_items_from_both_raters() -> None:
    with pytest.raises(ValueError, match="^both raters must score the same items$"):
        quadratic_weighted_kappa([1, 2, 3], [1, 2])


def test_kappa_is_undefined_for_fewer_than_two_items_or_one_shared_score_throughout() -> None:
    assert quadratic_weighted_kappa([3], [3]) is None
    assert quadratic_weighted_kappa([], []) is None
    assert quadratic_weighted_kappa([4, 4, 4], [4, 4, 4]) is None


def test_kappa_is_zero_when_one_rater_never_varies_and_no_warning_escapes() -> None:
    # Chance agreement is all the agreement there is; statsmodels' variance divides by zero here.
    assert quadratic_weighted_kappa([3, 3, 3, 3], [2, 3, 4, 5]) == pytest.approx(0.0)
    assert quadratic_weighted_kappa([2, 3, 4, 5], [3, 3, 3, 3]) == pytest.approx(0.0)


def test_kappa_on_the_default_one_to_five_scale_matches_its_definition() -> None:
    first, second = [1, 2, 3, 4, 5, 5, 2], [1, 3, 3, 5, 4, 5, 1]
    observed = np.zeros((5, 5))
    for a, b in zip(first, second, strict=True):
        observed[a - 1, b - 1] += 1
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    weights = np.subtract.outer(np.arange(5), np.arange(5)) ** 2
    definition = 1 - (weights * observed).sum() / (weights * expected).sum()
    assert quadratic_weighted_kappa(first, second) == pytest.approx(definition)
    assert quadratic_weighted_kappa([0, 1, 2], [0, 2, 2], low=0, high=2) == pytest.approx(
        quadratic_weighted_kappa([1, 2, 3], [1, 3, 3], low=1, high=3)
    )


def test_icc_is_defined_from_two_targets_and_two_raters() -> None:
    forms = icc_forms(np.array([[1.0, 2.0], [3.0, 5.0]]))
    assert set(forms) == set(ICC_NAMES)
    assert all(isinstance(v, float) and np.isfinite(v) for v in forms.values())


@pytest.mark.parametrize("shape", [(1, 3), (3, 1), (1, 1)])
def test_icc_refuses_a_single_target_or_a_single_rater(shape: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="^ICC needs a complete table of at least two targets and two raters$"):
        icc_forms(np.arange(1.0, 1.0 + shape[0] * shape[1]).reshape(shape))


def test_alpha_counts_units_that_two_raters_scored() -> None:
    two_raters = np.array([[1.0, 2.0, 1.0], [1.0, 2.0, 2.0]])  # two values only, every unit pairable
    assert isinstance(krippendorff_alpha(two_raters, "nominal"), float)
    one_pairable_unit = np.array([[1.0, 3.0], [2.0, NAN]])
    assert isinstance(krippendorff_alpha(one_pairable_unit, "interval"), float)


def test_alpha_is_undefined_without_a_pairable_unit_or_with_one_value_throughout() -> None:
    assert krippendorff_alpha(np.array([[1.0, NAN], [NAN, 2.0]]), "nominal") is None
    assert krippendorff_alpha(np.array([[3.0, 3.0], [3.0, 3.0]]), "ordinal") is None
    # the only other value is in a unit nobody else scored
    assert krippendorff_alpha(np.array([[3.0, 3.0, 5.0], [3.0, 3.0, NAN]]), "ordinal") is None


def test_a_dimension_with_gaps_gets_no_iccs_but_keeps_its_name_and_alphas() -> None:
    ratings = [
        R("a", "ann", "framing", 4), R("a", "bob", "framing", 3),
        R("b", "ann", "framing", 2), R("c", "bob", "framing", 5),
        R("a", "ann", "clarity", 4), R("a", "bob", "clarity", 4),
        R("b", "ann", "clarity", 1), R("b", "bob", "clarity", 2),
    ]
    clarity, framing = agreement_by_dimension(ratings)
    assert framing == {"dimension": "framing", **dict.fromkeys(ICC_NAMES), "alpha_nominal": framing["alpha_nominal"],
                       "alpha_ordinal": framing["alpha_ordinal"], "alpha_interval": framing["alpha_interval"]}
    assert list(framing) == ["dimension", *ICC_NAMES, "alpha_nominal", "alpha_ordinal", "alpha_interval"]
    assert isinstance(framing["alpha_interval"], float)
    assert clarity["dimension"] == "clarity"
    assert clarity["icc1_1"] == pytest.approx(icc_forms(np.array([[4.0, 4.0], [1.0, 2.0]]))["icc1_1"])


def test_kappa_is_defined_from_two_items_and_on_a_scale_below_zero() -> None:
    assert quadratic_weighted_kappa([1, 2], [1, 2]) == pytest.approx(1.0)
    assert quadratic_weighted_kappa([1, 5], [5, 1]) == pytest.approx(-1.0)
    assert quadratic_weighted_kappa([-2, 0, 2, 1], [-2, 1, 2, 1], low=-2, high=2) == pytest.approx(
        quadratic_weighted_kappa([1, 3, 5, 4], [1, 4, 5, 4])
    )

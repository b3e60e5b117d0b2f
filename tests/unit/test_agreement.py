"""Agreement statistics reproduce published worked examples."""

import numpy as np
import pytest

from assess.domain.agreement import icc_forms, krippendorff_alpha, quadratic_weighted_kappa

NAN = np.nan


def test_icc_reproduces_shrout_and_fleiss_1979_table_2() -> None:
    judges = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], float)
    forms = icc_forms(judges)
    assert {k: round(v, 3) for k, v in forms.items()} == {
        "icc1_1": 0.166, "icc2_1": 0.290, "icc3_1": 0.715, "icc1_k": 0.443, "icc2_k": 0.620, "icc3_k": 0.909,
    }


def test_alpha_reproduces_krippendorff_2011_with_missing_values() -> None:
    data = np.array([
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    ])
    assert round(krippendorff_alpha(data, "nominal"), 3) == 0.743  # type: ignore[arg-type]
    assert round(krippendorff_alpha(data, "ordinal"), 3) == 0.815  # type: ignore[arg-type]
    assert round(krippendorff_alpha(data, "interval"), 3) == 0.849  # type: ignore[arg-type]


def test_weighted_kappa_reproduces_the_maple_essaytools_examples() -> None:
    first = [9, 7, 8, 7, 6, 8, 3, 5, 10]
    assert quadratic_weighted_kappa(first, [8, 8, 6, 6, 7, 6, 1, 4, 8], 1, 10) == pytest.approx(0.758620689655172)
    assert quadratic_weighted_kappa(first, [3, 5, 6, 6, 7, 6, 1, 4, 8], 1, 10) == pytest.approx(0.438095238095238)


def test_icc_needs_a_complete_table() -> None:
    with pytest.raises(ValueError, match="complete table"):
        icc_forms(np.array([[1, 2], [3, NAN]]))

"""statsmodels' MixedLM fitting the calibration model, as the peer the tests and the benchmark compare with."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from assess.domain.calibration import Rating


def mixedlm_fit(ratings: Sequence[Rating]) -> tuple[Any, Any]:
    """The model and its REML fit: candidates and dimensions fixed, raters and candidate-by-rater pairs random."""
    import pandas as pd
    import statsmodels.formula.api as smf

    frame = pd.DataFrame([r.__dict__ for r in ratings])
    frame["pair"] = frame["candidate"] + ":" + frame["rater"]
    frame["all"] = 1
    model = smf.mixedlm("score ~ 0 + C(candidate) + C(dimension)", frame, groups="all",
                        vc_formula={"rater": "0 + C(rater)", "pair": "0 + C(pair)"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model, model.fit(reml=True, method="lbfgs")

"""`flask --app assess calibrate` and `agreement` on CSV files, good and bad."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assess.cli import agreement_command, calibrate_command

SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "ratings.csv"
    path.write_text(text)
    return str(path)


@pytest.fixture
def shrout_fleiss_file(tmp_path: Path) -> str:
    lines = ["candidate,rater,dimension,score"]
    for target, row in enumerate(SHROUT_FLEISS, start=1):
        lines += [f"t{target},judge{judge},overall,{score}" for judge, score in enumerate(row, start=1)]
    return write(tmp_path, "\n".join(lines) + "\n")


def strict(output: str) -> dict:
    """The output parsed as JSON that has no NaN or infinity anywhere."""
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")
    return json.loads(output, parse_constant=refuse)


def test_agreement_reproduces_the_published_iccs_from_a_file(shrout_fleiss_file: str) -> None:
    result = CliRunner().invoke(agreement_command, [shrout_fleiss_file, "--scale", "1-10"])
    assert result.exit_code == 0, result.output
    [row] = strict(result.output)["dimensions"]
    assert row["dimension"] == "overall"
    assert round(row["icc2_1"], 3) == 0.290 and round(row["icc3_k"], 3) == 0.909
    assert set(row) == {"dimension", "icc1_1", "icc2_1", "icc3_1", "icc1_k", "icc2_k", "icc3_k",
                        "alpha_nominal", "alpha_ordinal", "alpha_interval", "icc_agreement", "icc_consistency",
                        "g_coefficient", "raters_per_candidate", "reasons"}
    # On a complete panel the model's components give the two-way ICCs' single-rater readings closely.
    assert row["icc_agreement"] == pytest.approx(row["icc2_1"], abs=0.08)
    assert row["icc_consistency"] == pytest.approx(row["icc3_1"], abs=0.05)
    assert row["raters_per_candidate"] == 4 and row["reasons"] == {}


def test_calibrate_prints_the_documented_fields(shrout_fleiss_file: str) -> None:
    result = CliRunner().invoke(calibrate_command, [shrout_fleiss_file, "--scale", "1-10"])
    assert result.exit_code == 0, result.output
    report = strict(result.output)
    assert set(report) == {"candidates", "raters", "dimensions", "bias", "reliability", "model", "variances",
                           "groups", "iterations", "converged", "warnings"}
    assert report["model"] == {"ends": "censored", "prior": 0.5}  # a 10 and a 1 sit at the ends of 1-10
    first = report["candidates"][0]
    assert set(first) == {"candidate", "group", "rank_in_group", "score", "low", "high", "se", "fair_average",
                          "raw_mean", "ratings", "raters", "infit", "outfit", "flags"}
    assert first["candidate"] == "t5" and first["ratings"] == 4 and first["rank_in_group"] == 1
    assert [c["score"] for c in report["candidates"]] == sorted((c["score"] for c in report["candidates"]), reverse=True)
    judges = {r["rater"]: r["leniency"] for r in report["raters"]}
    assert judges["judge1"] > 0 > judges["judge2"]  # judge 1 scores highest, judge 2 lowest
    assert set(report["raters"][0]) == {"rater", "group", "leniency", "low", "high", "se", "ratings", "infit",
                                        "outfit", "flags"}
    assert set(report["variances"]) == {"candidate", "rater", "pair", "residual"}
    assert report["converged"] is True and report["iterations"] >= 1
    assert {w["code"] for w in report["warnings"]} >= {"few_raters", "few_ratings"}


def test_linear_and_reml_give_the_plain_model_that_lme4_and_statsmodels_fit(tmp_path: Path) -> None:
    from assess.domain.calibration import Rating, calibrate
    from assess.domain.simulation import simulate

    ratings = [r if r.candidate != "c0" else Rating(r.candidate, r.rater, r.dimension, 5.0)
               for r in simulate(8, candidates=30, raters=6, per_candidate=2, dimensions=3, halo=0.5).ratings]
    path = write(tmp_path, "candidate,rater,dimension,score\n"
                 + "".join(f"{r.candidate},{r.rater},{r.dimension},{r.score:g}\n" for r in ratings))
    default = strict(CliRunner().invoke(calibrate_command, [path]).output)
    plain = strict(CliRunner().invoke(calibrate_command, [path, "--linear", "--reml"]).output)
    assert default["model"] == {"ends": "censored", "prior": 0.5} and plain["model"] == {"ends": "linear", "prior": 0.0}
    fit = calibrate(ratings, prior=0.0, censor=False)
    assert plain["variances"] == {k: pytest.approx(v, abs=1e-4) for k, v in fit.variances.items()}  # 4 places
    assert plain["variances"] != default["variances"]
    linear = strict(CliRunner().invoke(calibrate_command, [path, "--linear"]).output)
    top = next(c for c in default["candidates"] if c["candidate"] == "c0")
    same = next(c for c in linear["candidates"] if c["candidate"] == "c0")
    assert top["score"] > same["score"] + 0.3 and top["se"] > same["se"]  # rated 5 throughout: "at least 5" each time


def test_agreement_is_null_with_a_reason_where_a_figure_is_undefined(tmp_path: Path) -> None:
    path = write(tmp_path, "candidate,rater,dimension,score\na,x,d,3\nb,x,d,4\na,y,d,3\n")
    [row] = strict(CliRunner().invoke(agreement_command, [path]).output)["dimensions"]
    assert row["icc1_1"] is None and "complete table" in row["reasons"]["icc1_1"]
    assert all(row["reasons"].get(key) for key, value in row.items() if value is None)


def test_identical_ratings_give_strict_json_with_reasons_not_nan(tmp_path: Path) -> None:
    path = write(tmp_path, "candidate,rater,dimension,score\n" + "".join(
        f"{c},{r},d,3\n" for c in "abc" for r in "xy"))
    for command in (calibrate_command, agreement_command):
        result = CliRunner().invoke(command, [path])
        assert result.exit_code == 0, result.output
        report = strict(result.output)
    [row] = report["dimensions"]
    assert all(row["reasons"].get(key) for key, value in row.items() if value is None)
    calibrated = strict(CliRunner().invoke(calibrate_command, [path]).output)
    assert "constant_ratings" in {w["code"] for w in calibrated["warnings"]}


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        ("candidate,rater,score\na,x,3\n", [], "missing: dimension"),
        ("candidate,rater,dimension,score\na,x,d,7\nb,y,d,3\n", [], "score 7 is off the 1-5 scale"),
        ("candidate,rater,dimension,score\na,x,d,3.5\nb,y,d,3\n", [], "is not a whole number"),
        ("candidate,rater,dimension,score\na,x,d,3\nb,x,d,4\n", [], "one rater"),
        ("candidate,rater,dimension,score\na,x,d,3\na,x,d,4\n", [], "twice"),
        ("candidate,rater,dimension,score\n", [], "no ratings"),
        ("candidate,rater,dimension,score\na,x,d,3\nb,y,d,4\n", ["--scale", "five"], "--scale must look like 1-5"),
    ],
    ids=["missing column", "off the scale", "not whole", "one rater", "duplicate", "empty", "bad scale"],
)
def test_bad_files_get_a_clear_message_and_a_non_zero_exit(tmp_path: Path, text: str, args: list[str], message: str) -> None:
    path = write(tmp_path, text)
    for command in (calibrate_command, agreement_command):
        result = CliRunner().invoke(command, [path, *args])
        assert result.exit_code == 1
        assert message in result.output


def test_agreement_reproduces_krippendorffs_published_alphas_from_a_file(tmp_path: Path) -> None:
    observers = {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    }
    lines = ["candidate,rater,dimension,score"] + [
        f"unit{unit},{observer},overall,{value}"
        for observer, values in observers.items() for unit, value in enumerate(values, start=1) if value is not None
    ]
    result = CliRunner().invoke(agreement_command, [write(tmp_path, "\n".join(lines) + "\n")])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)["dimensions"]
    assert (round(row["alpha_nominal"], 3), round(row["alpha_ordinal"], 3), round(row["alpha_interval"], 3)) == (
        0.743, 0.815, 0.849)
    assert row["icc1_1"] is None  # not every observer rated every unit


def test_a_file_that_is_not_utf8_is_told_which_line_and_how_to_save_it(tmp_path: Path) -> None:
    path = tmp_path / "ratings.csv"
    path.write_bytes("candidate,rater,dimension,score\na,ann,x,3\nJosé,ann,x,4\n".encode("latin-1"))
    result = CliRunner().invoke(calibrate_command, [str(path)])
    assert result.exit_code == 1
    assert "is not UTF-8 text (line 3); save it as UTF-8 (in Excel: Save As, 'CSV UTF-8')." in result.output

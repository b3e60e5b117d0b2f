"""Audit details read as short phrases on the admin page."""

from assess.services.audit import readable


def test_scorecard_values_read_as_scores_and_a_recommendation() -> None:
    details = {"values": {"ratings": {"problem_framing": {"score": 4, "evidence": "ab12"},
                                      "communication": {"score": None, "evidence": ""}},
                          "recommendation": "yes", "summary": ""}, "reason": "Typo in a score"}
    assert readable(details) == [("scores", "problem framing 4, communication –; recommendation yes"),
                                 ("reason", "Typo in a score")]


def test_setting_changes_read_as_old_and_new() -> None:
    details = {"changes": {"retention_days": {"old": 365, "new": 180}}}
    assert readable(details) == [("changed", "retention days 365 → 180")]


def test_empty_values_are_left_out_and_lists_shown_as_json() -> None:
    assert readable({"outcome": None, "exercises": ["a-mini-prd"]}) == [("exercises", '["a-mini-prd"]')]


def test_states_and_roles_read_as_words_and_other_values_as_they_are() -> None:
    assert readable({"before": "hiring_manager", "after": "recruiter", "stage": "handed_in", "key": "a-mini-prd",
                     "note": "kept_as_is because it has spaces"}) == [
        ("before", "hiring manager"), ("after", "recruiter"), ("stage", "handed in"), ("key", "a-mini-prd"),
        ("note", "kept_as_is because it has spaces")]

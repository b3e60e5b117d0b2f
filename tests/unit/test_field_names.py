from assess.web.forms import field_name


def test_dynamic_fields_are_named_by_kind_and_key_with_one_rule_for_hyphens() -> None:
    assert field_name("include", "a-mini-prd") == "include_a_mini_prd"
    assert field_name("minutes", "d-writing-sample") == "minutes_d_writing_sample"
    assert field_name("score", "problem_framing") == "score_problem_framing"
    assert field_name("answer", "release_notes") == "answer_release_notes"

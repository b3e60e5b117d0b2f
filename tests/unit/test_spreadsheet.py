from assess.domain.spreadsheet import safe_cell, to_csv


def test_formula_like_text_is_neutralised_and_numbers_are_kept() -> None:
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("+44 20") == "'+44 20"
    assert safe_cell("-2") == "'-2"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("\tcmd") == "'\tcmd"
    assert safe_cell(-2) == "-2" and safe_cell(3.5) == "3.5" and safe_cell(None) == ""
    assert safe_cell("Plain text") == "Plain text"


def test_csv_rows_are_quoted_and_safe() -> None:
    text = to_csv(["name", "note"], [["=cmd|' /C calc'!A0", 'said "hi", then left']])
    assert text.splitlines()[1] == "'=cmd|' /C calc'!A0,\"said \"\"hi\"\", then left\""

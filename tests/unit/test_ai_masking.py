"""What of the candidate reaches the model: their words, not their name, address or number."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from assess.ai.masking import EMAIL, NAME, PHONE, Person, mask
from assess.ai.prompt import build_prompt
from assess.config import PROJECT_ROOT
from assess.content import load_library

LIBRARY = load_library(PROJECT_ROOT)
PERSON = Person(name="José María Ruiz-López", email="jm.ruiz@example.com")


@pytest.mark.parametrize("written", [
    "José María Ruiz-López", "Jose Maria Ruiz-Lopez", "JOSÉ MARÍA RUIZ-LÓPEZ", "josé maría ruiz-lópez",
    "José  María\nRuiz-López",
])
def test_the_full_name_is_masked_however_it_is_cased_accented_or_spaced(written: str) -> None:
    masked = mask(f"Prepared by {written}, APM candidate.", PERSON)
    assert masked == f"Prepared by {NAME}, APM candidate."


@pytest.mark.parametrize("part", ["José", "Jose", "JOSÉ", "María", "Ruiz", "López", "Lopez", "Ruiz-López"])
def test_each_part_of_the_name_is_masked_on_its_own(part: str) -> None:
    assert mask(f"As {part} argued in the PRD, the card feed comes first.", PERSON) == (
        f"As {NAME} argued in the PRD, the card feed comes first.")


def test_a_name_that_is_also_a_word_masks_the_name_not_the_word() -> None:
    person = Person(name="Grace Will")
    masked = mask("Grace thinks trials will stall; a grace period will help. — GRACE WILL", person)
    assert masked == f"{NAME} thinks trials will stall; a grace period will help. — {NAME}"


def test_short_parts_and_lower_case_particles_are_not_masked_alone() -> None:
    person = Person(name="Li van der Berg")
    masked = mask("Li said the van der route. Berg said li-ion. Li van der Berg signed.", person)
    assert masked == f"Li said the van der route. {NAME} said li-ion. {NAME} signed."


def test_a_name_inside_a_longer_word_is_left_alone_and_a_three_letter_part_is_masked_as_a_word() -> None:
    person = Person(name="Ann Roe")
    assert mask("Annual plans in Monroe are annotated.", person) == "Annual plans in Monroe are annotated."
    assert mask("Roe wrote it; Ann checked it.", person) == f"{NAME} wrote it; {NAME} checked it."


def test_typographic_and_plain_apostrophes_mask_the_same_name() -> None:
    person = Person(name="Siobhán O'Brien")
    assert mask("O’Brien and O'Brien and OBrien", person) == f"{NAME} and {NAME} and {NAME}"


def test_every_email_address_is_masked_the_candidates_in_any_case() -> None:
    masked = mask("Write to JM.Ruiz@Example.com or team+apm@corp.example.co.uk.", PERSON)
    assert masked == f"Write to {EMAIL} or {EMAIL}."


def test_the_candidates_own_address_is_masked_whole_even_where_the_general_pattern_stops_short() -> None:
    person = Person(name="Siobhán O'Brien", email="siobhan.o'brien@example.ie")
    assert mask("Mail SIOBHAN.O'BRIEN@EXAMPLE.IE today.", person) == f"Mail {EMAIL} today."


def test_several_phone_numbers_in_one_text_are_each_masked() -> None:
    text = "UK +44 20 7946 0958, US +1 415 555 0134, office (415) 555-0199, mobile 07911 123456."
    assert mask(text) == f"UK {PHONE}, US {PHONE}, office {PHONE}, mobile {PHONE}."


@pytest.mark.parametrize("number", [
    "(415) 555-0134", "415-555-0134", "415.555.0134", "+1 415 555 0134", "+44 20 7946 0958", "020 7946 0958",
    "+33 6 12 34 56 78", "+61 2 9876 5432",
])
def test_phone_numbers_are_masked_whole(number: str) -> None:
    assert mask(f"Call me on {number} any time.") == f"Call me on {PHONE} any time."


@pytest.mark.parametrize("figures", [
    "Companies sized (10-49 / 50-199 / 200-500) convert differently.",
    "Funnel: 12400 3100 1200 340 visits, then 45 paid.",
    "| 1200 | 340 | 120 | 45 |",
    "Week 1: 4,210 signups, 2,950 activated (70.1%); revenue 1,200,000 to 1,500,000.",
    "From 2026-01-01 to 2026-03-31, conversion was 1250 / 10000.",
    "Release v2.14.0, build 20261103, ticket #123456789.",
    "Activation 12% of 2,380 trials in 2026.",
])
def test_figures_ranges_dates_and_tables_are_left_exactly_as_written(figures: str) -> None:
    assert mask(figures, PERSON) == figures


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


NAME_PART = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéñøü", min_size=3, max_size=9).map(str.capitalize)
PROSE = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)


@settings(max_examples=300, deadline=None)
@given(first=NAME_PART, last=NAME_PART, before=PROSE, after=PROSE,
       case=st.sampled_from([str, str.upper, str.lower, str.title]))
def test_the_candidates_full_name_never_survives_wherever_it_is_written(
    first: str, last: str, before: str, after: str, case: Callable[[str], str],
) -> None:
    name = f"{first} {last}"
    masked = mask(f"{before} {case(name)} {after}", Person(name=name))
    assert NAME in masked
    assume(fold(name) not in fold(before) and fold(name) not in fold(after))
    assert fold(name) not in fold(masked)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Nd"), exclude_characters="@"),
                    max_size=200))
def test_text_with_no_digits_addresses_or_name_reaches_the_model_unchanged(text: str) -> None:
    assume("zbigniew" not in fold(text) and "qwertyuiop" not in fold(text))
    assert mask(text, Person(name="Zbigniew Qwertyuiop")) == text


def test_the_prompt_carries_the_masked_submission_and_no_trace_of_the_person() -> None:
    scorecard = LIBRARY.scorecard("a-mini-prd").content
    exercise = LIBRARY.exercise("a-mini-prd").content
    key = exercise.sections[0].key
    answers = {key: "I am José María Ruiz-López (jm.ruiz@example.com, +44 20 7946 0958). Ruiz recommends the feed."}
    sent = "\n".join(m["content"] for m in build_prompt(scorecard, exercise, answers, PERSON).messages)
    assert "Ruiz" not in sent and "José" not in sent and "example.com" not in sent and "7946" not in sent
    assert f"I am {NAME} ({EMAIL}, {PHONE}). {NAME} recommends the feed." in sent


def test_no_benchmark_answer_is_changed_by_masking() -> None:
    """The published benchmark figures stay comparable: nothing in the answers looks like a person."""
    for benchmarks in LIBRARY.benchmarks.values():
        for versioned in benchmarks.values():
            for answer in versioned.content.answers.values():
                assert mask(answer) == answer


SIOBHAN = Person(name="Siobhán O'Brien", email="siobhan.obrien@example.ie")


@pytest.mark.parametrize("written", [
    "RuizLópez", "JoséMaría", "#Jose2026", "Ruiz López", "JOSÉ", "Jose\u0301",
])
def test_capitalised_parts_are_masked_glued_to_each_other_or_to_figures(written: str) -> None:
    masked = mask(f"Signed {written}.", PERSON)
    assert "Ruiz" not in masked and "Jos" not in masked and "\u0301" not in masked and NAME in masked, masked


@pytest.mark.parametrize("written", ["OBrien", "O Brien", "O`Brien", "Brien", "BRIEN", "Siob\u200bhán", "Siobhan OBrien"])
def test_an_apostrophe_name_is_masked_without_its_apostrophe_and_through_hidden_characters(written: str) -> None:
    masked = mask(f"From {written}, thanks.", SIOBHAN)
    assert masked == f"From {NAME}, thanks." or masked == f"From {NAME} {NAME}, thanks.", masked


def test_the_parts_of_a_name_stay_words_not_prefixes_of_ordinary_ones() -> None:
    assert mask("Briefly, the Briens' brief: Grace's graceful grace.", Person(name="Grace Brien")) == (
        f"Briefly, the {NAME}' brief: {NAME}'s graceful grace.")


@pytest.mark.parametrize("address", [
    "s.o'brien@mail.example.ie", "o'brien@example.ie", '"jose"@example.org', "user@[192.168.0.1]",
    "siobhan.obrien\uff20example.ie",
])
def test_unusual_but_valid_addresses_are_masked_whole(address: str) -> None:
    assert mask(f"Write to {address} today.") == f"Write to {EMAIL} today."


def test_an_address_in_a_table_cell_leaves_the_table_intact() -> None:
    assert mask("| contact |user@example.com| ok |") == f"| contact |{EMAIL}| ok |"


@pytest.mark.parametrize("number", [
    "01 234 5678", "(01) 234 5678", "087 123 4567", "087-123-4567", "06 12 34 56 78", "0612345678",
])
def test_national_numbers_of_the_usual_countries_are_masked(number: str) -> None:
    assert mask(f"Ring {number} after six.", SIOBHAN) == f"Ring {PHONE} after six."


def test_the_country_of_the_candidates_address_adds_its_national_format() -> None:
    berlin = "030 901820"
    assert mask(f"Tel {berlin}.") == f"Tel {berlin}."
    assert mask(f"Tel {berlin}.", Person(name="Lia Roth", email="lia@example.de")) == f"Tel {PHONE}."
    assert mask("Sized (339-362 against 187).", Person(name="Lia Roth", email="lia@example.de")) == (
        "Sized (339-362 against 187).")


@pytest.mark.parametrize("name", ["Cher", "Grace Will", "Siobhán O'Brien"])
def test_masking_keeps_the_line_and_paragraph_breaks_between_two_mentions(name: str) -> None:
    assert mask(f"### Notes by {name}\n\n{name} here.\n{name}\t{name}", Person(name=name)) == (
        f"### Notes by {NAME}\n\n{NAME} here.\n{NAME}\t{NAME}")

"""A candidate does an exercise in Chromium: nothing typed is lost, and the receipt follows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

PROBLEM = "#answer_problem_statement"
ASSUMPTIONS = "#answer_assumptions"


def reload(page: Page) -> None:
    page.reload()
    expect(page.locator(".preview-toggle").first).to_be_attached()


def type_at_end(page: Page, selector: str, text: str) -> None:
    page.locator(selector).focus()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def open_exercise(page: Page, link: str, code_title: str = "Mini-PRD and user stories") -> None:
    page.goto(link)
    expect(page.get_by_role("heading", name="APM, Growth")).to_be_visible()
    assert "/c/start/" not in page.url
    page.locator("li.step", has_text=code_title).get_by_role("button", name="Start").click()
    expect(page.locator("#timer .timer-value")).to_be_visible()
    expect(page.locator(".preview-toggle").first).to_be_attached()  # the page script is running


def test_words_survive_a_reload_and_a_lost_connection_and_are_submitted(page: Page, invitation_link: str) -> None:
    open_exercise(page, invitation_link)
    page.locator(PROBLEM).fill("Trial admins at small companies stall at the card feed step.")
    page.locator(ASSUMPTIONS).fill("- Invites land in junk folders\n- The feed shows Connected too early")
    expect(page.locator("#save-state")).to_contain_text("Saved", timeout=15000)
    expect(page.locator(".editor-preview li").first).to_have_text("Invites land in junk folders")

    reload(page)
    expect(page.locator(PROBLEM)).to_have_value("Trial admins at small companies stall at the card feed step.")
    expect(page.locator(ASSUMPTIONS)).to_have_value("- Invites land in junk folders\n- The feed shows Connected too early")

    page.context.set_offline(True)
    type_at_end(page, PROBLEM, " Written while offline.")
    expect(page.locator("#save-state")).to_contain_text("Offline", timeout=15000)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#save-state")).to_contain_text("Saved", timeout=15000)

    reload(page)
    expect(page.locator(PROBLEM)).to_have_value(
        "Trial admins at small companies stall at the card feed step. Written while offline."
    )
    page.get_by_role("button", name="Submit…").click()
    dialog = page.locator("#submit-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Problem statement: 14 words")
    dialog.get_by_role("button", name="Yes, submit").click()
    expect(page.get_by_role("heading", name="We have your answer")).to_be_visible()
    expect(page.get_by_text("Written while offline.")).to_be_visible()
    page.goto(page.url.replace("/receipt", ""))
    expect(page.get_by_role("heading", name="We have your answer")).to_be_visible()


def test_text_typed_offline_is_restored_after_the_tab_is_closed(page: Page, invitation_link: str) -> None:
    open_exercise(page, invitation_link)
    page.locator(PROBLEM).fill("Saved part.")
    expect(page.locator("#save-state")).to_contain_text("Saved", timeout=15000)
    exercise_url = page.url
    page.context.set_offline(True)
    type_at_end(page, PROBLEM, " Unsaved part.")
    expect(page.locator("#save-state")).to_contain_text("Offline", timeout=15000)
    page.context.set_offline(False)
    fresh = page.context.new_page()
    page.close(run_before_unload=False)
    fresh.goto(exercise_url)
    expect(fresh.locator(PROBLEM)).to_have_value("Saved part. Unsaved part.")
    expect(fresh.locator("#save-state")).to_contain_text("Saved", timeout=15000)


def test_text_typed_just_before_a_quick_reload_and_after_it_is_all_saved(page: Page, invitation_link: str) -> None:
    open_exercise(page, invitation_link)
    page.locator(PROBLEM).fill("Saved first.")
    expect(page.locator("#save-state")).to_contain_text("Saved", timeout=15000)
    type_at_end(page, PROBLEM, " Typed a moment before reloading.")
    page.reload()  # well within the second before the page would have saved by itself
    expect(page.locator(".preview-toggle").first).to_be_attached()
    expect(page.locator(PROBLEM)).to_have_value("Saved first. Typed a moment before reloading.")
    type_at_end(page, PROBLEM, " And after it.")
    expect(page.locator("#save-state")).to_contain_text("Saved", timeout=15000)
    expect(page.locator("#conflict-panel")).to_be_hidden()
    reload(page)
    expect(page.locator(PROBLEM)).to_have_value("Saved first. Typed a moment before reloading. And after it.")
    expect(page.locator("#other-copies")).to_have_count(0)


def two_tabs_that_disagree(page: Page, invitation_link: str) -> Page:
    open_exercise(page, invitation_link)
    other = page.context.new_page()
    other.goto(page.url)
    expect(other.locator(".preview-toggle").first).to_be_attached()
    page.locator(PROBLEM).fill("Typed in the first tab.")
    expect(page.locator("#save-state")).to_contain_text("Saved", timeout=15000)
    other.locator(ASSUMPTIONS).fill("Typed in the second tab.")
    expect(other.locator("#save-state")).to_contain_text("Another tab saved", timeout=15000)
    expect(other.locator("#conflict-panel")).to_be_visible()
    other.get_by_text("Read the newest saved copy").click()
    expect(other.locator("#conflict-latest")).to_contain_text("Typed in the first tab.")
    return other


def test_a_second_tab_may_continue_with_its_own_text_and_the_first_tabs_stays_readable(
    page: Page, invitation_link: str
) -> None:
    other = two_tabs_that_disagree(page, invitation_link)
    other.once("dialog", lambda dialog: dialog.accept())
    other.get_by_role("button", name="Continue with this tab's text").click()
    expect(other.locator("#save-state")).to_contain_text("Saved", timeout=15000)
    expect(other.locator("#conflict-panel")).to_be_hidden()
    reload(page)
    expect(page.locator(ASSUMPTIONS)).to_have_value("Typed in the second tab.")
    copies = page.locator("#other-copies")
    copies.locator("summary").first.click()
    expect(copies).to_contain_text("Typed in the first tab.")


def test_a_second_tab_may_switch_to_the_newest_copy_and_its_own_text_stays_readable(
    page: Page, invitation_link: str
) -> None:
    other = two_tabs_that_disagree(page, invitation_link)
    other.get_by_role("button", name="Switch to the newest saved copy").click()
    expect(other.locator(PROBLEM)).to_have_value("Typed in the first tab.", timeout=15000)
    copies = other.locator("#other-copies")
    copies.locator("summary").first.click()
    expect(copies).to_contain_text("Typed in the second tab.")
    type_at_end(other, PROBLEM, " Then carried on in the second tab.")
    expect(other.locator("#save-state")).to_contain_text("Saved", timeout=15000)


def test_the_analytics_exercise_draws_charts_with_tables_beside_them(page: Page, invitation_link: str) -> None:
    open_exercise(page, invitation_link, "Analytics interpretation")
    charts = page.locator("canvas.chart")
    expect(charts).to_have_count(3)
    page.wait_for_function("typeof Chart !== 'undefined' && "
                           "[...document.querySelectorAll('canvas.chart')].every(c => Chart.getChart(c))")
    page.get_by_text("The numbers as a table").first.click()
    expect(page.locator("table.data-table").first.locator("tbody tr").first).to_be_visible()


def test_without_javascript_a_candidate_can_still_write_save_and_submit(
    page_without_javascript: Page, invitation_link: str
) -> None:
    page = page_without_javascript
    page.goto(invitation_link)
    page.locator("li.step", has_text="Release notes and Support FAQ").get_by_role("button", name="Start").click()
    page.locator("#answer_release_notes").fill("Two-step approval is now the default.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved at")).to_be_visible()
    expect(page.locator("#answer_release_notes")).to_have_value("Two-step approval is now the default.")
    page.locator("#answer_support_faq").fill("Q: Who approves? A: The team lead first.")
    page.get_by_role("button", name="Submit…").click()
    expect(page.get_by_role("heading", name="Submit “Release notes and Support FAQ”?")).to_be_visible()
    page.get_by_role("button", name="Yes, submit my answer").click()
    expect(page.get_by_role("heading", name="We have your answer")).to_be_visible()
    expect(page.get_by_text("The team lead first.")).to_be_visible()


def test_the_countdown_follows_the_server_even_when_the_computer_clock_is_wrong(
    page: Page, invitation_link: str
) -> None:
    page.add_init_script("(() => { const real = Date.now; Date.now = () => real() + 5 * 3600 * 1000; })();")
    open_exercise(page, invitation_link, "Release notes and Support FAQ")
    page.reload()
    minutes = int(page.locator("#timer .timer-value").inner_text().split(":")[0])
    assert 18 <= minutes <= 19
    assert page.evaluate("Date.now() - performance.timeOrigin - performance.now()") > 4 * 3600 * 1000


def test_a_candidate_whose_link_is_withdrawn_is_told_so_and_their_text_stays_in_the_browser(
    page: Page, invitation_link: str, staff_page: Callable[[str], Page], server_url: str
) -> None:
    open_exercise(page, invitation_link)
    page.locator(PROBLEM).fill("Saved before the link was withdrawn.")
    expect(page.locator("#save-state")).to_contain_text("Saved", timeout=15000)
    manager = staff_page("hiring@example.com")
    manager.goto(f"{server_url}/hiring/openings/apm-growth?q=Dana+Reyes")
    manager.get_by_label("Tick Dana Reyes").first.check()
    manager.get_by_label("End their links and sessions now").check()
    manager.get_by_role("button", name="Withdraw links").click()
    expect(manager.get_by_text("Withdrew the links of Dana Reyes")).to_be_visible()
    type_at_end(page, PROBLEM, " Typed after.")
    expect(page.locator("#save-state")).to_contain_text("This link no longer works", timeout=15000)
    expect(page.locator("#save-state")).not_to_contain_text("Offline")
    page.reload()
    expect(page.get_by_role("heading", name="Please use your invitation link")).to_be_visible()

// The scorecard page: refresh the AI draft panel while it is being made, and let the
// interviewer take one of its scores into the form with a click (never without one).
(function () {
  "use strict";
  var form = document.getElementById("scorecard-form");

  function panel() { return document.getElementById("ai-draft"); }

  function poll() {
    var current = panel();
    if (!current || ["queued", "running"].indexOf(current.dataset.status) < 0) return;
    setTimeout(function () {
      fetch(current.dataset.panelUrl, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { replacePanel(html); poll(); })
        .catch(function () { setTimeout(poll, 5000); });
    }, 2000);
  }

  function replacePanel(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.querySelector("#ai-draft");
    var current = panel();
    if (fresh && current) current.replaceWith(fresh);
  }

  // Asking for a draft must not reload the page: unsaved notes in the scorecard would be lost.
  document.addEventListener("submit", function (event) {
    var askForm = event.target.closest("#ai-draft form");
    if (!askForm) return;
    event.preventDefault();
    fetch(askForm.action, { method: "POST", body: new FormData(askForm), credentials: "same-origin",
                            headers: { "X-Fragment": "1", "Accept": "text/html" } })
      .then(function (r) { return r.text(); })
      .then(function (html) { replacePanel(html); poll(); })
      .catch(function () { HTMLFormElement.prototype.submit.call(askForm); });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-use-score]");
    if (!button || !form) return;
    var radio = form.querySelector('input[name="score_' + button.dataset.dimension + '"][value="' + button.dataset.score + '"]');
    if (radio && !radio.disabled) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
      button.textContent = "Used";
    }
  });

  poll();
})();

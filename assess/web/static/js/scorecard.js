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
        .then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector("#ai-draft");
          if (fresh) current.replaceWith(fresh);
          poll();
        })
        .catch(function () { setTimeout(poll, 5000); });
    }, 2000);
  }

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

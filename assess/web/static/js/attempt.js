// The work page: autosave that loses nothing, a server-owned countdown, live previews,
// and a confirmation before submitting. Without JavaScript the form still saves and submits.
(function () {
  "use strict";

  var form = document.getElementById("answer-form");
  if (!form) return;

  var SAVE_DELAY_MS = 1500;
  var SAVE_MAX_WAIT_MS = 5000;
  var RETRY_MAX_MS = 30000;
  var GRACE_RELOAD_MS = 62000;

  var stateBox = document.getElementById("save-state");
  var inputs = Array.prototype.slice.call(form.querySelectorAll("textarea.answer-input"));
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var clientId = form.querySelector("input[name=client_id]").value;
  var baseField = form.querySelector("input[name=base_revision]");
  var storageKey = form.dataset.storageKey;
  var revision = parseInt(form.dataset.revision, 10) || 0;
  var seq = 0;
  var dirty = false;
  var inFlight = false;
  var blocked = false; // another tab is newer, or the time is over
  var timer = null;
  var firstUnsavedAt = 0;
  var retryDelay = 2000;

  document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
  var saveButton = form.querySelector("[name=save]");
  if (saveButton) saveButton.hidden = true;

  function answers() {
    var result = {};
    inputs.forEach(function (input) { result[input.dataset.section] = input.value; });
    return result;
  }

  function show(state, text) {
    stateBox.dataset.state = state;
    stateBox.textContent = text;
  }

  function clock(date) {
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  // -- a copy in this browser, so closing the tab while offline loses nothing ----------

  function keepLocally(isDirty) {
    try {
      localStorage.setItem(storageKey, JSON.stringify({ base: revision, dirty: isDirty, answers: answers() }));
    } catch (e) { /* storage full or disabled: the server copy still counts */ }
  }

  function restoreLocalCopy() {
    var saved;
    try { saved = JSON.parse(localStorage.getItem(storageKey) || "null"); } catch (e) { saved = null; }
    if (!saved || !saved.dirty || !saved.answers) return;
    var differs = inputs.some(function (input) {
      var text = saved.answers[input.dataset.section];
      return typeof text === "string" && text !== input.value;
    });
    if (!differs) return;
    if (saved.base !== revision) {
      show("warning", "This browser has unsaved text from an earlier visit, but a newer copy was saved since. The newer copy is shown.");
      return;
    }
    inputs.forEach(function (input) {
      var text = saved.answers[input.dataset.section];
      if (typeof text === "string") { input.value = text; updateCount(input); }
    });
    show("saving", "Restored text this browser had not yet saved. Saving…");
    changed();
  }

  // -- saving --------------------------------------------------------------------------

  function changed() {
    if (blocked) return;
    if (!dirty) firstUnsavedAt = Date.now();
    dirty = true;
    keepLocally(true);
    show("pending", "Unsaved changes");
    clearTimeout(timer);
    var wait = Math.max(0, Math.min(SAVE_DELAY_MS, firstUnsavedAt + SAVE_MAX_WAIT_MS - Date.now()));
    timer = setTimeout(save, wait);
  }

  function save(options) {
    if (blocked || !dirty) return Promise.resolve();
    if (inFlight) { clearTimeout(timer); timer = setTimeout(save, 500); return Promise.resolve(); }
    inFlight = true;
    seq += 1;
    var sent = answers();
    show("saving", "Saving…");
    return fetch(form.dataset.autosaveUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: Boolean(options && options.keepalive),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify({ client_id: clientId, seq: seq, base_revision: revision, answers: sent })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        handle(response.status, body, sent);
      });
    }).catch(function () {
      offline();
    }).finally(function () {
      inFlight = false;
    });
  }

  function handle(status, body, sent) {
    if (typeof body.seconds_left === "number") countdown.sync(body.seconds_left);
    if (status === 200 && body.status === "accepted") {
      revision = body.revision;
      baseField.value = String(revision);
      retryDelay = 2000;
      var same = JSON.stringify(sent) === JSON.stringify(answers());
      dirty = !same;
      keepLocally(dirty);
      show(dirty ? "pending" : "saved", (dirty ? "Saved earlier text at " : "Saved ") + clock(new Date(body.saved_at)));
      if (dirty) { clearTimeout(timer); timer = setTimeout(save, SAVE_DELAY_MS); }
      return;
    }
    if (status === 200 && body.status === "stale") return;
    if (status === 409) {
      blocked = true;
      show("conflict", body.message || "Another tab saved this exercise more recently.");
      offerReload();
      return;
    }
    if (status === 410) {
      blocked = true;
      show("closed", body.message || "The time for this exercise is over.");
      setTimeout(function () { window.location.reload(); }, 2000);
      return;
    }
    if (status === 400 || status === 413) {
      show("error", body.message || "This could not be saved. Shorten the text and try again.");
      return;
    }
    offline();
  }

  function offline() {
    show("offline", "Offline: your text is kept in this browser. Retrying in " + Math.round(retryDelay / 1000) + " s…");
    clearTimeout(timer);
    timer = setTimeout(save, retryDelay);
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
  }

  function offerReload() {
    if (document.getElementById("reload-latest")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.id = "reload-latest";
    button.className = "button small-button";
    button.textContent = "Load the latest copy";
    button.addEventListener("click", function () {
      try { localStorage.removeItem(storageKey); } catch (e) { /* ignore */ }
      window.location.reload();
    });
    stateBox.appendChild(document.createTextNode(" "));
    stateBox.appendChild(button);
  }

  window.addEventListener("online", function () { if (dirty) { retryDelay = 2000; save(); } });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty) save({ keepalive: true });
  });
  window.addEventListener("pagehide", function () { if (dirty) save({ keepalive: true }); });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !blocked && !submitting) { event.preventDefault(); event.returnValue = ""; }
  });

  // -- the countdown, owned by the server and measured here on a monotonic clock ------------

  var countdown = (function () {
    var box = document.getElementById("timer");
    var value = box.querySelector(".timer-value");
    var endsAt = performance.now() + (parseInt(box.dataset.secondsLeft, 10) || 0) * 1000;
    var finished = false;

    function tick() {
      var left = Math.max(0, Math.round((endsAt - performance.now()) / 1000));
      var hours = Math.floor(left / 3600);
      var minutes = Math.floor((left % 3600) / 60);
      var seconds = left % 60;
      value.textContent = (hours ? hours + ":" + String(minutes).padStart(2, "0") : minutes) + ":" + String(seconds).padStart(2, "0");
      box.dataset.level = left <= 60 ? "last-minute" : left <= 300 ? "warning" : "ok";
      if (left === 300 || left === 60) box.setAttribute("aria-live", "assertive");
      if (left === 0 && !finished) {
        finished = true;
        save().then(function () {
          blocked = true;
          inputs.forEach(function (input) { input.readOnly = true; });
          show("closed", "Time is up. What you saved is being submitted for you…");
          setTimeout(function () { window.location.reload(); }, GRACE_RELOAD_MS);
        });
      }
    }
    tick();
    setInterval(tick, 1000);
    return { sync: function (secondsLeft) { endsAt = performance.now() + secondsLeft * 1000; } };
  })();

  // -- characters and previews -------------------------------------------------------------

  function updateCount(input) {
    var counter = document.getElementById(input.id + "-count");
    if (counter) counter.querySelector(".count").textContent = input.value.length.toLocaleString();
  }

  var previewTimers = {};
  function refreshPreview(input) {
    var pane = document.querySelector('[data-preview-for="' + input.id + '"]');
    if (!pane || pane.hidden) return;
    clearTimeout(previewTimers[input.id]);
    previewTimers[input.id] = setTimeout(function () {
      fetch(form.dataset.previewUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ text: input.value })
      }).then(function (r) { return r.json(); }).then(function (body) {
        pane.innerHTML = body.html || '<p class="muted">Nothing to preview yet.</p>';
      }).catch(function () { /* the preview is a nicety; saving reports connection problems */ });
    }, 400);
  }

  inputs.forEach(function (input) {
    var pane = document.querySelector('[data-preview-for="' + input.id + '"]');
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "link-button small preview-toggle";
    toggle.setAttribute("aria-expanded", "false");
    toggle.textContent = "Show preview";
    toggle.addEventListener("click", function () {
      pane.hidden = !pane.hidden;
      toggle.setAttribute("aria-expanded", String(!pane.hidden));
      toggle.textContent = pane.hidden ? "Show preview" : "Hide preview";
      input.closest(".editor").classList.toggle("with-preview", !pane.hidden);
      refreshPreview(input);
    });
    input.closest(".editor-write").appendChild(toggle);
    if (window.matchMedia("(min-width: 1000px)").matches) toggle.click();
    input.addEventListener("input", function () { updateCount(input); changed(); refreshPreview(input); });
  });

  // -- submitting --------------------------------------------------------------------------

  var submitting = false;
  var dialog = document.getElementById("submit-dialog");
  var submitButton = form.querySelector("[data-confirm-submit]");
  if (submitButton && dialog && typeof dialog.showModal === "function") {
    submitButton.addEventListener("click", function (event) {
      event.preventDefault();
      if (blocked) return;
      var summary = document.getElementById("submit-summary");
      summary.innerHTML = "";
      inputs.forEach(function (input) {
        var item = document.createElement("li");
        var words = input.value.trim() ? input.value.trim().split(/\s+/).length : 0;
        var label = form.querySelector('label[for="' + input.id + '"]').textContent.trim();
        item.textContent = label + ": " + words + " words" + (words ? "" : " (empty)");
        summary.appendChild(item);
      });
      dialog.showModal();
    });
    document.getElementById("submit-cancel").addEventListener("click", function () { dialog.close(); });
    document.getElementById("submit-confirm").addEventListener("click", function () {
      submitting = true;
      var confirm = document.createElement("input");
      confirm.type = "hidden";
      confirm.name = "confirm";
      confirm.value = "y";
      form.appendChild(confirm);
      try { localStorage.removeItem(storageKey); } catch (e) { /* ignore */ }
      HTMLFormElement.prototype.submit.call(form); // the form has a field named "submit"
    });
  }

  restoreLocalCopy();
  // Text typed before this script ran has not been seen by the input listeners yet.
  if (!dirty && inputs.some(function (input) { return input.value !== input.defaultValue; })) changed();
})();

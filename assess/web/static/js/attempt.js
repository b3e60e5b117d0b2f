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
  var baseField = form.querySelector("input[name=base_revision]");
  var storagePrefix = form.dataset.storageKey + ":";
  var tabKey = "assess-tab-" + form.dataset.attempt;
  var revision = parseInt(form.dataset.revision, 10) || 0;
  var conflictPanel = document.getElementById("conflict-panel");

  // A tab keeps its id and save numbers across a reload (sessionStorage lives per tab), so the
  // save the unloading page sent and the first save of the new page belong to one line of work.
  // The entry is taken on load and written back on leaving, so a duplicated tab, which copies
  // sessionStorage while this page is open, starts a line of its own.
  var tab = takeTab() || { id: form.querySelector("input[name=client_id]").value, seq: 0 };
  form.querySelector("input[name=client_id]").value = tab.id;
  var dirty = false;
  var inFlight = false;
  var closed = false;    // the time is over or the work was submitted
  var conflict = false;  // another tab saved text this one has not seen; this tab's text is kept as a copy
  var takeOver = false;  // the candidate chose to continue with this tab's text
  var timer = null;
  var firstUnsavedAt = 0;
  var retryDelay = 2000;

  document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
  var saveButton = form.querySelector("[name=save]");
  if (saveButton) saveButton.hidden = true;

  function takeTab() {
    try {
      var stored = JSON.parse(sessionStorage.getItem(tabKey) || "null");
      sessionStorage.removeItem(tabKey);
      if (stored && typeof stored.id === "string" && typeof stored.seq === "number") return stored;
    } catch (e) { /* storage disabled: this page is a tab of its own */ }
    return null;
  }

  function leaveTab() {
    try { sessionStorage.setItem(tabKey, JSON.stringify({ id: tab.id, seq: tab.seq })); } catch (e) { /* ignore */ }
  }

  function answers() {
    var result = {};
    inputs.forEach(function (input) { result[input.dataset.section] = input.value; });
    return result;
  }

  function show(state, text) {
    stateBox.dataset.state = state;
    stateBox.textContent = text;
  }

  function clock(iso) {
    return window.LocalTime.text(iso, "seconds");
  }

  // -- a copy in this browser per tab, so closing a tab while offline loses nothing -------------

  function keepLocally(isDirty) {
    try {
      localStorage.setItem(storagePrefix + tab.id, JSON.stringify({
        seq: tab.seq, base: revision, dirty: isDirty, answers: answers(), at: Date.now()
      }));
    } catch (e) { /* storage full or disabled: the server copy still counts */ }
  }

  function localEntries() {
    var found = [];
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i);
        if (key && key.indexOf(storagePrefix) === 0) {
          var entry = JSON.parse(localStorage.getItem(key) || "null");
          if (entry && entry.answers) found.push({ key: key, id: key.slice(storagePrefix.length), entry: entry });
        }
      }
    } catch (e) { /* storage disabled */ }
    return found;
  }

  function differsFromPage(saved) {
    return inputs.some(function (input) {
      var text = saved[input.dataset.section];
      return typeof text === "string" && text !== input.value;
    });
  }

  function putOnPage(saved) {
    inputs.forEach(function (input) {
      var text = saved[input.dataset.section];
      if (typeof text === "string") { input.value = text; updateCount(input); }
    });
  }

  // Text this browser typed but the server may not have: this tab's own, from before a reload,
  // goes back on the page; another tab's that had seen the current revision too (if that tab is
  // still open the two tabs' saves are then judged like any others); anything else is sent to be
  // kept as a copy, so it can be read on the page but never replaces newer work.
  function restoreLocalCopies() {
    var restored = false;
    localEntries().forEach(function (item) {
      var saved = item.entry;
      if (!saved.dirty || !differsFromPage(saved.answers)) {
        if (item.id !== tab.id && !saved.dirty) removeLocal(item.key);
        return;
      }
      if (item.id === tab.id) {
        putOnPage(saved.answers);
        revision = saved.base;
        restored = true;
      } else if (!restored && saved.base === revision) {
        putOnPage(saved.answers);
        removeLocal(item.key);
        restored = true;
      } else {
        sendCopy(item);
      }
    });
    if (restored) {
      show("saving", "Restored text this browser had not yet saved. Saving…");
      changed();
    }
  }

  function removeLocal(key) { try { localStorage.removeItem(key); } catch (e) { /* ignore */ } }

  function sendCopy(item) {
    // Under an id of its own, so it can never take a number the other tab may still use.
    post({ client_id: (item.id + "-kept").slice(0, 64), seq: Math.max(1, item.entry.seq || 0),
           base_revision: item.entry.base, answers: item.entry.answers, keep_as_copy: true }, false)
      .then(function (response) { if (response.ok) removeLocal(item.key); })
      .catch(function () { /* tried again on the next visit */ });
  }

  // -- saving --------------------------------------------------------------------------

  function post(body, keepalive) {
    return fetch(form.dataset.autosaveUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    });
  }

  function changed() {
    if (closed) return;
    if (!dirty) firstUnsavedAt = Date.now();
    dirty = true;
    keepLocally(true);
    if (!conflict) show("pending", "Unsaved changes");
    clearTimeout(timer);
    var wait = Math.max(0, Math.min(SAVE_DELAY_MS, firstUnsavedAt + SAVE_MAX_WAIT_MS - Date.now()));
    timer = setTimeout(save, wait);
  }

  function save(options) {
    if (closed || !dirty) return Promise.resolve();
    if (inFlight) { clearTimeout(timer); timer = setTimeout(save, 500); return Promise.resolve(); }
    inFlight = true;
    tab.seq += 1;
    var sent = answers();
    keepLocally(true);
    if (!conflict) show("saving", "Saving…");
    var body = { client_id: tab.id, seq: tab.seq, base_revision: revision, answers: sent };
    if (takeOver) body.take_over = true;
    return post(body, Boolean(options && options.keepalive)).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (reply) {
        handle(response.status, reply, sent);
      });
    }).catch(function () {
      offline();
    }).finally(function () {
      inFlight = false;
    });
  }

  // Every JSON error of the app is {error, code, message, field?, ...extra}; a proxy's page in its place is not.
  function refusalMessage(body, fallback) {
    return body && typeof body.code === "string" && body.message ? body.message : fallback;
  }

  function handle(status, body, sent) {
    if (typeof body.seconds_left === "number") countdown.sync(body.seconds_left, body.deadline_at);
    if (status === 200 && body.status === "accepted") {
      revision = body.revision;
      baseField.value = String(revision);
      retryDelay = 2000;
      takeOver = false;
      if (conflict) { conflict = false; conflictPanel.hidden = true; }
      var same = JSON.stringify(sent) === JSON.stringify(answers());
      dirty = !same;
      keepLocally(dirty);
      show(dirty ? "pending" : "saved", (dirty ? "Saved earlier text at " : "Saved ") + clock(body.saved_at));
      if (dirty) { clearTimeout(timer); timer = setTimeout(save, SAVE_DELAY_MS); }
      return;
    }
    if (status === 200 && body.status === "stale") return;
    if (status === 409) {
      // The text went to the server as a copy; later typing keeps that copy up to date.
      retryDelay = 2000;
      conflict = true;
      dirty = JSON.stringify(sent) !== JSON.stringify(answers());
      keepLocally(true);
      show("conflict", "Another tab saved a newer copy. This tab's text is kept as a copy: choose how to go on, just above your answer.");
      showLatest(body.latest);
      if (conflictPanel.hidden) {
        conflictPanel.hidden = false;
        conflictPanel.scrollIntoView({ block: "nearest" });
      }
      return;
    }
    if (status === 401 && body.code === "session_ended") {
      // The link was withdrawn or replaced: nothing more reaches the server, so say so rather than retry.
      closed = true;
      clearTimeout(timer);
      keepLocally(true);
      show("closed", "This link no longer works, so nothing more can be saved here (what was saved before is kept). " +
        "Your latest text stays in this browser: open the newest link from your email to go on, or contact the " +
        "hiring team.");
      return;
    }
    if (status === 410) {
      closed = true;
      show("closed", refusalMessage(body, "The time for this exercise is over."));
      setTimeout(function () { window.location.reload(); }, 2000);
      return;
    }
    if (status === 400 || status === 413 || status === 422) {
      show("error", refusalMessage(body, "This could not be saved. Shorten the text and try again."));
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

  // The text this tab is asked to choose against, shown as plain text, never as HTML.
  function showLatest(latest) {
    var box = document.getElementById("conflict-latest");
    if (!latest || !box) return;
    var holder = box.querySelector(".conflict-latest-text");
    holder.textContent = "";
    inputs.forEach(function (input) {
      var text = latest[input.dataset.section];
      if (!text) return;
      var heading = document.createElement("h3");
      heading.className = "h4";
      heading.textContent = form.querySelector('label[for="' + input.id + '"]').textContent.trim();
      var body = document.createElement("pre");
      body.className = "copy-text";
      body.textContent = text;
      holder.appendChild(heading);
      holder.appendChild(body);
    });
    box.hidden = false;
  }

  document.getElementById("conflict-keep-mine").addEventListener("click", function () {
    var ok = window.confirm("Continue with the text in this tab? The text the other tab saved is kept " +
                            "as a copy you can still read on this page.");
    if (!ok) return;
    takeOver = true;
    dirty = true;
    show("saving", "Saving this tab's text…");
    save();
  });

  // Send this tab's text until the server has it (as the draft or as a copy), then go on.
  function settle() {
    return new Promise(function (resolve) {
      (function tryOnce() {
        if (inFlight) { setTimeout(tryOnce, 200); return; }
        save().then(function () { if (dirty) setTimeout(tryOnce, 1000); else resolve(); });
      })();
    });
  }

  document.getElementById("conflict-load-latest").addEventListener("click", function () {
    dirty = true;
    show("saving", "Keeping this tab's text as a copy…");
    settle().then(function () {
      // A fresh line of work starts from the newest copy; this tab's text stays on the server.
      removeLocal(storagePrefix + tab.id);
      tab = null;
      window.location.reload();
    });
  });

  window.addEventListener("online", function () { if (dirty) { retryDelay = 2000; save(); } });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty) save({ keepalive: true });
  });
  window.addEventListener("pagehide", function () {
    if (!tab) return;
    if (dirty) save({ keepalive: true });
    leaveTab();
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) takeTab();
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !closed && !conflict && !submitting) { event.preventDefault(); event.returnValue = ""; }
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
          closed = true;
          inputs.forEach(function (input) { input.readOnly = true; });
          show("closed", "Time is up. What you saved is being submitted for you…");
          setTimeout(function () { window.location.reload(); }, GRACE_RELOAD_MS);
        });
      }
    }
    tick();
    setInterval(tick, 1000);
    var until = box.querySelector(".timer-label time");
    return {
      // The server's figures after every save, so added time shows at once, without a reload.
      sync: function (secondsLeft, deadlineAt) {
        endsAt = performance.now() + secondsLeft * 1000;
        if (deadlineAt && until) window.LocalTime.set(until, deadlineAt);
      }
    };
  })();

  // -- characters and previews -------------------------------------------------------------

  function updateCount(input) {
    var counter = document.getElementById(input.id + "-count");
    if (!counter) return;
    // Characters as the server counts them: code points, so an emoji is one, not two.
    var length = Array.from(input.value).length;
    counter.querySelector(".count").textContent = length.toLocaleString();
    counter.querySelector(".over-limit").hidden = length <= (parseInt(input.dataset.max, 10) || Infinity);
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
        if (typeof body.code === "string") {
          var note = document.createElement("p");
          note.className = "muted";
          note.textContent = refusalMessage(body, "Nothing to preview yet.");
          pane.replaceChildren(note);
          return;
        }
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
      if (closed) return;
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
      leaveTab();
      tab = null;
      HTMLFormElement.prototype.submit.call(form); // the form has a field named "submit"
    });
  }

  restoreLocalCopies();
  // Text typed before this script ran has not been seen by the input listeners yet.
  if (!dirty && inputs.some(function (input) { return input.value !== input.defaultValue; })) changed();
})();

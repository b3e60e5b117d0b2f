// Every <time datetime data-style> the server wrote in UTC (the `when` filter, assess/web/dates.py),
// shown in the reader's own time zone, with the UTC text kept as its title. Pages add times later
// through LocalTime.set(element, iso), and times in fragments added to the page are rewritten too.
(function () {
  "use strict";

  var DAY = { day: "2-digit", month: "short" };
  var STYLES = {
    date: { day: "2-digit", month: "short", year: "numeric" },
    day: DAY,
    datetime: { day: "2-digit", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" },
    daytime: { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit" },
    time: { hour: "2-digit", minute: "2-digit" },
    seconds: { hour: "2-digit", minute: "2-digit", second: "2-digit" },
    stamp: { day: "2-digit", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" }
  };

  function options(style, zone) {
    var wanted = STYLES[style] || STYLES.datetime;
    var result = { hourCycle: "h23" };
    Object.keys(wanted).forEach(function (key) { result[key] = wanted[key]; });
    if (zone) result.timeZone = zone;
    else if (wanted.hour) result.timeZoneName = "short";
    return result;
  }

  function format(iso, style, zone) {
    var moment = new Date(iso);
    if (isNaN(moment.getTime())) return null;
    var text = new Intl.DateTimeFormat([], options(style, zone)).format(moment);
    return zone && (STYLES[style] || STYLES.datetime).hour ? text + " UTC" : text;
  }

  function render(element) {
    var iso = element.getAttribute("datetime");
    var local = format(iso, element.dataset.style);
    if (local === null) return;
    element.title = format(iso, element.dataset.style, "UTC");
    element.textContent = local;
  }

  function renderAll(root) {
    if (root.matches && root.matches("time[datetime][data-style]")) render(root);
    if (root.querySelectorAll) root.querySelectorAll("time[datetime][data-style]").forEach(render);
  }

  window.LocalTime = {
    // The reader's local text of an instant in one of the styles.
    text: function (iso, style) { return format(iso, style) || ""; },
    // Point a <time> at another instant and show it.
    set: function (element, iso) { element.setAttribute("datetime", iso); render(element); }
  };

  renderAll(document);
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) { if (node.nodeType === 1) renderAll(node); });
    });
  }).observe(document.body, { childList: true, subtree: true });
})();

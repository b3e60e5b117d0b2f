// Reload a page that says it is out of date, once the reader is not in the middle of something:
// a menu open or a field with the focus puts the reload off by two seconds at a time.
(() => {
  const tag = document.querySelector('meta[name="refresh-after-seconds"]');
  if (!tag) return;
  const busy = () => document.querySelector("details[open]") !== null
    || (document.activeElement !== null && document.activeElement.matches("input, textarea, select"));
  const look = () => (busy() ? setTimeout(look, 2000) : window.location.reload());
  setTimeout(look, Number(tag.content) * 1000);
})();

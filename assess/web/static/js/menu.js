// A menu (a <details class="menu">) closes on Escape and on a click outside it, as menus do.
(() => {
  const close = (except) => document.querySelectorAll("details.menu[open]").forEach((menu) => {
    if (menu !== except) menu.removeAttribute("open");
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const open = document.querySelector("details.menu[open]");
    if (open === null) return;
    close(null);
    open.querySelector("summary").focus();
  });
  document.addEventListener("click", (event) => close(event.target.closest("details.menu")));
})();

// Narrows the list of people or topics as the reader types. Without JavaScript the box
// stays hidden and the whole list shows; nothing here is needed to read the page.
(() => {
  "use strict";
  const box = document.querySelector("[data-term-filter]");
  if (!box) return;
  const input = box.querySelector("input");
  const status = box.querySelector("output");
  const top = document.querySelector(".term-top");
  const groups = [...document.querySelectorAll(".az-group")];
  const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  const items = groups.flatMap((group) => [...group.querySelectorAll("li")].map(
    (item) => ({ item, text: fold(item.querySelector("a").textContent) })));
  const apply = () => {
    const words = fold(input.value).split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const { item, text } of items) {
      item.hidden = !words.every((word) => text.includes(word));
      if (!item.hidden) shown += 1;
    }
    for (const group of groups) group.hidden = !group.querySelector("li:not([hidden])");
    if (top) top.hidden = words.length > 0;
    status.textContent = words.length ? `${shown} of ${items.length} shown` : "";
  };
  input.addEventListener("input", apply);
  box.hidden = false;
  apply();
})();

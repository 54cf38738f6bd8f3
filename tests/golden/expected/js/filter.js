// Narrows the list of people or topics as the reader types. Without JavaScript the box
// stays hidden and the whole list shows; nothing here is needed to read the page.
(() => {
  "use strict";
  const box = document.querySelector("[data-term-filter]");
  if (!box) return;
  const input = box.querySelector("input");
  const status = box.querySelector("output");
  const words = JSON.parse(box.dataset.words || "{}");  // the page's words, where its language is not English
  const said = (shown, total) => (words["{shown} of {total} shown"] || "{shown} of {total} shown")
    .replace("{shown}", shown).replace("{total}", total);
  const top = document.querySelector(".term-top");
  const groups = [...document.querySelectorAll(".az-group")];
  const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  const items = groups.flatMap((group) => [...group.querySelectorAll("li")].map(
    (item) => ({ item, text: fold(item.querySelector("a").textContent) })));
  const apply = () => {
    const typed = fold(input.value).split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const { item, text } of items) {
      item.hidden = !typed.every((word) => text.includes(word));
      if (!item.hidden) shown += 1;
    }
    for (const group of groups) group.hidden = !group.querySelector("li:not([hidden])");
    if (top) top.hidden = typed.length > 0;
    status.textContent = typed.length ? said(shown, items.length) : "";
  };
  input.addEventListener("input", apply);
  box.hidden = false;
  apply();
})();

// The search page: queries the Pagefind index that `digest build` writes to pagefind/,
// in the browser, with no request to any other host. Filters by person, topic, source and edition.
(() => {
  "use strict";
  const root = document.querySelector("[data-search]");
  if (!root) return;
  const base = root.dataset.base;
  const form = root.querySelector("form");
  const input = root.querySelector("input[name=q]");
  const filterBox = root.querySelector("[data-filters]");
  const status = root.querySelector("[data-status]");
  const list = root.querySelector("[data-results]");
  // the page's words, where its language is not English (the theme's catalogs, `data-words`)
  const words = JSON.parse(root.dataset.words || "{}");
  const t = (message, values = {}) => (words[message] || message).replace(/\{(\w+)\}/g, (_, key) => values[key]);
  const counted = (count, noun, english) => {
    const forms = words[noun];
    if (!forms) return english;
    const form = forms[new Intl.PluralRules(document.documentElement.lang).select(count)] || forms.other;
    return form.replace("{count}", count);
  };
  const names = { person: t("Person"), topic: t("Topic"), source: t("Source"), edition: t("Edition") };
  const anyOf = { person: t("Any person"), topic: t("Any topic"), source: t("Any source"), edition: t("Any edition") };
  const selects = {};
  const params = new URLSearchParams(location.search);
  let pagefind;

  const el = (tag, props = {}, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  };

  const show = async () => {
    const query = input.value.trim();
    const filters = {};
    for (const [key, select] of Object.entries(selects)) if (select.value) filters[key] = select.value;
    const next = new URLSearchParams();
    if (query) next.set("q", query);
    for (const [key, value] of Object.entries(filters)) next.set(key, value);
    history.replaceState(null, "", next.toString() ? `?${next}` : location.pathname);
    if (!query && !Object.keys(filters).length) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    const search = await pagefind.debouncedSearch(query || null, { filters, sort: query ? undefined : { date: "desc" } }, 120);
    if (search === null) return;  // a newer search replaced this one
    const found = await Promise.all(search.results.slice(0, 30).map((result) => result.data()));
    list.replaceChildren(...found.map((page) => {
      const link = el("a", { href: page.url, textContent: page.meta.title });
      const when = [page.meta.date, page.meta.source].filter(Boolean).join(" · ");
      const excerpt = el("p", { className: "search-excerpt" });
      excerpt.innerHTML = page.excerpt;  // Pagefind escapes the text and marks the matches with <mark>
      return el("li", {}, el("h2", { className: "search-title" }, link), el("p", { className: "byline", textContent: when }), excerpt);
    }));
    const count = search.results.length;
    status.textContent = count === 0 ? t("No article matches.")
      : counted(count, "article", count === 1 ? "1 article" : `${count} articles`)
        + (count > found.length ? t(", the first {count} shown", { count: found.length }) : "");
  };

  (async () => {
    try {
      // the index comes in parts by date, newest first: load the first, merge the others
      const { shards } = await (await fetch(`${base}pagefind/shards.json`)).json();
      pagefind = await import(`${base}pagefind/${shards[0]}/pagefind.js`);
      // a digest's articles are summaries of much the same length: one that names a person more often
      // is more about them, so the length of a page does not discount its matches
      const options = { baseUrl: base, ranking: { pageLength: 0 } };
      await pagefind.options(options);
      await Promise.all(shards.slice(1).map((shard) => pagefind.mergeIndex(`${base}pagefind/${shard}/`, options)));
      const available = await pagefind.filters();
      for (const key of Object.keys(names)) {
        const values = Object.keys(available[key] || {}).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
        if (!values.length) continue;
        const id = `d-filter-${key}`;
        const select = el("select", { id, name: key });
        select.append(el("option", { value: "", textContent: anyOf[key] }),
          ...values.map((value) => el("option", { value, textContent: `${value} (${available[key][value]})` })));
        select.value = params.get(key) || "";
        select.addEventListener("change", show);
        selects[key] = select;
        filterBox.append(el("label", { htmlFor: id, textContent: names[key] }), select);
      }
      filterBox.hidden = false;
    } catch (error) {
      status.textContent = t("The search index could not be loaded.");
      return;
    }
    input.value = params.get("q") || "";
    input.addEventListener("input", show);
    form.addEventListener("submit", (event) => { event.preventDefault(); show(); });
    input.focus();
    show();
  })();
})();

// digest serve: reloads this page when a rebuild changes it, swaps stylesheets in place,
// and shows the build's problems over the page while the site does not build.
// Added to pages as they are served; never written into a built site.
(() => {
  "use strict";
  const script = document.currentScript;
  const query = new URLSearchParams({ version: script.dataset.version, file: script.dataset.file });
  const events = new EventSource(`${script.dataset.events}?${query}`);
  const OVERLAY = "digest-problems";

  const showProblems = (problems) => {
    document.getElementById(OVERLAY)?.remove();
    const box = document.createElement("div");
    box.id = OVERLAY;
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
      "background:#161616;color:#f5f5f5;font:15px/1.5 ui-monospace,Menlo,Consolas,monospace";
    const title = document.createElement("h2");
    title.textContent = problems.length === 1 ? "The site does not build: 1 problem"
      : `The site does not build: ${problems.length} problems`;
    title.style.cssText = "margin:0 0 1rem;font:bold 1.2rem system-ui,sans-serif;color:#ff8a80";
    box.append(title);
    for (const problem of problems) {
      const item = document.createElement("pre");
      item.style.cssText = "margin:0 0 1rem;white-space:pre-wrap;color:inherit;background:none";
      const where = problem.path ? `${problem.path}${problem.line ? ":" + problem.line : ""}: ` : "";
      item.textContent = where + problem.message + (problem.hint ? `\n    ${problem.hint}` : "");
      box.append(item);
    }
    const note = document.createElement("p");
    note.textContent = "Fix the file and save: this page reloads by itself.";
    note.style.cssText = "font-family:system-ui,sans-serif;color:#bbb";
    box.append(note);
    document.body.append(box);
  };

  const swapStylesheets = () => {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("digest-reload", Date.now());
      const fresh = link.cloneNode();
      fresh.href = url.href;
      fresh.addEventListener("load", () => link.remove(), { once: true });
      fresh.addEventListener("error", () => fresh.remove(), { once: true });
      link.after(fresh);
    }
  };

  events.addEventListener("reload", () => { events.close(); location.reload(); });
  events.addEventListener("css", swapStylesheets);
  events.addEventListener("problems", (event) => showProblems(JSON.parse(event.data).problems));
})();

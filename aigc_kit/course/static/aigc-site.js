/* aigc-kit course site: what the exported pages need beyond nbconvert's lab template.
 *
 * Loaded (synchronously, before MathJax) by every page of the site; written for the kit,
 * MIT like the kit. Everything works from file:// with no network:
 *
 * 1. MathJax 3 configuration, with a MathJax 2 compatibility shim: the widget manager
 *    (@jupyter-widgets/html-manager) typesets widget labels with MathJax 2's
 *    `MathJax.Hub.Queue(["Typeset", MathJax.Hub, element])`; the shim queues those
 *    elements and typesets them with MathJax 3's `typesetPromise`, one batch after another.
 * 2. Diagrams: ```mermaid blocks (`.jp-Mermaid > pre.mermaid`) drawn as SVG by the Mermaid
 *    shipped next to this file (`mermaid.min.js`), loaded only on pages that have one.
 * 3. Player durations: Chromium's audio controls show whole seconds, so a 0.99 s clip reads
 *    "0:00 / 0:00"; every player gets its duration written under it ("0.99 s").
 * 4. Search (the index page only): a box over the prebuilt index `search-index.js`
 *    (chapter titles, headings, and the kit's public names each chapter uses).
 */
(function () {
  "use strict";
  const here = document.currentScript ? document.currentScript.src : "";
  const staticUrl = (name) => new URL(name, here || document.baseURI).href;

  /* 1 · MathJax 3 configuration and the MathJax 2 `Hub.Queue` shim ------------------- */
  const waiting = [];
  let typesetting = null;
  function flushTypeset() {
    const mathjax = window.MathJax;
    if (!mathjax || !mathjax.typesetPromise || !mathjax.startup || !waiting.length) {
      return; // MathJax 3 not ready yet: its ready() flushes the queue
    }
    const elements = waiting.splice(0).filter((element) => element && element.isConnected);
    typesetting = (typesetting || mathjax.startup.promise)
      .then(() => mathjax.typesetPromise(elements))
      .catch((error) => console.warn("aigc-kit: MathJax could not typeset a widget", error));
  }
  const hub = {
    Queue(...jobs) {
      for (const job of jobs) {
        if (Array.isArray(job) && job[0] === "Typeset") {
          waiting.push(job[2] || document.body);
        }
      }
      flushTypeset();
    },
  };
  window.MathJax = {
    tex: {
      inlineMath: [["$", "$"], ["\\(", "\\)"]],
      displayMath: [["$$", "$$"], ["\\[", "\\]"]],
      processEscapes: true,
      processEnvironments: true,
      tags: "ams",
    },
    svg: { fontCache: "global" },
    options: { enableMenu: false },
    startup: {
      ready() {
        window.MathJax.startup.defaultReady();
        window.MathJax.Hub = hub; // MathJax 3 replaced the configuration object
        flushTypeset();
      },
    },
    Hub: hub, // for the widget manager, should it typeset before MathJax 3 has loaded
  };

  /* 2 · Mermaid diagrams -------------------------------------------------------------- */
  function loadScript(url) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.onload = resolve;
      script.onerror = () => reject(new Error(`could not load ${url}`));
      document.head.appendChild(script);
    });
  }

  async function drawDiagrams() {
    const diagrams = Array.from(document.querySelectorAll(".jp-Mermaid > pre.mermaid"));
    if (!diagrams.length) {
      return;
    }
    const root = document.documentElement;
    root.classList.add("aigc-diagrams-loading");
    try {
      await loadScript(staticUrl("mermaid.min.js"));
      const font = getComputedStyle(document.body).getPropertyValue("--jp-ui-font-family");
      window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict",
                                  theme: "default", fontFamily: font || "sans-serif" });
      for (const [index, source] of diagrams.entries()) {
        const box = source.parentNode;
        try {
          const { svg } = await window.mermaid.render(`aigc-diagram-${index}`,
                                                       source.textContent.trim());
          const figure = document.createElement("figure");
          figure.className = "aigc-diagram";
          figure.innerHTML = svg;
          box.appendChild(figure);
          box.classList.add("jp-RenderedMermaid");
        } catch (error) {
          box.classList.add("jp-mod-warning"); // the diagram's text stays readable
          console.warn("aigc-kit: a diagram could not be drawn", error);
        }
      }
    } catch (error) {
      console.warn("aigc-kit: diagrams shown as text", error);
    } finally {
      root.classList.remove("aigc-diagrams-loading");
    }
  }

  /* 3 · Player durations -------------------------------------------------------------- */
  function duration(seconds) {
    if (seconds < 60) {
      return `${seconds.toFixed(2)} s`;
    }
    const whole = Math.round(seconds);
    return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")} min`;
  }

  function labelPlayer(audio) {
    if (audio.dataset.aigcDuration) {
      return;
    }
    audio.dataset.aigcDuration = "pending";
    const write = () => {
      if (!Number.isFinite(audio.duration)) {
        return;
      }
      const label = document.createElement("span");
      label.className = "aigc-duration";
      label.textContent = duration(audio.duration);
      audio.dataset.aigcDuration = label.textContent;
      audio.insertAdjacentElement("afterend", label);
    };
    if (audio.readyState >= 1) {
      write();
    } else {
      audio.addEventListener("loadedmetadata", write, { once: true });
    }
  }

  function labelPlayers() {
    document.querySelectorAll("audio").forEach(labelPlayer);
    // widget views (and their players) are drawn after the page has loaded
    new MutationObserver(() => document.querySelectorAll("audio:not([data-aigc-duration])")
      .forEach(labelPlayer)).observe(document.body, { childList: true, subtree: true });
  }

  /* 4 · Search ------------------------------------------------------------------------ */
  const RANK = { chapter: 0, heading: 1, name: 2 };

  function searchEntries(index) {
    const entries = [];
    for (const chapter of index.chapters) {
      entries.push({ chapter, kind: "chapter", text: chapter.title, href: chapter.href });
      for (const [text, anchor] of chapter.headings) {
        entries.push({ chapter, kind: "heading", text, href: `${chapter.href}#${anchor}` });
      }
      for (const [name, module, anchor] of chapter.names) {
        entries.push({ chapter, kind: "name", text: name, module,
                       href: anchor ? `${chapter.href}#${anchor}` : chapter.href });
      }
    }
    return entries;
  }

  function showResults(list, found, query) {
    list.replaceChildren();
    for (const entry of found.slice(0, 40)) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = entry.href;
      if (entry.kind === "name") {
        const code = document.createElement("code");
        code.textContent = entry.text;
        link.append(code, ` (${entry.module})`);
      } else {
        link.textContent = entry.text;
      }
      item.append(link);
      if (entry.kind !== "chapter") {
        item.append(` · ${entry.chapter.title}`);
      }
      list.append(item);
    }
    const status = document.getElementById("aigc-search-status");
    status.textContent = !query ? "" : found.length ? `${found.length} found` +
      (found.length > 40 ? " (first 40 shown)" : "") : `nothing found for "${query}"`;
  }

  function setUpSearch() {
    const box = document.getElementById("aigc-search-input");
    if (!box || !window.AIGC_SEARCH_INDEX) {
      return;
    }
    const entries = searchEntries(window.AIGC_SEARCH_INDEX);
    const list = document.getElementById("aigc-search-results");
    const search = () => {
      const query = box.value.trim();
      const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
      const found = !terms.length ? [] : entries.filter((entry) => {
        const text = `${entry.text} ${entry.module || ""}`.toLowerCase();
        return terms.every((term) => text.includes(term));
      }).sort((a, b) => RANK[a.kind] - RANK[b.kind]); // stable: chapter order within a kind
      showResults(list, found, query);
    };
    box.addEventListener("input", search);
    search();
  }

  document.addEventListener("DOMContentLoaded", () => {
    drawDiagrams();
    labelPlayers();
    setUpSearch();
  });
})();

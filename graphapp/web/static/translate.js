// The interface of a vendored widget in the page's language: YASGUI on /sparql, Swagger UI on /docs. Both draw
// their labels in English and have no option to change most of them (the vendored files stay as published).
// On a Spanish page, gakgTranslate(root, {words, patterns, skip}) gives each text node and each title, aria-label
// and placeholder under root whose whole text is a known English label its Spanish one, as the widget draws them
// (a MutationObserver): words are exact labels, patterns [RegExp, replacement string or function] labels with a
// number in them. Only whole known labels change, never inside the elements `skip` selects (the query text, the
// results, the OpenAPI document's own text): data is never translated. Text is set as text, never as HTML.
(function () {
  "use strict";
  const ATTRIBUTES = ["title", "aria-label", "placeholder"];

  window.gakgTranslate = function (root, options) {
    if (!root || document.documentElement.lang !== "es") { return; }
    const words = options.words || {};
    const patterns = options.patterns || [];
    const skip = options.skip || "";

    function translated(text) {
      const trimmed = text.trim();
      if (!trimmed) { return null; }
      let out = Object.prototype.hasOwnProperty.call(words, trimmed) ? words[trimmed] : null;
      for (let i = 0; out === null && i < patterns.length; i++) {
        if (patterns[i][0].test(trimmed)) { out = trimmed.replace(patterns[i][0], patterns[i][1]); }
      }
      return out === null || out === trimmed ? null : text.replace(trimmed, function () { return out; });
    }

    function skipped(node) {
      const element = node.nodeType === 1 ? node : node.parentElement;
      return !element || (skip !== "" && element.closest(skip) !== null);
    }

    function text(node) {
      if (skipped(node)) { return; }
      const out = translated(node.nodeValue);
      if (out !== null) { node.nodeValue = out; }
    }

    function attributes(element) {
      if (skipped(element)) { return; }
      ATTRIBUTES.forEach(function (name) {
        const value = element.getAttribute(name);
        const out = value ? translated(value) : null;
        if (out !== null) { element.setAttribute(name, out); }
      });
    }

    function subtree(node) {
      if (node.nodeType === 3) { text(node); return; }
      if (node.nodeType !== 1 || skipped(node)) { return; }
      attributes(node);
      const walker = document.createTreeWalker(node, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
        acceptNode: function (n) {
          return n.nodeType === 1 && skip !== "" && n.matches(skip) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
        }
      });
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (n.nodeType === 3) { text(n); } else { attributes(n); }
      }
    }

    subtree(root);
    new MutationObserver(function (records) {
      records.forEach(function (r) {
        if (r.type === "childList") { r.addedNodes.forEach(subtree); }
        else if (r.type === "characterData") { text(r.target); }
        else { attributes(r.target); }
      });
    }).observe(root, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ATTRIBUTES });
  };
})();

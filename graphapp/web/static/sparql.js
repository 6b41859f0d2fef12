// Query page. With YASGUI (vendored: static/vendor/yasgui) the editor mounts in #yasgui and the plain form's
// textarea hides; without it the form runs the query with fetch and draws a table; without JavaScript the form
// is a plain GET to the endpoint. In every case the download links offer exactly the formats of the query's
// form (SELECT/ASK: JSON, XML, CSV, TSV; CONSTRUCT/DESCRIBE: Turtle, N-Triples, RDF/XML, JSON-LD).
// Every value is inserted with textContent, never as HTML.
(function () {
  "use strict";
  const form = document.getElementById("query-form");
  const textarea = document.getElementById("query");
  const examples = document.getElementById("examples");
  const description = document.getElementById("example-description");
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  const links = document.getElementById("download-links");
  const formats = JSON.parse(document.getElementById("sparql-formats").textContent);
  const endpoint = form.getAttribute("action");
  const base = document.body.dataset.base || "";
  let editor = null; // YASGUI, when it loaded

  // The query form: the first SELECT/ASK/CONSTRUCT/DESCRIBE keyword outside comments, strings and IRIs.
  function queryForm(text) {
    const masked = text
      .replace(/"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, " ")
      .replace(/<[^<>"{}|^`\\\s]*>/g, " ")
      .replace(/#[^\r\n]*/g, " ");
    const m = masked.match(/\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i);
    return m ? m[1].toUpperCase() : "SELECT";
  }

  function currentQuery() {
    return editor ? editor.getTab().getYasqe().getValue() : textarea.value;
  }

  function setQuery(text) {
    if (editor) {
      editor.getTab().getYasqe().setValue(text);
    } else {
      textarea.value = text;
    }
    updateLinks();
  }

  function updateLinks() {
    const query = currentQuery();
    const kind = queryForm(query);
    links.replaceChildren();
    (formats[kind] || []).forEach(function (fmt, i) {
      const a = document.createElement("a");
      a.className = "download";
      a.dataset.format = fmt.key;
      a.dataset.media = fmt.media;
      a.href = endpoint + "?" + new URLSearchParams({ query: query, format: fmt.key });
      a.textContent = fmt.label;
      if (i) { links.appendChild(document.createTextNode(" · ")); }
      links.appendChild(a);
    });
    links.dataset.form = kind;
  }

  examples.addEventListener("change", function () {
    const tpl = document.getElementById("example-" + examples.value);
    if (!tpl) { return; }
    setQuery(tpl.content ? tpl.content.textContent.trim() : tpl.textContent.trim());
    description.textContent = tpl.dataset.description || "";
  });

  function entityHref(iri) {
    // IRIs of this graph resolve on this server; others (Wikidata, UN SDG) link to themselves.
    if (base && iri.startsWith(base)) { return "/" + iri.slice(base.length); }
    return iri;
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) { return td; }
    if (term.type === "uri") {
      const a = document.createElement("a");
      a.href = entityHref(term.value);
      a.textContent = term.value;
      td.appendChild(a);
    } else {
      td.textContent = term.value;
      if (term["xml:lang"]) {
        const lang = document.createElement("span");
        lang.className = "lang";
        lang.textContent = "@" + term["xml:lang"];
        td.appendChild(lang);
      }
    }
    return td;
  }

  function draw(data) {
    results.replaceChildren();
    if (typeof data.boolean === "boolean") {
      const p = document.createElement("p");
      p.className = "ask";
      p.textContent = data.boolean ? "true" : "false";
      results.appendChild(p);
      return 1;
    }
    const vars = data.head.vars;
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    vars.forEach(function (v) {
      const th = document.createElement("th");
      th.textContent = v;
      head.appendChild(th);
    });
    const body = table.createTBody();
    data.results.bindings.forEach(function (row) {
      const tr = body.insertRow();
      vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
    });
    results.appendChild(table);
    return data.results.bindings.length;
  }

  function runPlain(event) {
    event.preventDefault();
    status.textContent = "Consultando… / Running…";
    const started = performance.now();
    fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json, text/turtle;q=0.9" },
      body: new URLSearchParams({ query: textarea.value })
    }).then(function (response) {
      const type = response.headers.get("content-type") || "";
      if (!response.ok) {
        return response.text().then(function (text) { throw new Error(text); });
      }
      if (type.indexOf("json") >= 0) {
        return response.json().then(function (data) {
          const n = draw(data);
          const cut = response.headers.get("x-result-truncated");
          status.textContent = n + " resultados / results · " + Math.round(performance.now() - started) + " ms" + (cut ? " · " + cut : "");
        });
      }
      return response.text().then(function (text) {
        results.replaceChildren();
        const pre = document.createElement("pre");
        pre.textContent = text;
        results.appendChild(pre);
        status.textContent = "RDF · " + Math.round(performance.now() - started) + " ms";
      });
    }).catch(function (error) {
      results.replaceChildren();
      const pre = document.createElement("pre");
      pre.className = "error-message";
      pre.textContent = error.message;
      results.appendChild(pre);
      status.textContent = "Error";
    });
  }

  function mountYasgui() {
    const element = document.getElementById("yasgui");
    const prefixes = JSON.parse(element.dataset.prefixes || "{}");
    const absolute = new URL(endpoint, window.location.href).href;
    Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"]; // the others ask a remote service (LOV)
    editor = new Yasgui(element, {
      requestConfig: {
        endpoint: absolute,
        method: "POST",
        acceptHeaderSelect: "application/sparql-results+json,*/*;q=0.9",
        acceptHeaderGraph: "text/turtle,*/*;q=0.9"
      },
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: absolute }]; } },
      persistenceId: "gakg-yasgui",
      populateFromUrl: true,
      yasqe: { value: textarea.value, autocompleters: ["prefixes", "variables"] },
      yasr: { prefixes: prefixes }
    });
    document.getElementById("plain-editor").hidden = true;
    editor.on("tabChange", updateLinks);
    editor.on("query", function () { status.textContent = ""; });
    const yasqe = editor.getTab().getYasqe();
    yasqe.on("change", updateLinks);
    editor.on("tabAdd", function () { window.setTimeout(function () {
      editor.getTab().getYasqe().on("change", updateLinks);
    }, 0); });
  }

  if (typeof window.Yasgui === "function") {
    try {
      mountYasgui();
    } catch (error) {
      editor = null;
      document.getElementById("plain-editor").hidden = false;
      console.warn("YASGUI did not start; the plain form stays", error);
    }
  }
  if (!editor) {
    form.addEventListener("submit", runPlain);
    textarea.addEventListener("input", updateLinks);
  }
  updateLinks();
})();

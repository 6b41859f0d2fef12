// Query page: example menu, run the query with fetch, draw the results table, build download links.
// Every value is inserted with textContent, never as HTML.
(function () {
  "use strict";
  const form = document.getElementById("query-form");
  const textarea = document.getElementById("query");
  const examples = document.getElementById("examples");
  const description = document.getElementById("example-description");
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  const endpoint = form.getAttribute("action");
  const base = document.body.dataset.base || "";

  examples.addEventListener("change", function () {
    const tpl = document.getElementById("example-" + examples.value);
    if (!tpl) { return; }
    textarea.value = tpl.content ? tpl.content.textContent.trim() : tpl.textContent.trim();
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

  form.addEventListener("submit", function (event) {
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
  });

  document.querySelectorAll("a.download").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      const url = endpoint + "?" + new URLSearchParams({ query: textarea.value, format: link.dataset.format });
      window.location.href = url;
    });
  });
})();

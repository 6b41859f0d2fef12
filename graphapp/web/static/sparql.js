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
  const es = document.documentElement.lang !== "en";
  let editor = null; // YASGUI, when it loaded
  let lastVersion = null; // the graph version of the last answer (X-Graph-Version), for «citar esta consulta»
  const holder = document.getElementById("yasgui");
  // /sparql?version=N: every query of the page runs on that graph version
  const versionField = document.getElementById("query-version");
  const pageVersion = versionField ? versionField.value : null;

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
      const params = { query: query, format: fmt.key };
      if (pageVersion) { params.version = pageVersion; }
      a.href = endpoint + "?" + new URLSearchParams(params);
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
    status.textContent = es ? "Consultando…" : "Running…";
    const started = performance.now();
    fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json, text/turtle;q=0.9" },
      body: new URLSearchParams(pageVersion ? { query: textarea.value, version: pageVersion } : { query: textarea.value })
    }).then(function (response) {
      const type = response.headers.get("content-type") || "";
      lastVersion = response.headers.get("x-graph-version") || lastVersion;
      if (!response.ok) {
        return response.text().then(function (text) { throw new Error(text); });
      }
      if (type.indexOf("json") >= 0) {
        return response.json().then(function (data) {
          const n = draw(data);
          const cut = response.headers.get("x-result-truncated");
          status.textContent = n + (es ? (n === 1 ? " resultado" : " resultados") : (n === 1 ? " result" : " results")) + " · " +
            Math.round(performance.now() - started) + " ms" + (cut ? " · " + cut : "");
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

  // What the editor's own markup lacks for assistive technology (axe-core, tests/test_browser_site.py): names for
  // its fields, a tab list that holds tabs only, and a scrolling area that the keyboard can reach.
  function accessible(root) {
    root.querySelectorAll(".CodeMirror textarea:not([aria-label])").forEach(function (t) {
      t.setAttribute("aria-label", es ? "Consulta SPARQL" : "SPARQL query");
    });
    root.querySelectorAll("input.autocomplete:not([aria-label])").forEach(function (i) {
      i.setAttribute("aria-label", es ? "Punto de acceso SPARQL" : "SPARQL endpoint");
    });
    root.querySelectorAll(".CodeMirror-scroll:not([tabindex='0'])").forEach(function (d) {
      d.setAttribute("tabindex", "0");
    });
    // the graph's own IRIs in the results open their page here, not the canonical address
    root.querySelectorAll(".yasr a[href]").forEach(function (a) {
      const href = a.getAttribute("href");
      if (base && href.startsWith(base)) { a.setAttribute("href", entityHref(href)); }
    });
    root.querySelectorAll(".tabsList > *").forEach(function (child) {
      if (child.getAttribute("role") !== "tab" && !child.querySelector("[role=tab]")) {
        child.parentNode.parentNode.insertBefore(child, child.parentNode.nextSibling); // the "new tab" button
      }
    });
  }

  // YASGUI's interface in Spanish. Its results table (DataTables) takes its words as an option; the rest of
  // YASGUI writes its labels in English with no option to change them: translate.js gives each its Spanish one as
  // it is drawn, never inside the query, the results or the variable names.
  const YASGUI_ES = {
    words: {
      "Query": "Consulta",
      "Table": "Tabla",
      "Response": "Respuesta",
      "Shows Table view": "Muestra la tabla",
      "Shows Response view": "Muestra la respuesta",
      "View documentation of Table": "Documentación de la tabla (en inglés)",
      "View documentation of Response": "Documentación de la respuesta (en inglés)",
      "Page size:": "Filas por página:",
      "All": "Todas",
      "Simple view": "Vista simple",
      "Ellipse": "Abreviar",
      "Filter query results": "Filtrar los resultados",
      "Download result": "Descargar el resultado",
      "Download Results": "Descargar los resultados",
      "Download not supported": "Esta vista no se descarga",
      "Show all": "Mostrar todo",
      "Run query": "Ejecutar la consulta",
      "Share query": "Compartir la consulta",
      "Shorten": "Acortar",
      "Add tab": "Añadir una pestaña",
      "Add a new tab": "Añadir una pestaña",
      "Close tab": "Cerrar la pestaña",
      "Clear endpoint": "Borrar el punto de acceso",
      "Open settings": "Abrir los ajustes",
      "Close settings": "Cerrar los ajustes",
      "Settings": "Ajustes",
      "Request method": "Método de la petición",
      "Accept Headers": "Cabeceras Accept",
      "Default Graphs": "Grafos por defecto",
      "Named Graphs": "Grafos con nombre",
      "Header Arguments": "Cabeceras HTTP",
      "Arguments": "Argumentos",
      "New Tab": "Pestaña nueva",
      "Rename Tab": "Renombrar la pestaña",
      "Copy Tab": "Copiar la pestaña",
      "Close Tab": "Cerrar la pestaña",
      "Close other tabs": "Cerrar las demás pestañas",
      "Undo close Tab": "Reabrir la pestaña cerrada",
      "Try query in a new browser window": "Probar la consulta en una ventana nueva",
      "Unable to get response from endpoint. Possible reasons:": "El punto de acceso no respondió. Causas posibles:",
      "Incorrect endpoint URL": "La URL del punto de acceso es incorrecta",
      "Endpoint is down": "El punto de acceso no está en servicio",
      "Endpoint is not accessible from the YASGUI server and website, and the endpoint is not":
        "El punto de acceso no es accesible desde este sitio y no está",
      "CORS-enabled": "habilitado para CORS",
      "cannot render result": "no se puede mostrar el resultado",
      "Press \"enter\" to add this endpoint": "Pulse Intro para añadir este punto de acceso",
      "pagination": "paginación"
    },
    patterns: [
      [/^Query (\d+)$/, "Consulta $1"],
      [/^(\d+) results? in ([\d.]+) seconds?$/, function (m, n, s) { return n + (n === "1" ? " resultado" : " resultados") + " en " + seconds(s); }],
      [/^(\d+) results?$/, function (m, n) { return n + (n === "1" ? " resultado" : " resultados"); }],
      [/^Response in ([\d.]+) seconds?$/, function (m, s) { return "Respuesta en " + seconds(s); }]
    ],
    // the query's lines, the results, the variable names, the service's error message: never translated
    skip: ".CodeMirror-lines, tbody, .dt-column-title, .errorResult pre"
  };
  function seconds(text) { return text.replace(".", ",") + " s"; } // 0.217 → «0,217 s»
  const TABLE_ES = {
    info: "Filas _START_ a _END_ de _TOTAL_",
    infoEmpty: "Ninguna fila",
    infoFiltered: "(de _MAX_ filas en total)",
    emptyTable: "La consulta no dio resultados",
    zeroRecords: "Ninguna fila coincide con el filtro",
    lengthLabels: { "-1": "Todas" },
    aria: {
      orderable: ": activar para ordenar",
      orderableReverse: ": activar para invertir el orden",
      orderableRemove: ": activar para quitar el orden",
      paginate: { first: "Primera página", last: "Última página", next: "Página siguiente", previous: "Página anterior" }
    }
  };

  function spanishTable() {
    const table = Yasgui.Yasr && Yasgui.Yasr.plugins && Yasgui.Yasr.plugins.table;
    const config = table && table.defaults && table.defaults.tableConfig;
    if (config) { config.language = Object.assign({}, config.language || {}, TABLE_ES); }
  }

  // What the editor completes comes from this service (GET /sparql/terms): the project's prefixes, and the classes
  // and properties of the graph itself. YASGUI's own class and property completers ask a remote service (LOV), its
  // prefix list is the web's at large: neither is used.
  let terms = null;
  function vocabulary() {
    if (!terms) {
      // not kept when it failed (a 503 while the terms are being prepared): the next completion asks again
      terms = fetch(holder.dataset.terms, { headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.statusText); } return r.json(); })
        .catch(function () { terms = null; return { prefixes: {}, classes: [], properties: [] }; });
    }
    return terms;
  }
  function matching(list, token) {
    const typed = (token && (token.autocompletionString || token.string) || "").trim();
    const found = [];
    for (let i = 0; i < list.length && found.length < 100; i++) {
      if (list[i].indexOf(typed) === 0) { found.push(list[i]); }
    }
    return found;
  }
  function registerCompleters() {
    const Yasqe = Yasgui.Yasqe;
    Yasqe.forkAutocompleter("prefixes", {
      name: "gakg-prefixes",
      persistenceId: null,
      get: function () {
        return vocabulary().then(function (v) {
          return Object.keys(v.prefixes).sort().map(function (k) { return k + ": <" + v.prefixes[k] + ">"; });
        });
      }
    }, false);
    Yasqe.forkAutocompleter("class", {
      name: "gakg-class",
      get: function (yasqe, token) { return vocabulary().then(function (v) { return matching(v.classes, token); }); }
    }, false);
    Yasqe.forkAutocompleter("property", {
      name: "gakg-property",
      get: function (yasqe, token) { return vocabulary().then(function (v) { return matching(v.properties, token); }); }
    }, false);
  }
  const COMPLETERS = ["gakg-prefixes", "variables", "gakg-class", "gakg-property"];

  function watchVersion(yasqe) {
    yasqe.on("queryResponse", function (instance, response) {
      if (response && response.headers && typeof response.headers.get === "function") {
        lastVersion = response.headers.get("x-graph-version") || lastVersion;
      }
    });
  }

  function mountYasgui() {
    const element = holder;
    const prefixes = JSON.parse(element.dataset.prefixes || "{}");
    const absolute = new URL(endpoint, window.location.href).href;
    registerCompleters();
    Yasgui.Yasqe.defaults.autocompleters = COMPLETERS.slice();
    if (es) {
      spanishTable();
      if (typeof window.gakgTranslate === "function") {
        window.gakgTranslate(element, YASGUI_ES); // before YASGUI draws: the observer sees every label it adds
      }
    }
    editor = new Yasgui(element, {
      requestConfig: {
        endpoint: absolute,
        method: "POST",
        acceptHeaderSelect: "application/sparql-results+json,*/*;q=0.9",
        acceptHeaderGraph: "text/turtle,*/*;q=0.9",
        args: pageVersion ? [{ name: "version", value: pageVersion }] : []
      },
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: absolute }]; } },
      persistenceId: "gakg-yasgui",
      populateFromUrl: true,
      yasqe: { value: textarea.value, autocompleters: COMPLETERS.slice() },
      yasr: { prefixes: prefixes }
    });
    document.getElementById("plain-editor").hidden = true;
    accessible(element);
    new MutationObserver(function () { accessible(element); }).observe(element, { childList: true, subtree: true });
    editor.on("tabChange", updateLinks);
    editor.on("query", function () { status.textContent = ""; });
    const yasqe = editor.getTab().getYasqe();
    yasqe.on("change", updateLinks);
    watchVersion(yasqe);
    editor.on("tabAdd", function () { window.setTimeout(function () {
      editor.getTab().getYasqe().on("change", updateLinks);
      watchVersion(editor.getTab().getYasqe());
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
  // «Citar esta consulta»: the citation of the query at the version of its last answer (or the current one), with
  // a link that runs it again on exactly that version
  const citeButton = document.getElementById("cite-button");
  citeButton.addEventListener("click", function () {
    const params = { query: currentQuery(), lang: es ? "es" : "en" };
    if (lastVersion) { params.version = lastVersion; }
    const address = function (fmt) { return holder.dataset.cite.replace("FMT", fmt) + "?" + new URLSearchParams(params); };
    fetch(address("json"), { headers: { "Accept": "application/vnd.citationstyles.csl+json" } }).then(function (r) {
      if (!r.ok) { return r.text().then(function (text) { throw new Error(text); }); }
      return Promise.all([r.json(), fetch(address("txt")).then(function (t) { return t.text(); })]);
    }).then(function (both) {
      const item = both[0][0];
      document.getElementById("cite-text").textContent = both[1].trim();
      document.getElementById("cite-rerun").href = item.URL;
      document.getElementById("cite-bib").href = address("bib");
      document.getElementById("cite-json").href = address("json");
      document.getElementById("cite-box").hidden = false;
    }).catch(function (error) {
      document.getElementById("cite-text").textContent = error.message;
      document.getElementById("cite-box").hidden = false;
    });
  });
  updateLinks();
})();

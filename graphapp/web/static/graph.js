// Graph views: draws every .graph-embed with vis-network from JSON, either embedded in the page
// (<script type="application/json" id="…">, referenced by data-graph-source) or fetched from data-graph-url.
// Data is never turned into HTML here: vis-network draws labels on a canvas and shows string tooltips with
// innerText; messages go through textContent. Clicking a node opens its page (its href: a local path or http(s)).
(function () {
  "use strict";

  // For tests and for the curious: every network drawn on the page, with its node DataSet and element.
  const networks = [];
  window.__gakgNetworks = networks;

  function safeHref(href) {
    if (typeof href !== "string") { return null; }
    if (href.charAt(0) === "/" && href.charAt(1) !== "/") { return href; }
    if (/^https?:\/\//i.test(href)) { return href; }
    return null;
  }

  function status(element, text) {
    element.textContent = "";
    const p = document.createElement("p");
    p.className = "graph-status";
    p.textContent = text;
    element.appendChild(p);
  }

  function load(element) {
    const source = element.dataset.graphSource;
    if (source) {
      const block = document.getElementById(source);
      return Promise.resolve(JSON.parse(block ? block.textContent : "{}"));
    }
    return fetch(element.dataset.graphUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }

  function draw(element, data) {
    if (!data.nodes || data.nodes.length === 0) {
      status(element, element.dataset.empty || "");
      return;
    }
    element.textContent = "";
    const nodes = new vis.DataSet(data.nodes);
    const edges = new vis.DataSet(data.edges || []);
    const options = data.options || {};
    const network = new vis.Network(element, { nodes: nodes, edges: edges }, options);
    const entry = { network: network, nodes: nodes, element: element };
    networks.push(entry);

    // Physics only until the layout settles: a still picture is easier to read and to click.
    const physics = options.physics && options.physics.enabled;
    let settled = !physics;
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: false });
      settled = true;
      network.redraw();
    });
    network.on("afterDrawing", function () {
      if (settled && !element.dataset.nodesDrawn) {
        element.dataset.nodesDrawn = String(nodes.length);
        element.classList.add("drawn");
      }
    });
    network.on("click", function (params) {
      if (!params.nodes || params.nodes.length === 0) { return; }
      const node = nodes.get(params.nodes[0]);
      const href = node && safeHref(node.href);
      if (href) { window.location.assign(href); }
    });
    network.on("hoverNode", function () { element.classList.add("over-node"); });
    network.on("blurNode", function () { element.classList.remove("over-node"); });
  }

  function start() {
    const elements = document.querySelectorAll(".graph-embed[data-graph-source], .graph-embed[data-graph-url]");
    elements.forEach(function (element) {
      if (typeof vis === "undefined") {
        status(element, element.dataset.error || "");
        return;
      }
      load(element)
        .then(function (data) { draw(element, data); })
        .catch(function () { status(element, element.dataset.error || ""); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

// Graph views: draws every .graph-embed with vis-network from JSON, either embedded in the page
// (<script type="application/json" id="…">, referenced by data-graph-source) or fetched from data-graph-url.
// Data is never turned into HTML here: vis-network draws labels on a canvas and shows string tooltips with
// innerText; messages go through textContent. Clicking a node opens its page (its href: a local path or http(s));
// clicking a group («Municipio (125)») shows its members in its place, with their links (data.hidden_edges).
// The first picture is readable: if fitting everything would make labels smaller than data.min_label_px on
// screen, the view zooms in on the first node until they are that large (pan and zoom to see the rest).
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
    const minPx = data.min_label_px || 11;
    const entry = { network: network, nodes: nodes, edges: edges, element: element, minLabelPx: minPx };
    networks.push(entry);

    // The smallest label font of the drawing: nodes (their own font or the default) and labelled edges.
    function smallestFont() {
      const base = (options.nodes && options.nodes.font && options.nodes.font.size) || 14;
      const edgeBase = (options.edges && options.edges.font && options.edges.font.size) || 14;
      let least = Infinity;
      nodes.forEach(function (n) {
        if (n.label) { least = Math.min(least, (n.font && n.font.size) || base); }
      });
      edges.forEach(function (e) {
        if (e.label) { least = Math.min(least, (e.font && e.font.size) || edgeBase); }
      });
      return least === Infinity ? base : least;
    }

    function readable() {
      network.fit({ animation: false });
      const font = smallestFont();
      const least = minPx / font;
      if (network.getScale() < least) {
        // zoom in on the view's focus (the entity of a neighbourhood) or else on the middle of the picture
        const focus = data.focus && nodes.get(data.focus) ? network.getPosition(data.focus) : undefined;
        network.moveTo({ position: focus, scale: least * 1.02, animation: false });
      }
      entry.initialScale = network.getScale();
      entry.smallestFont = font;
    }

    // Physics only until the layout settles: a still picture is easier to read and to click.
    const physics = options.physics && options.physics.enabled;
    let settled = !physics;
    if (!physics) { readable(); }
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: false });
      settled = true;
      readable();
      network.redraw();
    });
    network.on("afterDrawing", function () {
      if (settled && !element.dataset.nodesDrawn) {
        element.dataset.nodesDrawn = String(nodes.length);
        element.classList.add("drawn");
      }
    });

    // A group opens in place: its members around where it was, then the links whose two ends are on screen.
    function open(group) {
      const centre = network.getPosition(group.id);
      const members = (group.members || []).filter(function (m) { return !nodes.get(m.id); });
      const radius = 60 + 12 * Math.sqrt(members.length) * 6;
      members.forEach(function (m, i) {
        const angle = (2 * Math.PI * i) / Math.max(members.length, 1);
        m.x = centre.x + radius * Math.cos(angle);
        m.y = centre.y + radius * Math.sin(angle);
      });
      edges.remove(edges.get({ filter: function (e) { return e.from === group.id || e.to === group.id; } }));
      nodes.remove(group.id);
      nodes.add(members);
      const present = {};
      nodes.getIds().forEach(function (id) { present[id] = true; });
      const links = (data.hidden_edges || []).filter(function (e) {
        return present[e.from] && present[e.to] && !edges.get({ filter: function (x) {
          return x.from === e.from && x.to === e.to;
        } }).length;
      });
      edges.add(links.map(function (e) { return Object.assign({}, e, { id: e.from + "→" + e.to }); }));
      element.dataset.opened = String((Number(element.dataset.opened) || 0) + 1);
      network.focus(members.length ? members[0].id : nodes.getIds()[0], { scale: network.getScale() });
    }

    network.on("click", function (params) {
      if (!params.nodes || params.nodes.length === 0) { return; }
      const node = nodes.get(params.nodes[0]);
      if (node && node.kind === "group") { open(node); return; }
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

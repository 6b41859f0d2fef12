// Graph views: draws every .graph-embed with vis-network from JSON, either embedded in the page
// (<script type="application/json" id="…">, referenced by data-graph-source) or fetched from data-graph-url.
// Data is never turned into HTML here: vis-network draws labels on a canvas and shows string tooltips with
// innerText; messages go through textContent. Clicking a node opens its page (its href: a local path or http(s));
// clicking a group («Municipio (125)») shows its members in its place, with their links (data.hidden_edges).
// The first picture shows the whole drawing, readable: every node inside the canvas with labels at least
// data.min_label_px on screen. When fitting everything would make labels smaller, the drawing is rearranged to
// suit the canvas (a view's narrower layout in its nodes' "portrait" places, or a hierarchical drawing's levels
// in rows as wide as the canvas) and the canvas grows taller (up to GROW times); only a drawing that still cannot
// fit (a large physics layout) opens zoomed on its focus, labels readable (pan and zoom to see the rest).
(function () {
  "use strict";

  // For tests and for the curious: every network drawn on the page, with its node DataSet and element.
  const networks = [];
  window.__gakgNetworks = networks;
  const GAP = 16; // between boxes of a row, and between rows (canvas units)
  const LEVEL_GAP = 40; // more between the levels of a hierarchical drawing laid out in rows
  const GROW = 2.5; // how much taller than its stylesheet height a canvas may grow to show everything

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

    // Fit everything (vis-network leaves a 10% margin); true when the labels are then large enough to read.
    // A drawing first: vis-network measures a dot's label only when it draws it.
    function fits(least) {
      network.redraw();
      network.fit({ animation: false });
      return network.getScale() >= least;
    }

    // The box around every node and its label, in canvas units (valid after fit(), which sizes the labels).
    function extent() {
      const box = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
      nodes.getIds().forEach(function (id) {
        const b = network.getBoundingBox(id);
        if (!b) { return; }
        box.left = Math.min(box.left, b.left);
        box.top = Math.min(box.top, b.top);
        box.right = Math.max(box.right, b.right);
        box.bottom = Math.max(box.bottom, b.bottom);
      });
      return box;
    }

    // A view's narrower layout: every node carries its place in "portrait".
    function portrait() {
      const all = nodes.get();
      if (!all.length || !all.every(function (n) { return n.portrait; })) { return false; }
      nodes.update(all.map(function (n) { return { id: n.id, x: n.portrait.x, y: n.portrait.y }; }));
      return true;
    }

    // A hierarchical drawing's levels, top to bottom, each in as many rows as the canvas is wide at a readable
    // zoom (nodes in their order); boxes too wide to stand two abreast take the whole width, in fewer lines.
    function rows(least) {
      const hierarchical = options.layout && options.layout.hierarchical;
      if (!hierarchical || hierarchical.enabled === false) { return false; }
      const width = element.clientWidth / (1.1 * least);
      const widest = (options.nodes && options.nodes.widthConstraint && options.nodes.widthConstraint.maximum) || 0;
      const ids = nodes.getIds();
      const all = nodes.get();
      const limits = all.map(function (n) {
        const own = n.widthConstraint && n.widthConstraint.maximum;
        return own || widest;
      });
      const wide = Math.max.apply(null, limits.concat([0]));
      network.setOptions({ layout: { hierarchical: { enabled: false } } });
      network.setOptions({ physics: { enabled: false } });
      if (wide && 2 * wide + GAP > width) {
        nodes.update(all.map(function (n) { return { id: n.id, widthConstraint: { maximum: Math.floor(width) } }; }));
      }
      network.redraw(); // sizes the boxes and labels
      network.fit({ animation: false });
      const levels = {};
      ids.forEach(function (id) {
        const level = Number(nodes.get(id).level) || 0;
        (levels[level] = levels[level] || []).push(id);
      });
      const places = [];
      let top = 0;
      Object.keys(levels).map(Number).sort(function (a, b) { return a - b; }).forEach(function (level) {
        let row = [];
        let used = 0;
        function flush() {
          if (!row.length) { return; }
          const height = Math.max.apply(null, row.map(function (r) { return r.box.bottom - r.box.top; }));
          let left = -used / 2;
          row.forEach(function (r) {
            const w = r.box.right - r.box.left;
            const h = r.box.bottom - r.box.top;
            places.push({ id: r.id, x: left + (r.at.x - r.box.left), y: top + (height - h) / 2 + (r.at.y - r.box.top) });
            left += w + GAP;
          });
          top += height + GAP;
          row = [];
          used = 0;
        }
        levels[level].forEach(function (id) {
          const box = network.getBoundingBox(id);
          const w = box.right - box.left;
          if (row.length && used + GAP + w > width) { flush(); }
          used += (row.length ? GAP : 0) + w;
          row.push({ id: id, box: box, at: network.getPosition(id) });
        });
        flush();
        top += LEVEL_GAP;
      });
      nodes.update(places);
      return true;
    }

    // A canvas taller than the drawing needs at a readable zoom grows, when the drawing is narrow enough.
    function taller(least) {
      const box = extent();
      const needed = Math.ceil(1.1 * (box.bottom - box.top) * least) + 2;
      const fitsAcross = 1.1 * (box.right - box.left) * least <= element.clientWidth;
      if (!fitsAcross || needed <= element.clientHeight) { return; }
      element.style.height = Math.min(needed, Math.floor(GROW * element.clientHeight)) + "px";
      network.setSize();
    }

    function readable() {
      const font = smallestFont();
      const least = minPx / font;
      entry.layout = "drawn";
      if (!fits(least)) {
        if (portrait()) {
          entry.layout = "portrait";
        } else if (rows(least)) {
          entry.layout = "rows";
        }
        if (!fits(least)) {
          taller(least);
        }
        if (!fits(least)) {
          // zoom in on the view's focus (the entity of a neighbourhood) or else on the middle of the picture
          const focus = data.focus && nodes.get(data.focus) ? network.getPosition(data.focus) : undefined;
          network.moveTo({ position: focus, scale: least * 1.02, animation: false });
          entry.layout += ", zoomed";
        }
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

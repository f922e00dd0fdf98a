// The /network page: reads the view from /api/network (the same filters as the form), draws it with cytoscape and
// the fcose force layout, and shows an organisation's partners grouped by programme when it is clicked. Nothing
// is fetched from another host. The server selects in the form what the link's filters name (ids, labels or
// codes), so the view drawn is the one /api/network answers for that link. `window.cgNetwork` holds the graph and
// a promise for the current view (tests await it).
(function () {
  "use strict";
  window.cytoscape.use(window.cytoscapeFcose);
  const form = document.getElementById("cg-net-filters");
  const summary = document.getElementById("cg-net-summary");
  const panel = document.getElementById("cg-net-panel");
  const brokers = document.querySelector("#cg-net-brokers tbody");
  const legend = document.getElementById("cg-net-legend");
  const container = document.getElementById("cg-net-graph");
  const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                   "#bcbd22", "#393b79", "#ad494a", "#637939", "#7b4173", "#3182bd", "#e6550d", "#31a354"];
  const OTHER = "#b8c0c8";
  const LABELLED = 25;  // the most central organisations keep their label at any zoom; the others from 9 px
  const FILTERS = ["programme", "country", "ecosystem", "practice", "type"];
  const METRICS = [["degree", "partners"], ["weighted_degree", "weighted degree"], ["betweenness", "betweenness"],
                   ["pagerank", "PageRank"], ["effective_size", "effective size"], ["constraint", "constraint"],
                   ["core", "k-core"]];
  const state = { cy: null, data: null, ready: Promise.resolve() };
  window.cgNetwork = state;

  const text = (tag, value, attributes) => {
    const element = document.createElement(tag);
    if (value !== undefined) element.textContent = value;
    for (const [key, attribute] of Object.entries(attributes || {})) element.setAttribute(key, attribute);
    return element;
  };
  const number = (value) => (Number.isInteger(value) ? String(value) : Number(value).toFixed(4));

  function query() {
    const params = new URLSearchParams();
    const values = new FormData(form);
    for (const name of FILTERS) {
      const value = values.get(name);
      if (value) params.set(name, value);
    }
    return params;
  }

  function groupOf(node, by) {
    if (by === "country") return node.country_name || "unknown";
    if (by === "type") return node.type || "unknown";
    return `community ${node.community + 1}`;
  }

  function colours(nodes, by) {
    const counts = new Map();
    for (const node of nodes) counts.set(groupOf(node, by), (counts.get(groupOf(node, by)) || 0) + 1);
    const ranked = [...counts.entries()].filter(([g]) => g !== "unknown")
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const colour = new Map(ranked.slice(0, PALETTE.length).map(([group], i) => [group, PALETTE[i]]));
    legend.replaceChildren();
    for (const [group, count] of ranked.slice(0, PALETTE.length)) {
      const item = text("li", `${group} (${count})`);
      item.prepend(text("span", undefined, { style: `background:${colour.get(group)}` }));
      legend.append(item);
    }
    if (ranked.length > PALETTE.length || counts.has("unknown")) {
      const item = text("li", ranked.length > PALETTE.length ? "other or unknown" : "unknown");
      item.prepend(text("span", undefined, { style: `background:${OTHER}` }));
      legend.append(item);
    }
    return (node) => colour.get(groupOf(node, by)) || OTHER;
  }

  function restyle() {
    if (!state.cy) return;
    const values = new FormData(form);
    const metric = values.get("size");
    const colourOf = colours(state.data.nodes, values.get("colour"));
    const sizes = state.data.nodes.map((n) => n[metric]);
    const low = Math.min(...sizes);
    const high = Math.max(...sizes);
    const top = new Set([...state.data.nodes].sort((a, b) => b[metric] - a[metric] || b.degree - a.degree)
      .slice(0, LABELLED).map((n) => n.id));
    state.cy.batch(() => {
      state.cy.nodes().forEach((element) => {
        const node = element.data("node");
        const share = high > low ? (node[metric] - low) / (high - low) : 0;
        element.data({ colour: colourOf(node), size: 14 + 46 * Math.sqrt(share) });
        if (top.has(node.id)) element.addClass("top"); else element.removeClass("top");
      });
    });
  }

  function showPanel(id) {
    const node = state.data.nodes.find((n) => n.id === id);
    if (!node) return;
    panel.replaceChildren();
    panel.append(text("h3", node.label));
    panel.append(text("p", [node.type, node.country_name, node.region_name].filter(Boolean).join(" · "),
                      { class: "muted" }));
    const metrics = text("dl");
    for (const [key, name] of METRICS) {
      metrics.append(text("dt", name), text("dd", number(node[key])));
    }
    metrics.append(text("dt", "community"), text("dd", String(node.community + 1)));
    panel.append(metrics);
    const byProgramme = new Map();
    for (const link of state.data.links) {
      if (link.source !== id && link.target !== id) continue;
      const partner = state.data.nodes.find((n) => n.id === (link.source === id ? link.target : link.source));
      for (const programme of link.programmes.length ? link.programmes : ["no programme named (same practice or project)"]) {
        if (!byProgramme.has(programme)) byProgramme.set(programme, []);
        byProgramme.get(programme).push(`${partner.label}${partner.country ? ` (${partner.country})` : ""}` +
                                        ` via ${link.via.join(", ")}`);
      }
    }
    panel.append(text("h4", `Partners (${state.cy.$id(id).degree()}) by programme`));
    for (const programme of [...byProgramme.keys()].sort()) {
      panel.append(text("strong", programme));
      const list = text("ul");
      for (const line of byProgramme.get(programme).sort()) list.append(text("li", line));
      panel.append(list);
    }
    const link = text("a", "Open its page (every statement and quote)", { href: node.page });
    const paragraph = text("p");
    paragraph.append(link);
    panel.append(paragraph);
    panel.hidden = false;
    state.cy.elements().removeClass("faded");
    state.cy.elements().not(state.cy.$id(id).closedNeighborhood()).addClass("faded");
  }

  function fillBrokers() {
    brokers.replaceChildren();
    for (const id of state.data.graph.brokers) {
      const node = state.data.nodes.find((n) => n.id === id);
      const row = text("tr");
      row.append(text("td", node.label), text("td", node.country || "–"), text("td", number(node.betweenness)),
                 text("td", number(node.constraint)));
      row.addEventListener("click", () => { showPanel(id); state.cy.animate({ center: { eles: state.cy.$id(id) } }); });
      brokers.append(row);
    }
  }

  function describe(about) {
    const share = about.cross_border_share === null ? "n/a" : `${Math.round(about.cross_border_share * 100)}%`;
    const countries = new Set(state.data.nodes.map((n) => n.country).filter(Boolean));
    summary.textContent = `${about.nodes} organisations from ${countries.size} countries, ${about.edges} collaborating ` +
      `pairs, ${about.components} connected ${about.components === 1 ? "group" : "groups"}; cross-border: ${share}; ${about.communities.length} communities ` +
      `(stability ${about.community_stability.toFixed(2)}). Betweenness: ${about.betweenness}.`;
    if (!about.nodes) summary.textContent = "No collaborations match these filters: widen them (all programmes, all countries).";
    summary.dataset.nodes = String(about.nodes);
    summary.dataset.edges = String(about.edges);
  }

  function linkDownloads(params) {
    for (const format of ["gexf", "graphml", "csv", "vosviewer", "png", "json"]) {
      const download = new URLSearchParams(params);
      if (format !== "json") download.set("format", format);
      if (format === "png" && new FormData(form).get("colour") === "country") download.set("colour", "country");
      document.getElementById(`cg-net-${format}`).href = `/api/network?${download}`;
    }
  }

  async function load() {
    const params = query();
    history.replaceState(null, "", params.toString() ? `?${params}` : location.pathname);
    linkDownloads(params);
    summary.textContent = "Loading the network…";
    summary.classList.remove("cg-net-refused");
    delete summary.dataset.refused;
    delete summary.dataset.nodes;
    const response = await fetch(`/api/network?${params}`);
    if (!response.ok) {
      summary.textContent = await response.text();
      return;
    }
    state.data = await response.json();
    panel.hidden = true;
    if (state.cy) state.cy.destroy();
    const elements = [
      ...state.data.nodes.map((node) => ({ data: { id: node.id, label: node.label, node } })),
      ...state.data.links.map((link, i) => ({ data: { id: `e${i}`, source: link.source, target: link.target,
                                                       weight: link.weight } })),
    ];
    state.cy = window.cytoscape({
      container, elements, minZoom: 0.05, maxZoom: 3, wheelSensitivity: 0.3,
      style: [
        { selector: "node", style: { label: "data(label)", "background-color": "data(colour)", width: "data(size)",
                                     height: "data(size)", "font-size": 10, "text-valign": "bottom",
                                     "text-margin-y": 3, "text-outline-color": "#ffffff", "text-outline-width": 2,
                                     "min-zoomed-font-size": 9, "text-max-width": 160, "text-wrap": "ellipsis" } },
        { selector: "node.top", style: { "font-size": 11, "min-zoomed-font-size": 0, "font-weight": 600,
                                         "z-index": 10 } },
        { selector: "edge", style: { width: "mapData(weight, 1, 5, 1, 6)", "line-color": "#9bb4cc", opacity: 0.7,
                                     "curve-style": "haystack" } },
        { selector: ".faded", style: { opacity: 0.12 } },
        { selector: "node:selected", style: { "border-width": 3, "border-color": "#12395b" } },
      ],
    });
    restyle();
    state.cy.on("tap", "node", (event) => showPanel(event.target.id()));
    state.cy.on("tap", (event) => {
      if (event.target === state.cy) { panel.hidden = true; state.cy.elements().removeClass("faded"); }
    });
    const layout = state.cy.layout({ name: "fcose", quality: "proof", randomize: true, animate: false,
                                     nodeRepulsion: 9000, idealEdgeLength: 90, packComponents: true,
                                     nodeDimensionsIncludeLabels: false, numIter: 2500 });
    const settled = layout.promiseOn("layoutstop");
    layout.run();
    await settled;
    state.cy.fit(undefined, 30);
    if (state.cy.zoom() > 1.3) { state.cy.zoom(1.3); state.cy.center(); }
    // The most central organisations' names stay about 12 px on screen at any zoom, so a whole-network view reads.
    const readable = () => state.cy.style().selector("node.top")
      .style({ "font-size": Math.max(11, 12 / state.cy.zoom()), "text-outline-width": Math.max(2, 2 / state.cy.zoom()),
               "text-max-width": Math.max(160, 170 / state.cy.zoom()) })
      .update();
    readable();
    state.cy.on("zoom", readable);
    fillBrokers();
    describe(state.data.graph);
  }

  const reload = () => { state.ready = load(); return state.ready; };
  form.addEventListener("change", (event) => {
    if (["colour", "size"].includes(event.target.name)) {
      restyle();
      linkDownloads(query());
    } else {
      reload();
    }
  });
  // A filter the server refused (named in the summary) draws nothing until the analyst chooses again: drawing the
  // form's "all" would silently show the whole network instead of the view the link asked for.
  if (!("refused" in summary.dataset)) reload();
})();

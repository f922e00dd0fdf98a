// The ClusterGraph query editor: YASGUI on this endpoint, the query catalogue as a picker, and autocompletion
// from this graph's own classes, properties and entities (no external vocabulary services).
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("cg-config").textContent);
  const module = window.Yasgui;
  const Yasgui = module.default || module;
  const Yasqe = Yasgui.Yasqe || module.Yasqe;
  let terms = null;
  const loadTerms = () => terms || (terms = fetch(config.termsUrl).then((r) => r.json()));

  // Replace the completers that call public vocabulary services with ones fed by this endpoint. YASQE asks every
  // enabled completer at each cursor move and the last one that shows a list wins, so class, property and entity
  // completion are one completer that picks its list by position: a class after `a` / rdf:type, a property where
  // a predicate may stand (after a subject), an entity or class elsewhere. It shows while typing (autoShow).
  Yasqe.defaults.autocompleters = ["variables"];
  Yasqe.forkAutocompleter("prefixes", {
    name: "cg-prefixes", persistenceId: null,
    get: () => Object.entries(config.prefixes).map(([p, iri]) => `${p}: <${iri}>`).sort(),
  });
  const CLASS_PREDICATES = ["a", "rdf:type", "rdfs:domain", "rdfs:range"];
  const positionOf = (yasqe) => {
    const token = yasqe.getCompleteToken();
    const previous = yasqe.getPreviousNonWsToken(yasqe.getDoc().getCursor().line, token);
    if (previous && CLASS_PREDICATES.includes(previous.state.lastProperty)) return "class";
    if (token.state.possibleCurrent && token.state.possibleCurrent.indexOf("a") >= 0) return "property";
    return "entity";
  };
  // A prefixed name typed without its PREFIX line still completes, from the site's prefix table.
  const expand = (yasqe, token) => {
    const prefixed = Yasqe.Autocompleters.class.preProcessToken(yasqe, token);
    if (!prefixed.tokenPrefixUri && prefixed.tokenPrefix && config.prefixes[prefixed.tokenPrefix.slice(0, -1)]) {
      prefixed.tokenPrefixUri = config.prefixes[prefixed.tokenPrefix.slice(0, -1)];
      prefixed.autocompletionString = prefixed.tokenPrefixUri + token.string.slice(prefixed.tokenPrefix.length);
    }
    return prefixed;
  };
  Yasqe.forkAutocompleter("class", {
    name: "cg-terms", bulk: false, autoShow: true, persistenceId: null,
    isValidCompletionPosition: (yasqe) => {
      const token = yasqe.getCompleteToken();
      const text = token.string.trim();
      if (!text || text[0] === "?" || text[0] === "$" || text[0] === '"') return false;
      return text[0] === "<" || /^[A-Za-z][\w-]*:/.test(text);
    },
    preProcessToken: expand,
    get: (yasqe, token) => loadTerms().then((terms) => {
      const position = positionOf(yasqe);
      const pool = position === "class" ? terms.classes : position === "property" ? terms.properties
        : [...terms.entities, ...terms.classes];
      const typed = (token.autocompletionString || "").toLowerCase();
      const byIri = pool.filter((iri) => iri.toLowerCase().startsWith(typed));
      // After "<" a name may be typed instead of an IRI: match the labels too.
      const name = token.string.startsWith("<") && !typed.includes(":") ? typed : "";
      const byLabel = name ? pool.filter((iri) => !byIri.includes(iri) &&
        (terms.labels[iri] || "").toLowerCase().includes(name)) : [];
      return [...byIri, ...byLabel].slice(0, 100);
    }),
    // Each hint shows the term's label, and a picked prefixed name brings its PREFIX line when the query lacks it.
    postprocessHints: (yasqe, hints) => hints.map((hint) => {
      const prefix = hint.text.startsWith("<") ? "" : hint.text.split(":", 1)[0];
      const full = prefix ? config.prefixes[prefix] + hint.text.slice(prefix.length + 1) : hint.text.slice(1, -1);
      const label = loadedTerms && loadedTerms.labels[full];
      return { ...hint, displayText: label ? `${hint.text}  — ${label}` : hint.text,
               hint: (editor, data, completion) => {
                 editor.replaceRange(completion.text, completion.from || data.from, completion.to || data.to, "complete");
                 if (prefix && config.prefixes[prefix] && !editor.getPrefixesFromQuery()[prefix]) {
                   editor.addPrefixes({ [prefix]: config.prefixes[prefix] });
                 }
               } };
    }),
  });
  let loadedTerms = null;
  loadTerms().then((t) => { loadedTerms = t; });

  const first = config.queries.length ? config.queries[0].text : "SELECT * WHERE { ?s ?p ?o } LIMIT 10";
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint: config.endpoint }] },
    persistenceId: null,
    yasqe: { value: first },
  });
  window.cgEditor = yasgui;

  // A link may name the result view to open (?view=Graph, ?view=Map): shown once the first answer arrives.
  const view = new URLSearchParams(location.search).get("view");
  if (view) {
    yasgui.getTab().once("queryResponse", () => setTimeout(() => {
      const yasr = yasgui.getTab().getYasr();
      if (yasr.plugins[view] && yasr.plugins[view].canHandleResults()) yasr.selectPlugin(view);
    }, 0));
  }

  const picker = document.getElementById("cg-picker");
  const description = document.getElementById("cg-description");
  config.queries.forEach((query, index) => {
    const option = document.createElement("option");
    option.value = String(index);
    option.textContent = query.title;
    picker.appendChild(option);
  });
  if (!new URLSearchParams(location.search).has("query") && config.queries.length) {
    picker.value = "0";
    description.textContent = config.queries[0].description;
  }
  picker.addEventListener("change", () => {
    const query = config.queries[Number(picker.value)];
    if (!query) return;
    description.textContent = query.description;
    const tab = yasgui.getTab();
    tab.setQuery(query.text);
    tab.query();
  });
  document.getElementById("cg-share").addEventListener("click", () => {
    const tab = yasgui.getTab();
    const selected = tab.getYasr().selectedPlugin;
    const link = `${location.origin}${location.pathname}?query=${encodeURIComponent(tab.getQuery())}` +
      (selected && selected !== "table" ? `&view=${encodeURIComponent(selected)}` : "");
    history.replaceState(null, "", link);
    const field = document.getElementById("cg-link");
    field.value = link;
    field.hidden = false;
    field.select();
  });
})();

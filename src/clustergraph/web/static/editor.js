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

  // Replace the completers that call public vocabulary services with ones fed by this endpoint.
  Yasqe.defaults.autocompleters = ["variables"];
  Yasqe.forkAutocompleter("prefixes", {
    name: "cg-prefixes", persistenceId: null,
    get: () => Object.entries(config.prefixes).map(([p, iri]) => `${p}: <${iri}>`).sort(),
  });
  Yasqe.forkAutocompleter("class", {
    name: "cg-class", bulk: true, persistenceId: null, get: () => loadTerms().then((t) => t.classes),
  });
  Yasqe.forkAutocompleter("property", {
    name: "cg-property", bulk: true, persistenceId: null, get: () => loadTerms().then((t) => t.properties),
  });
  Yasqe.forkAutocompleter("class", {
    name: "cg-entity", bulk: true, persistenceId: null, get: () => loadTerms().then((t) => t.entities),
    isValidCompletionPosition: (yasqe) => {
      const token = yasqe.getCompleteToken();
      return token.string.startsWith("<") || /^[a-z]*:/.test(token.string) && !token.string.startsWith("?");
    },
  });

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

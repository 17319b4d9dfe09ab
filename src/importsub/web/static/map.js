// importsub flow map: ECharts (vendored) on the vendored Natural Earth outline (topojson-client).
// Value-weighted lines country to country and a choropleth of import dependence; sites clickable.
// Zoomed in past SITE_ZOOM, the country lines give way to the largest site-to-site flows in view (by value;
// as many confidential ones, dashed, never sized).  Both layers are series that always exist: a zoom only
// changes their data, by id, after the roam has settled (setOption inside ECharts' own roam handler, or
// replacing the series, blanked the map).
"use strict";
(function () {
  var TOP_FLOWS = 40;  // country pairs drawn zoomed out: the largest shown ones, and as many confidential ones
  var SITE_ZOOM = 5;  // geo zoom from which site-to-site lines replace the country pairs (the map opens at 2.2)
  var TOP_SITE_LINES = 60;  // site pairs drawn in view: the largest shown ones, and up to half as many confidential
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
        if (p.seriesId === "dependence") { return isFinite(p.value) ? p.name + ": " + fmt(p.value) + " %" : p.name; }
        if (p.seriesId === "site-lines") {
          return p.name + ": " + p.data.parts + " " + L.parts + (p.data.value === null ? "" : ", " + fmt(p.data.value) + " " + L.unit);
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
        { id: "site-lines", name: L.lines, type: "lines", coordinateSystem: "geo", data: [],
          lineStyle: { curveness: 0.15 }, emphasis: { lineStyle: { opacity: 1 } } },
        { id: "sites", name: L.sites, type: "scatter", coordinateSystem: "geo", symbolSize: 5, large: spec.sites.length > 1000,
          itemStyle: { color: "#1f4e8c", opacity: 0.8 },
          data: spec.sites.map(function (s) {
            return { name: s.name, value: s.value, id: s.id, country: s.country, vehicle: s.vehicle,
                     itemStyle: { color: s.external ? "#c0392b" : "#1f4e8c" } };
          }) }
      ]
    });
    var siteMax = 0;
    spec.site_lines.forEach(function (f) { if (f.value !== null && f.value > siteMax) { siteMax = f.value; } });
    function siteWidth(v) { return v === null || siteMax <= 0 ? 1 : 1 + 6 * Math.sqrt(v / siteMax); }
    var country = {}, names = {};
    spec.sites.forEach(function (s) { country[s.id] = s.external; names[s.id] = s.name; });
    function siteLinesInView() {
      var w = el.clientWidth, h = el.clientHeight;
      var a = chart.convertFromPixel({ geoIndex: 0 }, [0, 0]), b = chart.convertFromPixel({ geoIndex: 0 }, [w, h]);
      if (!a || !b) { return []; }
      var west = Math.min(a[0], b[0]), east = Math.max(a[0], b[0]), south = Math.min(a[1], b[1]), north = Math.max(a[1], b[1]);
      function inside(c) { return c && c[0] >= west && c[0] <= east && c[1] >= south && c[1] <= north; }
      var shown = [], hidden = [];
      spec.site_lines.forEach(function (f) {
        var p = coords[f.from], q = coords[f.to];
        if (!p || !q || !(inside(p) || inside(q))) { return; }
        (f.value === null ? hidden : shown).push(f);
      });
      shown.sort(function (x, y) { return y.value - x.value; });  // hidden ones keep the server's order (parts)
      return shown.slice(0, TOP_SITE_LINES).concat(hidden.slice(0, TOP_SITE_LINES / 2)).map(function (f) {
        return { name: (names[f.from] || f.from) + " → " + (names[f.to] || f.to), coords: [coords[f.from], coords[f.to]], value: f.value, parts: f.parts,
                 lineStyle: { width: siteWidth(f.value), type: f.value === null ? "dashed" : "solid",
                              color: country[f.from] ? "#c0392b" : "#1f4e8c", opacity: f.value === null ? 0.5 : 0.8 } };
      });
    }
    var layer = "countries", timer = 0;
    function relayer() {
      timer = 0;
      if (chart.isDisposed() || !el.clientWidth) { return; }
      var zoom = chart.getOption().geo[0].zoom;
      var lines = zoom >= SITE_ZOOM ? siteLinesInView() : [];
      layer = zoom >= SITE_ZOOM ? "sites" : "countries";
      chart.setOption({ series: [{ id: "country-flows", data: layer === "sites" ? [] : flows },
                                 { id: "site-lines", data: lines }] });
      el.setAttribute("data-layer", layer);
      el.setAttribute("data-site-lines", String(lines.length));
    }
    chart.on("georoam", function () { if (timer) { clearTimeout(timer); } timer = setTimeout(relayer, 120); });
    window.importsubRelayer = relayer;  // for tests: lay the layers out now
    el.setAttribute("data-layer", layer);
    chart.on("click", function (p) {
      if (p.seriesId !== "sites") { return; }
      var ds = encodeURIComponent(spec.dataset);
      window.location.href = p.data.vehicle
        ? "/explorer?dataset=" + ds + "&vehicle=" + encodeURIComponent(p.data.vehicle)
        : "/datasets/" + ds + "/records/supply_links?q=" + encodeURIComponent(p.data.id);
    });
    window.addEventListener("resize", function () { if (!chart.isDisposed() && el.clientWidth && el.clientHeight) { chart.resize(); } });
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

// importsub charts: ECharts (vendored) fed from JSON blocks on the page; the map decodes the vendored
// Natural Earth TopoJSON with topojson-client. Tooltips render as canvas rich text (no inline styles, CSP-safe).
"use strict";
(function () {
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  var charts = [];
  function fmt(v) {
    if (v === null || v === undefined) { return ""; }
    var lang = document.documentElement.lang || "en";
    return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(v);
  }
  function bar(el, spec) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var labels = spec.labels.slice().reverse();
    var values = spec.values.slice().reverse();
    var highlight = spec.highlight ? spec.highlight.slice().reverse() : null;
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 104, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" },
                 valueFormatter: function (v) { return fmt(v) + (spec.unit ? " " + spec.unit : ""); } },
      xAxis: { type: "value", axisLabel: { formatter: fmt } },
      yAxis: { type: "category", data: labels, axisLabel: { width: 150, overflow: "truncate" } },
      series: [{
        type: "bar", data: values.map(function (v, i) {
          return { value: v, itemStyle: { color: highlight ? (highlight[i] ? "#1f4e8c" : "#9db7d8") : "#1f4e8c" } };
        }),
        label: { show: true, position: "right", formatter: function (p) { return fmt(p.value); } }
      }]
    });
    charts.push(chart);
  }
  var PALETTE = ["#1f4e8c", "#c0392b", "#1e7b44", "#b7791f", "#6b46c1", "#2c7a7b", "#9b2c2c", "#4a5568"];
  // several series over shared labels: "line" (x = labels) or "bars" (horizontal, grouped)
  function multi(el, spec) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var line = spec.kind === "line";
    var labels = line ? spec.labels : spec.labels.slice().reverse();
    var category = { type: "category", data: labels, axisLabel: { width: 150, overflow: "truncate" } };
    var value = { type: "value", axisLabel: { formatter: fmt }, scale: !!spec.scale };
    chart.setOption({
      animation: false,
      color: PALETTE,
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", renderMode: "richText",
                 valueFormatter: function (v) { return fmt(v) + (spec.unit ? " " + spec.unit : ""); } },
      xAxis: line ? category : value,
      yAxis: line ? value : category,
      series: spec.series.map(function (s) {
        return { name: s.name, type: line ? "line" : "bar", step: s.step ? "end" : false, symbolSize: 7,
                 data: line ? s.values : s.values.slice().reverse(), connectNulls: true };
      })
    });
    charts.push(chart);
  }
  function drawMap(el, spec) {
    fetch(el.getAttribute("data-topo"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (topo) {
        var world = topojson.feature(topo, topo.objects.countries);
        // drop Antarctica; fold rings that cross the antimeridian (Chukotka, Fiji) onto the 180° edge
        world.features = world.features.filter(function (f) { return f.properties.name !== "Antarctica"; });
        world.features.forEach(function (f) {
          var polys = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
          polys.forEach(function (poly) {
            poly.forEach(function (ring) {
              var east = ring.some(function (p) { return p[0] > 150; });
              var west = ring.some(function (p) { return p[0] < -150; });
              if (east && west) { ring.forEach(function (p) { if (p[0] < 0) { p[0] = 180; } }); }
            });
          });
        });
        echarts.registerMap("world", world);
        var chart = echarts.init(el, null, { renderer: "canvas" });
        var lons = spec.sites.map(function (s) { return s.value[0]; });
        var lats = spec.sites.map(function (s) { return s.value[1]; });
        var center = lons.length ? [(Math.min.apply(null, lons) + Math.max.apply(null, lons)) / 2,
                                    (Math.min.apply(null, lats) + Math.max.apply(null, lats)) / 2] : [40, 50];
        chart.setOption({
          animation: false,
          tooltip: { trigger: "item", renderMode: "richText",
                     formatter: function (p) { return p.seriesType === "scatter" ? p.name + " (" + p.data.country + ")" : ""; } },
          legend: { bottom: 4, data: [spec.labels.union, spec.labels.external] },
          geo: { map: "world", roam: true, center: center, zoom: 2.2,
                 itemStyle: { areaColor: "#dfe6ee", borderColor: "#aab6c4" },
                 emphasis: { disabled: true } },
          series: [
            { name: spec.labels.flows, type: "lines", coordinateSystem: "geo", silent: true,
              data: spec.flows.map(function (f) { return { coords: f.coords, lineStyle: { color: f.external ? "#c0392b" : "#1f4e8c" } }; }),
              lineStyle: { width: 1, opacity: 0.35, curveness: 0.2 } },
            { name: spec.labels.union, type: "scatter", coordinateSystem: "geo", symbolSize: 7, itemStyle: { color: "#1f4e8c" },
              data: spec.sites.filter(function (s) { return !s.external; }) },
            { name: spec.labels.external, type: "scatter", coordinateSystem: "geo", symbolSize: 7, itemStyle: { color: "#c0392b" },
              data: spec.sites.filter(function (s) { return s.external; }) }
          ]
        });
        charts.push(chart);
        el.setAttribute("data-ready", "1");
      });
  }
  function init() {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var spec = data(el.getAttribute("data-chart"));
      if (spec && spec.empty) {  // only zeros: say so instead of drawing meaningless bars
        el.classList.add("chart-empty");
        el.textContent = spec.empty;
        return;
      }
      if (spec && spec.labels && spec.labels.length) {
        el.setAttribute("data-unit", spec.axis_unit || spec.unit || "");
        if (spec.series) { multi(el, spec); } else { bar(el, spec); }
        el.setAttribute("data-ready", "1");
      }
    });
    document.querySelectorAll("[data-map]").forEach(function (el) {
      var spec = data(el.getAttribute("data-map"));
      if (spec) { drawMap(el, spec); }
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();

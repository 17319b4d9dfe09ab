// importsub charts: ECharts (vendored) fed from JSON blocks on the page; the overview map decodes the vendored
// Natural Earth TopoJSON with topojson-client. Tooltips render as canvas rich text (no inline styles, CSP-safe).
//
// The server (templating.chart_spec) scales every chart: values / divisor on an axis named with its unit
// ("bn RUB" / "млрд руб."), bar labels already formatted, a sentence instead of a chart with nothing to show.
//
// "Cannot read properties of null (reading '0')" (the error that had the earlier attempt reverted) came from
// the overview map, not from the axes: ECharts' geo coordinate system inverts its view transform on every
// create/resize (stack: geo create -> resize -> matrix copy of mtOverallInv); laid out in a box of no width or
// height the transform is singular, the inverse is null and ECharts reads null[0].  It showed while the page
// was resized (1366 -> 390 px, full-page screenshots) because every chart was resized on each window resize,
// whatever its size.  So a chart is created only once its element has a size, is resized by a ResizeObserver
// only while it has one (coalesced into one frame), and a detached or disposed chart is never touched again.
"use strict";
(function () {
  var lang = document.documentElement.lang || "en";
  var NUMBER = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function fmt(v) { return v === null || v === undefined || isNaN(v) ? "" : NUMBER.format(v); }
  // an axis tick in the chart's scale (e.g. 43.8 for 4.38e10 on a "bn RUB" axis), in the page's number format
  function scaled(spec) {
    var d = spec.divisor || 1;
    return function (v) { return fmt(v / d); };
  }
  function axisName(spec) { return spec.axis_unit || spec.unit || ""; }
  function full(v, spec) {  // a value as the tooltip says it: the scaled figure and the axis' unit
    return v === null || v === undefined ? "—" : fmt(v / (spec.divisor || 1)) + (axisName(spec) ? "\u00a0" + axisName(spec) : "");
  }
  function labelWidth(el) { return Math.max(72, Math.min(180, Math.round(el.clientWidth * 0.3))); }
  function sized(el) { return el.isConnected && el.clientWidth > 0 && el.clientHeight > 0; }

  function barOption(el, spec) {
    var labels = spec.labels.slice().reverse();
    var values = spec.values.slice().reverse();
    var valueLabels = spec.value_labels ? spec.value_labels.slice().reverse() : null;
    var highlight = spec.highlight ? spec.highlight.slice().reverse() : null;
    var rest = spec.rest_index === undefined || spec.rest_index === null ? -1 : labels.length - 1 - spec.rest_index;
    return {
      animation: false,
      grid: { left: 8, right: 96, top: 8, bottom: 30, containLabel: true },
      tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" },
                 formatter: function (ps) {
                   var p = ps[0];
                   return p.name + ": " + (valueLabels ? valueLabels[p.dataIndex] : full(p.value, spec));
                 } },
      xAxis: { type: "value", name: axisName(spec), nameLocation: "middle", nameGap: 22,
               axisLabel: { formatter: scaled(spec) }, splitNumber: el.clientWidth < 480 ? 3 : 5 },
      yAxis: { type: "category", data: labels, axisLabel: { width: labelWidth(el), overflow: "truncate" } },
      series: [{
        type: "bar", data: values.map(function (v, i) {
          var color = i === rest ? "#a0a7b0" : (highlight ? (highlight[i] ? "#1f4e8c" : "#9db7d8") : "#1f4e8c");
          return { value: v === null ? "-" : v, itemStyle: { color: color } };
        }),
        label: { show: true, position: "right",
                 formatter: function (p) { return valueLabels ? valueLabels[p.dataIndex] : fmt(p.value / (spec.divisor || 1)); } }
      }]
    };
  }
  var PALETTE = ["#1f4e8c", "#c0392b", "#1e7b44", "#b7791f", "#6b46c1", "#2c7a7b", "#9b2c2c", "#4a5568"];
  // several series over shared labels: "line" (x = labels) or "bars" (horizontal, grouped)
  function multiOption(el, spec) {
    var line = spec.kind === "line";
    var labels = line ? spec.labels : spec.labels.slice().reverse();
    var narrow = el.clientWidth < 480;
    var longest = labels.reduce(function (m, s) { return Math.max(m, String(s).length); }, 0);
    var rotate = line && (labels.length > 12 || (labels.length > 4 && longest > 6) || (narrow && labels.length > 6));
    var category = { type: "category", data: labels,
                     axisLabel: line ? { rotate: rotate ? 40 : 0, width: rotate ? 90 : 120, overflow: "truncate" }
                                     : { width: labelWidth(el), overflow: "truncate" } };
    var value = { type: "value", name: axisName(spec), nameLocation: "middle", nameGap: line ? 44 : 22,
                  axisLabel: { formatter: scaled(spec) }, scale: !!spec.scale, splitNumber: narrow ? 3 : 5 };
    return {
      animation: false,
      color: PALETTE,
      legend: { top: 0, type: "scroll" },
      grid: { left: line ? 36 : 8, right: 24, top: 32, bottom: line ? 8 : 30, containLabel: true },
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: function (v) { return full(v, spec); } },
      xAxis: line ? category : value,
      yAxis: line ? value : category,
      series: spec.series.map(function (s) {
        var values = (line ? s.values : s.values.slice().reverse()).map(function (v) { return v === null ? "-" : v; });
        return { name: s.name, type: line ? "line" : "bar", step: s.step ? "end" : false, symbolSize: 7,
                 data: values, connectNulls: true };
      })
    };
  }

  // one observer for every chart: a resize is drawn in the next frame, only for a chart with a size
  var pending = new Set();
  var frame = 0;
  function flush() {
    frame = 0;
    pending.forEach(function (entry) {
      var chart = entry.chart;
      if (!chart || chart.isDisposed()) { return; }
      if (!entry.el.isConnected) { observer.unobserve(entry.el); chart.dispose(); return; }
      if (sized(entry.el)) { chart.resize(); }
    });
    pending.clear();
  }
  var entries = new WeakMap();
  var observer = new ResizeObserver(function (records) {
    records.forEach(function (r) {
      var entry = entries.get(r.target);
      if (!entry) { return; }
      if (!entry.chart) { draw(entry); return; }
      pending.add(entry);
    });
    if (pending.size && !frame) { frame = requestAnimationFrame(flush); }
  });
  function draw(entry) {  // create the chart once its element has a size
    var el = entry.el;
    if (entry.chart || !sized(el)) { return; }
    entry.chart = echarts.init(el, null, { renderer: "canvas" });
    entry.chart.setOption(entry.option(el));
    if (entry.after) { entry.after(entry.chart); }
    el.setAttribute("data-ready", "1");
  }
  function mount(el, option, after) {
    var entry = { el: el, option: option, after: after, chart: null };
    entries.set(el, entry);
    observer.observe(el);
    draw(entry);
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
        var lons = spec.sites.map(function (s) { return s.value[0]; });
        var lats = spec.sites.map(function (s) { return s.value[1]; });
        var center = lons.length ? [(Math.min.apply(null, lons) + Math.max.apply(null, lons)) / 2,
                                    (Math.min.apply(null, lats) + Math.max.apply(null, lats)) / 2] : [40, 50];
        mount(el, function () {
          return {
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
          };
        });
      });
  }
  function init() {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      if (entries.has(el)) { return; }
      var spec = data(el.getAttribute("data-chart"));
      if (!spec) { return; }
      if (spec.empty || !spec.labels || !spec.labels.length) {  // nothing worth drawing: say so in a sentence
        el.classList.add("chart-empty");
        el.textContent = spec.empty || "";
        el.setAttribute("data-empty", "1");
        return;
      }
      el.setAttribute("data-unit", axisName(spec));
      mount(el, function (box) { return spec.series ? multiOption(box, spec) : barOption(box, spec); });
    });
    document.querySelectorAll("[data-map]").forEach(function (el) {
      var spec = data(el.getAttribute("data-map"));
      if (spec && !entries.has(el)) { drawMap(el, spec); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
  document.addEventListener("htmx:afterSettle", init);
})();

// importsub: paging, sorting, filtering and column choice on the tables of a page (no library).
// A table the server pages itself (data-server) gets only the column choice.  Sorting reads a cell's
// raw figure (data-v) where it has one, else the text it shows: a hidden (masked) cell shows no figure,
// so it sorts last whichever way, and the order says nothing about what it hides.  The chosen columns are kept in localStorage.
"use strict";
(function () {
  var me = document.currentScript;
  var L = {};
  try { L = JSON.parse((me && me.getAttribute("data-labels")) || "{}"); } catch (e) { L = {}; }
  function t(key, fallback) { return L[key] || fallback; }
  var PAGE = 10; // rows per page unless the reader chose another size (remembered)
  var SIZES = [10, 25, 100, 500];
  var MIN_ROWS = 10; // smaller tables are left as they are, but for the column choice
  var SCALE = { k: 1e3, "тыс": 1e3, m: 1e6, mn: 1e6, "млн": 1e6, bn: 1e9, "млрд": 1e9, tn: 1e12, "трлн": 1e12 };
  var ru = (document.documentElement.lang || "").indexOf("ru") === 0;

  // the raw figure a cell carries (data-v on the cell or on the figure inside it): "1.2e9" sorts above
  // "9e8" whatever the page shows ("1,2 млрд руб." / "900 млн руб."); "inf" is +∞, anything else no figure
  function rawValue(v) {
    if (v === "inf") { return Infinity; }
    if (v === "-inf") { return -Infinity; }
    var x = /^[+\-]?(\d+\.?\d*|\.\d+)(e[+\-]?\d+)?$/i.test(v.trim()) ? parseFloat(v) : NaN;
    return isNaN(x) ? null : x;
  }

  function cellValue(td) {
    if (!td || td.querySelector(".hidden")) { return null; }
    var carrier = td.hasAttribute("data-v") ? td : td.querySelector("[data-v]");
    if (carrier) { return rawValue(carrier.getAttribute("data-v")); }
    var raw = td.textContent;
    var s = raw.replace(/[\s\u00a0\u202f\u2009]+/g, " ").trim();
    if (s === "" || s === "—" || s === "-") { return null; }
    var m = s.match(/^([+\-−]?[\d ,.]+)\s*([^\d\s.,]*)/);
    if (m && /\d/.test(m[1])) {
      var num = m[1].replace(/ /g, "").replace("−", "-");
      num = ru ? num.replace(/,/g, ".") : num.replace(/,/g, "");
      var v = parseFloat(num);
      var unit = (m[2] || "").replace(/\.$/, "").toLowerCase();
      if (!isNaN(v) && s.replace(/[\d\s,.+\-−]/g, "").length < 12) { return v * (SCALE[unit] || 1); }
    }
    return s.toLowerCase();
  }

  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") { return a - b; }
    return String(a).localeCompare(String(b), undefined, { numeric: true });
  }

  function tableKey(table, i) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.getAttribute("data-col") || th.textContent.trim();
    });
    return "importsub.columns." + (table.getAttribute("data-table") || location.pathname + "#" + i) + "|" + heads.join("|");
  }

  function columnChoice(table, key, wrap) {
    var heads = table.querySelectorAll("thead th");
    if (heads.length < 4) { return; }
    var hidden = [];
    try { hidden = JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { hidden = []; }
    function apply() {
      Array.prototype.forEach.call(table.rows, function (tr) {
        Array.prototype.forEach.call(tr.cells, function (cell, c) {
          cell.style.display = hidden.indexOf(c) >= 0 ? "none" : "";
        });
      });
    }
    var box = document.createElement("details");
    box.className = "columns-choice";
    var sum = document.createElement("summary");
    sum.textContent = t("columns", "Columns");
    box.appendChild(sum);
    Array.prototype.forEach.call(heads, function (th, c) {
      var label = document.createElement("label");
      var cb = document.createElement("input");
      cb.type = "checkbox";
      cb.checked = hidden.indexOf(c) < 0;
      cb.addEventListener("change", function () {
        hidden = hidden.filter(function (x) { return x !== c; });
        if (!cb.checked) { hidden.push(c); }
        try { localStorage.setItem(key, JSON.stringify(hidden)); } catch (e) { /* private mode */ }
        apply();
      });
      label.appendChild(cb);
      label.appendChild(document.createTextNode(" " + th.textContent.replace(/[▲▼]/g, "").trim()));
      box.appendChild(label);
    });
    wrap.parentNode.insertBefore(box, wrap);
    apply();
    return apply;
  }

  function enhance(table, i) {
    if (table.getAttribute("data-tables") === "done" || !table.tHead || !table.tBodies.length) { return; }
    table.setAttribute("data-tables", "done");
    var wrap = table.closest(".table-wrap") || table;
    var key = tableKey(table, i);
    var reapply = columnChoice(table, key, wrap);
    if (table.hasAttribute("data-server")) { return; }
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    if (rows.length < MIN_ROWS) { return; }
    var sizeKey = "importsub.pagesize";
    var chosen = parseInt(localStorage.getItem(sizeKey) || "", 10);
    var state = { page: 0, col: -1, desc: false, needle: "", size: SIZES.indexOf(chosen) >= 0 ? chosen : PAGE };
    var bar = document.createElement("div");
    bar.className = "table-tools";
    var search = document.createElement("input");
    search.type = "search";
    search.placeholder = t("filter", "Filter rows");
    search.setAttribute("aria-label", t("filter", "Filter rows"));
    bar.appendChild(search);
    var sizes = document.createElement("select");
    sizes.setAttribute("aria-label", t("size", "Rows per page"));
    SIZES.forEach(function (n) {
      var o = document.createElement("option");
      o.value = String(n); o.textContent = n + " " + t("rows", "rows");
      o.selected = n === state.size;
      sizes.appendChild(o);
    });
    sizes.addEventListener("change", function () {
      state.size = parseInt(sizes.value, 10); state.page = 0;
      try { localStorage.setItem(sizeKey, String(state.size)); } catch (e) { /* private mode */ }
      render();
    });
    bar.appendChild(sizes);
    var pager = document.createElement("nav");
    pager.className = "pager";
    var prev = document.createElement("button");
    prev.type = "button"; prev.className = "link"; prev.textContent = "← " + t("previous", "previous");
    var info = document.createElement("span");
    var next = document.createElement("button");
    next.type = "button"; next.className = "link"; next.textContent = t("next", "next") + " →";
    pager.appendChild(prev); pager.appendChild(info); pager.appendChild(next);
    wrap.parentNode.insertBefore(bar, wrap);
    wrap.parentNode.insertBefore(pager, wrap.nextSibling);

    function render() {
      var shown = rows.filter(function (tr) {
        return !state.needle || tr.textContent.toLowerCase().indexOf(state.needle) >= 0;
      });
      if (state.col >= 0) {
        var c = state.col;
        var keyed = shown.map(function (tr, k) { return { tr: tr, v: cellValue(tr.cells[c]), k: k }; });
        keyed.sort(function (a, b) {
          if (a.v === null || b.v === null) { return a.v === b.v ? a.k - b.k : (a.v === null ? 1 : -1); }
          var d = compare(a.v, b.v);
          return (state.desc ? -d : d) || a.k - b.k;
        });
        shown = keyed.map(function (x) { return x.tr; });
      }
      var size = state.size;
      var pages = Math.max(1, Math.ceil(shown.length / size));
      state.page = Math.min(state.page, pages - 1);
      var from = state.page * size;
      rows.forEach(function (tr) { tr.hidden = true; });
      shown.forEach(function (tr, k) {
        body.appendChild(tr);
        tr.hidden = k < from || k >= from + size;
      });
      info.textContent = t("page", "page %(p)s of %(n)s").replace("%(p)s", state.page + 1).replace("%(n)s", pages) +
        " · " + shown.length + " / " + rows.length;
      prev.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
      pager.hidden = rows.length <= size && !state.needle;
      if (reapply) { reapply(); }
    }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, c) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "link sort-button"; b.textContent = "⇅";
      b.title = t("sort", "Sort");
      b.addEventListener("click", function () {
        state.desc = state.col === c ? !state.desc : false;
        state.col = c;
        state.page = 0;
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", state.desc ? "descending" : "ascending");
        render();
      });
      th.appendChild(b);
    });
    search.addEventListener("input", function () { state.needle = search.value.trim().toLowerCase(); state.page = 0; render(); });
    prev.addEventListener("click", function () { state.page -= 1; render(); });
    next.addEventListener("click", function () { state.page += 1; render(); });
    render();
  }

  function all() {
    Array.prototype.forEach.call(document.querySelectorAll("main table"), function (tb, i) {
      if (!tb.classList.contains("fp")) { enhance(tb, i); }
    });
  }
  // drill-down: a site on the map opens what it makes (its production records, filtered server-side)
  function mapClicks() {
    var picker = document.querySelector("select[name=dataset]");
    var ds = new URLSearchParams(location.search).get("dataset") || (picker && picker.value);
    Array.prototype.forEach.call(document.querySelectorAll("[data-map]"), function (el) {
      var tries = 0;
      (function wait() {
        var chart = window.echarts && el.getAttribute("data-ready") === "1" ? window.echarts.getInstanceByDom(el) : null;
        if (!chart) { if (tries++ < 100) { setTimeout(wait, 200); } return; }
        el.setAttribute("data-drill", "1");
        chart.on("click", function (p) {
          if (ds && p.seriesType === "scatter" && p.data && p.data.id) {
            location.href = "/datasets/" + encodeURIComponent(ds) + "/records/production?filter=" +
              encodeURIComponent("site=" + p.data.id);
          }
        });
      })();
    });
  }
  function start() { all(); mapClicks(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
  document.addEventListener("htmx:afterSettle", all);
})();

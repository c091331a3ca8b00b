/* Draw the statistics charts with the vendored ECharts.
 * Each chart's data comes from a <script type="application/json"> block written by
 * Django's json_script (no inline script: the page's CSP forbids it).  The table under
 * each chart holds the same figures for screen readers and for copying.
 *
 * On a phone the bars lie down: the categories go down the left side, where their names
 * wrap onto several lines instead of being rotated, cut or laid over one another; the
 * legend wraps onto as many lines as it needs; the chart grows with its categories.
 */
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") { return; }
  var PALETTE = ["#0d6efd", "#fd7e14", "#dc3545", "#6c757d", "#198754", "#6f42c1", "#20c997"];
  var FONT = 12; // ECharts' default label size, px
  var charts = [];

  function narrow() { return window.matchMedia("(max-width: 576px)").matches; }

  function valueLabel(unit) { // the figures above the bars, on wide screens
    return function (p) { return p.value === null || p.value === undefined ? "" : p.value + unit; };
  }

  // Rough width of a label: a CJK character is about one font size wide, others half.
  function textWidth(text) {
    var w = 0;
    for (var i = 0; i < text.length; i++) { w += text.charCodeAt(i) > 0x2e7f ? FONT : FONT * 0.6; }
    return w;
  }

  // Lines taken by a plain legend that wraps at ``width``.
  function legendLines(names, width) {
    var lines = 1;
    var x = 0;
    names.forEach(function (name) {
      var item = 25 + 5 + textWidth(name) + 10; // icon, gap, text, item gap
      if (x > 0 && x + item > width) { lines += 1; x = 0; }
      x += item;
    });
    return lines;
  }

  function desktopOption(data, width) {
    var stacked = data.kind === "stacked";
    var unit = data.unit || "";
    var slot = Math.max(60, Math.floor((width - 60) / Math.max(1, data.categories.length)) - 8);
    var manyLabels = slot < 90;
    return {
      height: 320,
      option: {
        color: PALETTE,
        animation: false,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
          valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + unit; } },
        legend: { top: 0, type: "scroll" },
        grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: data.categories,
          axisLabel: { interval: 0, rotate: manyLabels ? 30 : 0, width: manyLabels ? 90 : slot,
            overflow: "truncate" } },
        yAxis: { type: "value", minInterval: unit ? 0 : 1,
          axisLabel: { formatter: "{value}" + unit } },
        series: data.series.map(function (s) {
          return { name: s.name, type: "bar", data: s.data, stack: stacked ? "total" : undefined,
            barMaxWidth: 40, label: { show: !stacked, position: "top", formatter: valueLabel(unit) } };
        })
      }
    };
  }

  function phoneOption(data, width) {
    var stacked = data.kind === "stacked";
    var unit = data.unit || "";
    var labelWidth = Math.floor(width * 0.36);
    var lineHeight = FONT + 6;
    var bars = stacked ? 1 : Math.max(1, data.series.length);
    var legendTop = 4;
    var legendHeight = legendLines(data.series.map(function (s) { return s.name; }), width - 8) * 22;
    var rows = data.categories.map(function (name) {
      var lines = Math.max(1, Math.ceil(textWidth(name) / labelWidth));
      return Math.max(40, bars * 16 + 16, lines * lineHeight + 12);
    });
    var plot = rows.reduce(function (a, b) { return a + b; }, 0);
    var top = legendTop + legendHeight + 8;
    var bottom = 28; // the value axis' labels
    return {
      height: top + plot + bottom,
      option: {
        color: PALETTE,
        animation: false,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true,
          valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + unit; } },
        legend: { type: "plain", top: legendTop, left: 0, right: 0, itemGap: 10 },
        grid: { left: 4, right: 28, top: top, bottom: bottom, containLabel: true },
        yAxis: { type: "category", data: data.categories, inverse: true,
          axisTick: { alignWithLabel: true },
          axisLabel: { interval: 0, width: labelWidth, overflow: "breakAll", lineHeight: lineHeight } },
        xAxis: { type: "value", minInterval: unit ? 0 : 1, splitNumber: 3,
          axisLabel: { formatter: "{value}" + unit, hideOverlap: true } },
        series: data.series.map(function (s) {
          return { name: s.name, type: "bar", data: s.data, stack: stacked ? "total" : undefined,
            barMaxWidth: 16 };
        })
      }
    };
  }

  function draw(entry) {
    var width = entry.el.clientWidth;
    var made = narrow() ? phoneOption(entry.data, width) : desktopOption(entry.data, width);
    entry.el.style.height = made.height + "px";
    entry.chart.resize();
    entry.chart.setOption(made.option, true);
  }

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) { return; }
    var entry = { el: el, data: JSON.parse(source.textContent), chart: null };
    el.style.height = "320px";
    entry.chart = window.echarts.init(el, null, { renderer: "svg" });
    draw(entry);
    charts.push(entry);
  });

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () { charts.forEach(draw); }, 150);
  });
})();

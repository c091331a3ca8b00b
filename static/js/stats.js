/* Draw the statistics charts with the vendored ECharts.
 * Each chart's data comes from a <script type="application/json"> block written by
 * Django's json_script (no inline script: the page's CSP forbids it).  The table under
 * each chart holds the same figures for screen readers and for copying.
 */
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") { return; }
  var PALETTE = ["#0d6efd", "#fd7e14", "#dc3545", "#6c757d", "#198754", "#6f42c1", "#20c997"];
  var charts = [];

  function narrow() { return window.matchMedia("(max-width: 576px)").matches; }

  function option(data, width) {
    var stacked = data.kind === "stacked";
    var unit = data.unit || "";
    var slot = Math.max(60, Math.floor((width - 60) / Math.max(1, data.categories.length)) - 8);
    var manyLabels = slot < 90;
    return {
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
          barMaxWidth: 40, label: { show: !stacked && !narrow(), position: "top",
            formatter: function (p) { return p.value === null ? "" : p.value + unit; } } };
      })
    };
  }

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    el.style.height = narrow() ? "260px" : "320px";
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option(data, el.clientWidth));
    charts.push(chart);
  });

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      charts.forEach(function (c) { c.resize(); });
    }, 150);
  });
})();

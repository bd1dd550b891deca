// The health charts, drawn with Chart.js (and its matrix plugin for the cohort heat map) from
// the JSON in <script type="application/json" id="chart-data">. The same file draws the
// console's dashboard and the self-contained HTML report. It runs no inline code and sets
// member data only as chart labels (drawn on canvas) or with textContent.
"use strict";

(function () {
  const SEGMENT_COLOURS = {
    new: "#4c8bd6", active: "#2f6f6a", core: "#1d4d49", silent: "#a9adb3",
    slipping_away: "#d08a1e", churned: "#a3312a",
  };
  const INK = "#1f2328";
  const MUTED = "#626a73";
  const ACCENT = "#2f6f6a";
  const SOFT = "rgba(47, 111, 106, 0.35)";
  const drawn = [];

  function readData() {
    const holder = document.getElementById("chart-data");
    if (!holder) return null;
    try {
      return JSON.parse(holder.textContent || "null");
    } catch (error) {
      console.warn("chart data unreadable", error);
      return null;
    }
  }

  function base(extra) {
    // No animation: the charts are read, not watched, and screenshots come out the same.
    return Object.assign({
      animation: false, responsive: true, maintainAspectRatio: false,
      plugins: { legend: { labels: { color: INK } } },
    }, extra || {});
  }

  function activity(scope) {
    const daily = scope.daily || [];
    if (!daily.length) return null;
    return {
      type: "bar",
      data: {
        labels: daily.map((d) => d.date),
        datasets: [
          { type: "bar", label: "Messages", data: daily.map((d) => d.messages),
            backgroundColor: SOFT, borderColor: ACCENT, yAxisID: "y" },
          { type: "line", label: "Active members", data: daily.map((d) => d.active_members),
            borderColor: "#d08a1e", backgroundColor: "#d08a1e", pointRadius: daily.length > 60 ? 0 : 2,
            tension: 0, yAxisID: "y1" },
        ],
      },
      options: base({
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { ticks: { color: MUTED, maxRotation: 0, autoSkip: true, maxTicksLimit: 10 } },
          y: { beginAtZero: true, title: { display: true, text: "messages" }, ticks: { color: MUTED, precision: 0 } },
          y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false },
                title: { display: true, text: "active members" }, ticks: { color: MUTED, precision: 0 } },
        },
      }),
    };
  }

  function segments(scope) {
    const found = scope.segments;
    if (!found || !found.labels || !found.labels.length) return null;
    return {
      type: "bar",
      data: {
        labels: found.labels.map((l) => l.replace("_", " ")),
        datasets: [{ label: "Members", data: found.counts,
                     backgroundColor: found.labels.map((l) => SEGMENT_COLOURS[l] || ACCENT) }],
      },
      options: base({
        indexAxis: "y", plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0, color: MUTED } }, y: { ticks: { color: INK } } },
      }),
    };
  }

  function cohorts(scope) {
    const found = scope.cohorts;
    if (!found || !found.rows || !found.rows.length) return null;
    const weeks = found.weeks;
    const labels = found.rows.map((r) => r.label);
    const cells = [];
    found.rows.forEach((row) => {
      row.retention.forEach((share, week) => {
        if (share !== null) cells.push({ x: "week " + week, y: row.label, v: share, size: row.size });
      });
    });
    const columns = Array.from({ length: weeks }, (_, k) => "week " + k);
    return {
      type: "matrix",
      data: {
        datasets: [{
          label: "Share who posted", data: cells, borderWidth: 1, borderColor: "#ffffff",
          backgroundColor: (ctx) => {
            const cell = ctx.dataset.data[ctx.dataIndex];
            const v = cell ? cell.v : 0;
            return "rgba(47, 111, 106, " + (0.08 + 0.92 * v).toFixed(3) + ")";
          },
          width: ({ chart }) => ((chart.chartArea || {}).width || 0) / columns.length - 2,
          height: ({ chart }) => ((chart.chartArea || {}).height || 0) / labels.length - 2,
        }],
      },
      options: base({
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: {
            title: (items) => items.length ? items[0].raw.y + ", " + items[0].raw.x : "",
            label: (item) => Math.round(item.raw.v * 100) + "% of " + item.raw.size + " posted",
          } },
        },
        scales: {
          x: { type: "category", labels: columns, offset: true, grid: { display: false }, ticks: { color: MUTED } },
          y: { type: "category", labels: labels, offset: true, reverse: true, grid: { display: false }, ticks: { color: INK } },
        },
      }),
    };
  }

  function health(scope) {
    const found = scope.health;
    if (!found || !found.components || !found.components.length) return null;
    const parts = found.components;
    return {
      type: "bar",
      data: {
        labels: parts.map((c) => c.name),
        datasets: [{ label: "Score (0–100)", data: parts.map((c) => c.score),
                     backgroundColor: parts.map((c) => c.score >= 60 ? ACCENT : c.score >= 35 ? "#d08a1e" : "#a3312a") }],
      },
      options: base({
        indexAxis: "y",
        plugins: { legend: { display: false },
                   tooltip: { callbacks: { afterLabel: (item) => parts[item.dataIndex].explanation || "" } } },
        scales: { x: { min: 0, max: 100, ticks: { color: MUTED } }, y: { ticks: { color: INK } } },
      }),
    };
  }

  function content(scope) {
    const found = scope.content;
    if (!found || !found.length) return null;
    return {
      type: "bar",
      data: {
        labels: found.map((k) => k.kind),
        datasets: [{ label: "Engagement per post (replies, reactions, messages within an hour)",
                     data: found.map((k) => k.engagement), backgroundColor: SOFT, borderColor: ACCENT,
                     borderWidth: 1 }],
      },
      options: base({
        plugins: { legend: { display: false },
                   tooltip: { callbacks: { afterLabel: (item) => found[item.dataIndex].posts + " posts" } } },
        scales: { y: { beginAtZero: true, ticks: { color: MUTED } }, x: { ticks: { color: INK } } },
      }),
    };
  }

  const BUILDERS = { activity, segments, cohorts, health, content };

  function draw(data, key) {
    const scope = (data.scopes || []).find((s) => s.key === key) || (data.scopes || [])[0];
    while (drawn.length) drawn.pop().destroy();
    document.querySelectorAll("[data-chart]").forEach((figure) => {
      const kind = figure.getAttribute("data-chart");
      const box = figure.querySelector(".chart-box");
      const empty = figure.querySelector(".chart-empty");
      const canvas = figure.querySelector("canvas");
      const config = scope && BUILDERS[kind] ? BUILDERS[kind](scope) : null;
      if (box) box.hidden = !config;
      if (empty) empty.hidden = !!config;
      figure.setAttribute("data-drawn", config ? "true" : "empty");
      if (config && canvas) drawn.push(new window.Chart(canvas, config));
    });
    const label = document.getElementById("chart-scope-label");
    if (label && scope) label.textContent = scope.label;
  }

  function start() {
    const data = readData();
    if (!data || typeof window.Chart === "undefined") return;
    window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    const chooser = document.getElementById("chart-scope");
    draw(data, chooser ? chooser.value : data.selected);
    if (chooser && chooser.hasAttribute("data-local")) {
      chooser.addEventListener("change", () => draw(data, chooser.value));
    } else if (chooser && chooser.form) {
      // The console: the server builds the chosen group's numbers.
      chooser.addEventListener("change", () => chooser.form.requestSubmit());
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

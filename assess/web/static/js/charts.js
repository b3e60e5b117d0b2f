// Draw each chart from the JSON configuration the server put beside its canvas.
(function () {
  "use strict";
  var palette = ["#2f5bd3", "#e07a1f", "#1f7a4d", "#9b3fb5", "#c0392b", "#0f8b8d", "#7a6f1f", "#5b6576", "#d4a017", "#3d8bfd"];

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chartSource);
    if (!source || typeof Chart === "undefined") return;
    var config = JSON.parse(source.textContent);
    config.data.datasets.forEach(function (set, index) {
      if (set.backgroundColor) return;  // the server chose this chart's colours
      var colour = palette[index % palette.length];
      set.borderColor = colour;
      set.backgroundColor = config.type === "bar" ? colour : colour + "33";
      set.borderWidth = 2;
      set.pointRadius = 2;
      set.spanGaps = false;
    });
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } } }, config.options || {});
    new Chart(canvas, config);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart-source]").forEach(draw);
  });
})();

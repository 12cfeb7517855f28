// The cost model's chart: cost against number of learners for instructor-led, microlearning and
// blended delivery (straight lines), with their break-even points marked. Data from the canvas's
// data-chart attribute, the same numbers as the table below it.
(function () {
  "use strict";

  var canvas = document.getElementById("cost-model-chart");
  if (!canvas || !window.Chart) {
    return;
  }
  var data = JSON.parse(canvas.getAttribute("data-chart"));
  var colours = ["#2557a7", "#1e7b34", "#b36b00"];
  var datasets = data.lines.map(function (line, i) {
    return {
      type: "line",
      label: line.label,
      data: line.points,
      borderColor: colours[i % colours.length],
      backgroundColor: colours[i % colours.length],
      pointRadius: 0,
    };
  });
  datasets.push({
    type: "scatter",
    label: "Break-even",
    data: data.break_evens,
    borderColor: "#b3261e",
    backgroundColor: "#b3261e",
    pointRadius: 6,
    pointStyle: "rectRot",
  });
  var chart = new window.Chart(canvas, {
    type: "scatter",
    data: { datasets: datasets },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { type: "linear", min: 0, title: { display: true, text: "learners" } },
        y: { beginAtZero: true, title: { display: true, text: "cost" } },
      },
      plugins: {
        tooltip: {
          callbacks: {
            label: function (item) {
              var point = item.raw;
              var name = point.label || item.dataset.label;
              return name + ": " + Math.round(point.x) + " learners, " + Math.round(point.y);
            },
          },
        },
      },
    },
  });
  canvas.setAttribute("data-rendered", chart.data.datasets.length ? "yes" : "no");
})();

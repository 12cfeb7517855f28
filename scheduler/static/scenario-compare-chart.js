// The scenario comparison's charts: the costs of each plan (grouped bars) and its learners
// trained and unscheduled (stacked bars). Data from the canvases' data-chart attribute, the same
// numbers as the table above them.
(function () {
  "use strict";

  var colours = ["#2557a7", "#1e7b34", "#b36b00", "#7b2d8e", "#b3261e", "#00796b", "#5f6368"];

  function bars(canvas, series, stacked, yTitle) {
    var data = JSON.parse(canvas.getAttribute("data-chart"));
    var chart = new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data[series].map(function (line, i) {
          return {
            label: line.label,
            data: line.values,
            backgroundColor: colours[i % colours.length],
          };
        }),
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: stacked },
          y: { stacked: stacked, beginAtZero: true, title: { display: true, text: yTitle } },
        },
      },
    });
    canvas.setAttribute("data-rendered", chart.data.datasets.length ? "yes" : "no");
  }

  if (!window.Chart) {
    return;
  }
  var money = document.getElementById("scenario-money-chart");
  if (money) {
    bars(money, "money", false, "cost");
  }
  var learners = document.getElementById("scenario-learners-chart");
  if (learners) {
    bars(learners, "learners", true, "learners");
  }
})();

// The manager's bar chart: the team's training hours per week, instructor-led and microlearning
// stacked. Chart.js is served from node_modules by the app; the numbers come from the canvas's
// data-chart attribute (the same numbers as the table's totals row).
(function () {
  "use strict";

  var canvas = document.getElementById("team-chart");
  if (!canvas || !window.Chart) {
    return;
  }
  var data = JSON.parse(canvas.getAttribute("data-chart"));
  var chart = new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: "Instructor-led hours", data: data.instructor_led, backgroundColor: "#2557a7" },
        { label: "Microlearning hours", data: data.microlearning, backgroundColor: "#7fa7e0" },
      ],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { stacked: true },
        y: { stacked: true, beginAtZero: true, title: { display: true, text: "hours" } },
      },
    },
  });
  canvas.setAttribute("data-rendered", chart.data.datasets.length ? "yes" : "no");
})();

// The publish job's page without reloading: poll the job's JSON status every second and show
// its state until it ends; then reload once, so the page's links match the outcome. Without
// it the page still shows the state at load time (reload to refresh).
(function () {
  "use strict";

  var section = document.getElementById("publish-progress");
  if (!section || section.dataset.active !== "true") {
    return;
  }

  function field(name) {
    return section.querySelector('[data-field="' + name + '"]');
  }

  function show(status) {
    field("status").textContent = status.status;
    field("summary").textContent = status.summary;
    field("elapsed_seconds").textContent = status.elapsed_seconds.toFixed(1);
  }

  function poll() {
    fetch(section.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.active) {
          window.setTimeout(poll, 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000); // the server is restarting or the network is down
      });
  }

  window.setTimeout(poll, 1000);
})();

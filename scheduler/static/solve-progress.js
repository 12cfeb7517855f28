// A solve's progress without reloading: poll the job's JSON status (four times a second until
// the first schedule is shown, then every second) and update the figures
// (templates/jobs/_progress.html), the progress bar and the draft link until the job ends. A
// period's solve page and a scenario's page use it; a page marked data-reload-when-done (the
// scenario's) reloads once the solve ends, to show its result. Without it the page still shows
// the state at load time (reload to refresh).
(function () {
  "use strict";

  var section = document.getElementById("job-progress");
  if (!section || section.dataset.active !== "true") {
    return;
  }
  // Until the first schedule is shown, ask four times a second: the solver reports it at once
  // (its cost is written as soon as it exists), and that first figure is what the coordinator
  // waits for. Then once a second.
  var FIRST = 250;
  var EVERY = 1000;
  var money = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var percent = new Intl.NumberFormat(undefined, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });

  function field(name) {
    return section.querySelector('[data-field="' + name + '"]');
  }

  function show(status) {
    field("status").textContent = status.status;
    field("summary").textContent = status.summary;
    field("elapsed_seconds").textContent = status.elapsed_seconds.toFixed(1);
    field("progress").value = status.progress;
    field("best_cost").textContent = status.best_cost === null ? "—" : money.format(status.best_cost);
    field("bound").textContent = status.bound === null ? "—" : money.format(status.bound);
    field("gap").textContent = status.gap === null ? "—" : percent.format(status.gap);
    showParts(status.parts || []);
    if (status.draft_url && field("draft")) {
      field("draft_url").href = status.draft_url;
      field("draft").hidden = false;
    }
    if (!status.active) {
      var cancel = document.getElementById("cancel-form");
      if (cancel) {
        cancel.hidden = true;
      }
    }
  }

  // A solve split over the workers lists its parts; they appear a moment after the job starts.
  function showParts(parts) {
    var table = document.getElementById("job-parts");
    if (!table || parts.length === 0) {
      return;
    }
    var body = table.tBodies[0];
    while (body.firstChild) {
      body.removeChild(body.firstChild);
    }
    parts.forEach(function (part) {
      var row = body.insertRow();
      var head = document.createElement("th");
      head.scope = "row";
      head.textContent = part.label;
      row.appendChild(head);
      row.insertCell().textContent = String(part.cohorts);
      row.insertCell().textContent = part.status + (part.error ? ": " + part.error : "");
      row.insertCell().textContent = part.best_cost === null ? "—" : money.format(part.best_cost);
      row.insertCell().textContent = part.elapsed_seconds.toFixed(1) + " of " +
        (part.time_limit_seconds === null ? "—" : part.time_limit_seconds.toFixed(1));
    });
    table.hidden = false;
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
          window.setTimeout(poll, status.best_cost === null ? FIRST : EVERY);
        } else if (section.dataset.reloadWhenDone === "true") {
          window.location.reload();
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000); // the server is restarting or the network is down
      });
  }

  window.setTimeout(poll, FIRST);
})();

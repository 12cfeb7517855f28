// The availability page without a reload: add and remove one-off rows, and keep the
// "Times are in ..." note in step with the time zone field. Everything works without it:
// the server always sends spare empty rows, and an emptied row is ignored when saving.
(function () {
  "use strict";

  function nextIndex(body) {
    var highest = -1;
    body.querySelectorAll("input[name]").forEach(function (input) {
      var match = /-(\d+)-/.exec(input.name);
      if (match) {
        highest = Math.max(highest, Number(match[1]));
      }
    });
    return highest + 1;
  }

  function addRow(body) {
    var rows = body.querySelectorAll("tr[data-row]");
    var copy = rows[rows.length - 1].cloneNode(true);
    var index = nextIndex(body);
    copy.querySelectorAll("input").forEach(function (input) {
      input.name = input.name.replace(/-\d+-/, "-" + index + "-");
      input.id = input.id.replace(/-\d+-/, "-" + index + "-");
      input.value = "";
      input.setAttribute("aria-label", input.dataset.label.replace("{n}", rows.length + 1));
    });
    copy.querySelectorAll(".error").forEach(function (error) {
      error.remove();
    });
    copy.classList.remove("has-error");
    copy.hidden = false;
    body.appendChild(copy);
    copy.querySelector("input").focus();
  }

  function removeRow(row) {
    row.querySelectorAll("input").forEach(function (input) {
      input.value = "";
    });
    row.hidden = true;
  }

  document.querySelectorAll("[data-window-list]").forEach(function (list) {
    var body = list.querySelector("tbody");
    var add = list.querySelector("[data-add-row]");
    add.hidden = false;
    add.addEventListener("click", function () {
      addRow(body);
    });
    list.querySelectorAll("[data-remove-row]").forEach(function (button) {
      button.hidden = false;
    });
    body.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove-row]");
      if (button) {
        removeRow(button.closest("tr"));
      }
    });
  });

  var zoneInput = document.getElementById("timezone");
  var zoneNote = document.querySelector("[data-zone-name]");
  if (zoneInput && zoneNote) {
    var known = {};
    document.querySelectorAll("#zone-names option").forEach(function (option) {
      known[option.value.toLowerCase()] = option.value;
    });
    zoneInput.addEventListener("input", function () {
      var name = known[zoneInput.value.trim().toLowerCase()];
      if (name) {
        zoneNote.textContent = name;
      }
    });
  }
})();

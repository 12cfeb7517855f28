// The review page's calendar: FullCalendar (served from node_modules by the app) showing the
// version's sessions, fetched as JSON, with a "Show" list that keeps only one facilitator's,
// room's or site's sessions. The sections table on the page lists the same sessions as text.
// Public holidays and closures come as background events ("closed" in extendedProps).
(function () {
  "use strict";

  var element = document.getElementById("calendar");
  if (!element || !window.FullCalendar) {
    return;
  }
  var show = document.getElementById("calendar-show");
  var allEvents = [];

  // Title on the first line, then who and where: what a coordinator scans a week for.
  function content(arg) {
    var props = arg.event.extendedProps;
    if (props.closed) {
      var title = document.createElement("div");
      title.className = "closed-day-title";
      title.textContent = arg.event.title;
      return { domNodes: [title] };
    }
    var lines = [
      [arg.timeText, "fc-event-time"],
      [arg.event.title, "fc-event-title"],
      [props.facilitator + " · " + props.room, "event-where"],
    ];
    return {
      domNodes: lines.map(function (line) {
        var node = document.createElement("div");
        node.className = line[1];
        node.textContent = line[0];
        return node;
      }),
    };
  }

  function chosen() {
    var value = show ? show.value : "";
    if (!value) {
      return allEvents;
    }
    return allEvents.filter(function (event) {
      return event.extendedProps.filters.indexOf(value) !== -1;
    });
  }

  var calendar = new FullCalendar.Calendar(element, {
    // Times arrive as the period's wall-clock time; "UTC" shows them as written (see util.py).
    timeZone: "UTC",
    initialView: "timeGridWeek",
    initialDate: element.dataset.initialDate,
    firstDay: 1,
    height: "auto",
    slotMinTime: "08:00:00",
    slotMaxTime: "18:00:00",
    dayHeaderFormat: { weekday: "short", day: "numeric", month: "short" },
    allDaySlot: false,
    nowIndicator: false,
    headerToolbar: {
      left: "prev,next",
      center: "title",
      right: "timeGridWeek,dayGridMonth,listWeek",
    },
    buttonText: { week: "Week", month: "Month", list: "List" },
    eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    eventContent: content,
    eventDidMount: function (arg) {
      var props = arg.event.extendedProps;
      if (props.closed) {
        arg.el.title = arg.event.title;
        return;
      }
      arg.el.title = arg.event.title + "\n" + props.facilitator + "\n" + props.room + ", " + props.site;
    },
  });

  // The week view opens on the hours sessions use (at least 08:00-18:00), so none is hidden.
  function fitHours(events) {
    var first = 8;
    var last = 18;
    events.forEach(function (event) {
      if (event.extendedProps.closed) {
        return;
      }
      first = Math.min(first, Number(event.start.slice(11, 13)));
      last = Math.max(last, Math.ceil(Number(event.end.slice(11, 13)) + Number(event.end.slice(14, 16)) / 60));
    });
    calendar.setOption("slotMinTime", String(first).padStart(2, "0") + ":00:00");
    calendar.setOption("slotMaxTime", String(Math.min(last, 24)).padStart(2, "0") + ":00:00");
  }

  function refresh() {
    calendar.removeAllEventSources();
    calendar.addEventSource(chosen());
    element.dataset.shown = String(chosen().filter(function (event) {
      return !event.extendedProps.closed;
    }).length);
  }

  calendar.render();
  fetch(element.dataset.eventsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    })
    .then(function (events) {
      allEvents = events;
      fitHours(events);
      refresh();
      element.dataset.loaded = "true";
    })
    .catch(function (error) {
      var note = document.createElement("p");
      note.className = "notice";
      note.textContent = "The sessions could not be loaded (" + error.message + "): reload the page.";
      element.before(note);
    });
  if (show) {
    show.addEventListener("change", refresh);
  }
})();

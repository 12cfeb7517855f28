// The review page's calendar: FullCalendar (served from node_modules by the app) showing the
// version's sessions, coloured by program. Events are fetched as JSON for the visible range and
// the chosen facilitator, room, site and program (events.json), never embedded in the page.
// A click opens the side panel; on a draft, a drag asks the server (review-moves.js) and is put
// back with the reason when the move is refused. Public holidays and closures come as
// background events ("closed" in extendedProps).
//
// Time zones: one grid shows one zone, and a plan's sites may lie in several. The grid places
// every session at its true instant in the zone chosen above it (#calendar-zone: the period's by
// default, or a site's, or the browser's), so what happens first is shown first; each event's
// text and the side panel give the session's time in its own site's zone, named (virtual
// sessions: in the grid's zone, and they say so). events.json sends the grid zone's wall clock.
(function () {
  "use strict";

  var element = document.getElementById("calendar");
  if (!element || !window.FullCalendar) {
    return;
  }
  var data = element.dataset;
  var filters = Array.prototype.slice.call(document.querySelectorAll("[data-filter]"));
  var panel = document.getElementById("session-panel");
  var status = document.getElementById("calendar-status");
  var zoneSelect = document.getElementById("calendar-zone");
  // The zone chosen last time for this period, kept in this browser (the page is shared).
  var zoneKey = "review-calendar-zone:" + data.periodId;
  offerBrowserZone();
  restoreZone();
  // The page's CSRF token (in its <meta>: the calendar's part is cached and shared).
  var token = document.querySelector('meta[name="csrf-token"]').content;
  Array.prototype.forEach.call(panel.querySelectorAll('input[name="csrf_token"]'), function (input) {
    input.value = token;
  });

  // Legend swatches: colours are set through the CSSOM (the CSP forbids inline style attributes).
  Array.prototype.forEach.call(document.querySelectorAll(".calendar-legend .swatch"), function (swatch) {
    swatch.style.backgroundColor = swatch.dataset.colour;
  });

  // The grid's zone: the one chosen above the calendar, else the period's.
  function gridZone() {
    return zoneSelect ? zoneSelect.value : data.zone;
  }

  // The browser's own zone is one more choice, when the plan's sites do not already offer it.
  function offerBrowserZone() {
    var own = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zoneSelect || !own) {
      return;
    }
    var listed = Array.prototype.some.call(zoneSelect.options, function (option) {
      return option.value === own;
    });
    if (!listed) {
      zoneSelect.append(new Option(own + " (your browser's zone)", own));
    }
  }

  function restoreZone() {
    var kept = null;
    try {
      kept = window.localStorage.getItem(zoneKey);
    } catch (error) {
      return; // storage disabled: the period's zone it is
    }
    if (zoneSelect && kept && Array.prototype.some.call(zoneSelect.options, function (option) {
      return option.value === kept;
    })) {
      zoneSelect.value = kept;
    }
  }

  function keepZone() {
    try {
      window.localStorage.setItem(zoneKey, zoneSelect.value);
    } catch (error) {
      // storage disabled: the choice lasts until the page is left
    }
  }

  // A session's time where it happens ("09:00–11:00 America/New_York (EDT)"), and for a virtual
  // session the note that it is given in the calendar's zone.
  function localTime(props) {
    return props.local.time + (props.local.virtual ? " · virtual, in the calendar's zone" : "");
  }

  function say(text, refused) {
    status.textContent = text;
    status.classList.toggle("refused", Boolean(refused));
    status.hidden = false;
  }

  // Title on the first line, then who and where: what a coordinator scans a week for.
  function content(arg) {
    var props = arg.event.extendedProps;
    if (props.closed) {
      var title = document.createElement("div");
      title.className = "closed-day-title";
      title.textContent = arg.event.title;
      return { domNodes: [title] };
    }
    // A month's cells are one line per session: the start and the zone's abbreviation there
    // (the tooltip and the side panel say the rest).
    var month = arg.view.type === "dayGridMonth";
    var lines = [
      [month ? props.local.short : localTime(props), "fc-event-time event-local"],
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

  // The query of events.json: the visible range and every filter that is set.
  function query(info) {
    var params = new URLSearchParams({ start: info.startStr, end: info.endStr, zone: gridZone() });
    filters.forEach(function (select) {
      if (select.value) {
        params.set(select.dataset.filter, select.value);
      }
    });
    return params.toString();
  }

  function loadEvents(info, success, failure) {
    fetch(data.eventsUrl + "?" + query(info), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (events) {
        success(events);
        fitHours(events);
        refreshPanel();
        data.shown = String(events.filter(function (event) {
          return !event.extendedProps.closed;
        }).length);
        data.loaded = "true";
      })
      .catch(function (error) {
        say("The sessions could not be loaded (" + error.message + "): reload the page.", true);
        failure(error);
      });
  }

  // The week view shows the hours sessions use (at least 08:00-18:00), so none is hidden.
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
    var min = String(first).padStart(2, "0") + ":00:00";
    var max = String(Math.min(last, 24)).padStart(2, "0") + ":00:00";
    if (calendar.getOption("slotMinTime") !== min) {
      calendar.setOption("slotMinTime", min);
    }
    if (calendar.getOption("slotMaxTime") !== max) {
      calendar.setOption("slotMaxTime", max);
    }
  }

  function openPanel(event) {
    var props = event.extendedProps;
    if (props.closed) {
      return;
    }
    var fields = {
      section: props.section + " (session " + props.session + ")",
      program: props.program,
      when: when(event),
      cohorts: props.cohorts.join(", "),
      learners: String(props.learners),
      facilitator: props.facilitator,
      room: props.room + (props.site ? " (" + props.site + ")" : ""),
      pinned: props.pinned || "no",
    };
    panel.querySelector("#session-panel-title").textContent = event.title;
    Object.keys(fields).forEach(function (name) {
      panel.querySelector('[data-field="' + name + '"]').textContent = fields[name];
    });
    panel.querySelector('[data-link="alternatives"]').href = props.links.alternatives;
    panel.querySelector('[data-action="pin"]').action = props.links.pin;
    panel.querySelector('[data-action="lock"]').action = props.links.lock;
    panel.dataset.sessionId = event.id;
    panel.hidden = false;
    showNames(event.id, props.links.details);
  }

  // The date and time where the session happens; when the grid shows another zone, also where
  // it sits on the grid, so the two never seem to disagree.
  function when(event) {
    var props = event.extendedProps;
    var text = props.local.date + " " + localTime(props);
    if (props.local.zone !== gridZone()) {
      text += "; " + event.startStr.slice(11, 16) + "–" + event.endStr.slice(11, 16) + " " +
        gridZone() + " on the calendar";
    }
    return text;
  }

  // After the grid changed zone, the open panel's "on the calendar" time follows it.
  function refreshPanel() {
    var shown = panel.hidden ? null : calendar.getEventById(panel.dataset.sessionId);
    if (shown) {
      panel.querySelector('[data-field="when"]').textContent = when(shown);
    }
  }

  // The learners' names come on a click (events carry only the count, to stay light).
  function showNames(sessionId, url) {
    var names = panel.querySelector('[data-field="learnerNames"]');
    names.replaceChildren();
    names.dataset.loaded = "false";
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (answer) {
        if (panel.dataset.sessionId !== sessionId) {
          return; // another session was clicked meanwhile
        }
        names.replaceChildren.apply(names, answer.learnerNames.map(function (name) {
          var item = document.createElement("li");
          item.textContent = name;
          return item;
        }));
        names.dataset.loaded = "true";
      })
      .catch(function (error) {
        var item = document.createElement("li");
        item.textContent = "The names could not be loaded (" + error.message + ").";
        names.replaceChildren(item);
      });
  }

  function dropped(info) {
    var start = window.ReviewMoves.wallClockToUtc(info.event.start, gridZone());
    say("Moving " + info.event.title + "…");
    window.ReviewMoves.checkMove({
      sessionId: info.event.id,
      start: start,
      periodVersion: Number(data.periodVersion),
      csrfToken: token,
    }).then(function (answer) {
      if (answer.periodVersion !== undefined) {
        data.periodVersion = String(answer.periodVersion);
      }
      if (!answer.ok) {
        info.revert();
        say(info.event.title + " was not moved: " + answer.reason, true);
        return;
      }
      say(answer.message || info.event.title + " moved.");
      if (answer.session) {
        info.event.setExtendedProp("local", movedLocal(info.event.extendedProps.local, answer.session));
      }
      if (answer.version) {
        // The move made a new draft: this page still shows the version it was made from.
        var link = document.createElement("a");
        link.href = "/planning/versions/" + encodeURIComponent(answer.version.id);
        link.textContent = " Open draft version " + answer.version.number + ".";
        status.append(link);
      }
    });
  }

  // The moved session's new time where it happens, for its text until the page shows the new
  // draft. The browser names the zone (its abbreviation may read "GMT+1" where the server's
  // reads "BST"): both name the same offset.
  function movedLocal(local, session) {
    var format = new Intl.DateTimeFormat("en-US", {
      timeZone: local.zone, hourCycle: "h23", hour: "2-digit", minute: "2-digit",
      year: "numeric", month: "2-digit", day: "2-digit", timeZoneName: "short",
    });
    function parts(instant) {
      var found = {};
      format.formatToParts(new Date(instant)).forEach(function (part) {
        found[part.type] = part.value;
      });
      return found;
    }
    var start = parts(session.start);
    var end = parts(session.end);
    return {
      date: start.year + "-" + start.month + "-" + start.day,
      time: start.hour + ":" + start.minute + "–" + end.hour + ":" + end.minute + " " +
        local.zone + " (" + start.timeZoneName + ")",
      zone: local.zone,
      short: start.hour + ":" + start.minute + " " + start.timeZoneName,
      virtual: local.virtual,
    };
  }

  var editable = data.editable === "true" && Boolean(window.ReviewMoves);
  var calendar = new FullCalendar.Calendar(element, {
    // Times arrive as the period's wall-clock time; "UTC" shows them as written (calendar.py).
    timeZone: "UTC",
    initialView: "timeGridWeek",
    initialDate: data.initialDate,
    firstDay: 1,
    height: "auto",
    slotMinTime: "08:00:00",
    slotMaxTime: "18:00:00",
    allDaySlot: false,
    nowIndicator: false,
    headerToolbar: {
      left: "prev,next",
      center: "title",
      right: "timeGridWeek,dayGridMonth,listWeek",
    },
    buttonText: { week: "Week", month: "Month", list: "List" },
    views: {
      // A week's columns are days: name the date. A month's columns are weekdays: the dates
      // are in the cells, and a date in the header would be the first row's, wrong below it.
      timeGridWeek: {
        dayHeaderFormat: { weekday: "short", day: "numeric", month: "short" },
        // A busy week stays readable: at most three side by side, then "+N more".
        eventMaxStack: 3,
      },
      dayGridMonth: { dayHeaderFormat: { weekday: "short" }, dayMaxEvents: 4 },
    },
    eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    events: loadEvents,
    eventContent: content,
    eventClick: function (info) {
      info.jsEvent.preventDefault();
      openPanel(info.event);
    },
    editable: editable,
    eventDurationEditable: false,
    eventDrop: dropped,
    eventDidMount: function (arg) {
      var props = arg.event.extendedProps;
      if (props.closed) {
        arg.el.title = arg.event.title;
        return;
      }
      arg.el.title = arg.event.title + "\n" + localTime(props) + "\n" + props.facilitator + "\n" +
        props.room + ", " + props.site;
    },
  });

  calendar.render();
  if (zoneSelect) {
    zoneSelect.addEventListener("change", function () {
      keepZone();
      calendar.refetchEvents();
    });
  }
  filters.forEach(function (select) {
    select.addEventListener("change", function () {
      calendar.refetchEvents();
    });
  });
  panel.querySelector(".close").addEventListener("click", function () {
    panel.hidden = true;
  });
})();

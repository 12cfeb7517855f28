// Drag-and-drop moves on the review calendar: ask the server to move a dropped session there,
// and say why not when it may not.
//
// Contract (the server side is the adjustments area's move.json, docs/user-guide.md "Moving a
// session by hand"):
//
//   POST /planning/sessions/<session id>/move.json
//   Content-Type: application/json, X-CSRFToken: <the page's CSRF token>
//   {"start": "2027-03-16T09:00:00Z", "period_version": 7}
//       start: the session's new start, UTC, ISO 8601; period_version: the plan the page showed
//
//   200 {"accepted": true, "message": "…", "version": {"id": 15, "number": 4}, "period_version": 8,
//        "session": {"start": "2027-03-16T09:00:00+00:00", "end": "…", …}}
//       moved: a new draft holds the move (linked from the message); session: where it now is
//   4xx {"accepted": false, "reasons": ["…", …], "period_version": 7}
//       refused, with the reasons in words; nothing saved
//
// ({"ok": true} and {"ok": false, "reason": "…"} are read the same way.) Any other answer (an
// error page, no JSON) counts as a refusal that says the move could not be made. A refused move
// is put back where it was.
(function () {
  "use strict";

  // The path of a session's move (see the contract above).
  function moveUrl(sessionId) {
    return "/planning/sessions/" + encodeURIComponent(sessionId) + "/move.json";
  }

  // The offset (minutes east of UTC) of `zone` at the instant `utcMillis`.
  function offsetAt(zone, utcMillis) {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, hourCycle: "h23",
      year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(new Date(utcMillis)).forEach(function (part) {
      parts[part.type] = part.value;
    });
    var asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
    return Math.round((asUtc - utcMillis) / 60000);
  }

  // The calendar shows the period's wall clock as if it were UTC ("floating" times): `wall` is a
  // Date whose UTC fields are the wall-clock time in `zone`. Returns the real instant, ISO UTC.
  // Two passes find the offset on the right side of a clock change; a wall time that does not
  // exist (skipped by a spring change) lands after the gap, as the server's rule does.
  function wallClockToUtc(wall, zone) {
    var guess = wall.getTime();
    var first = guess - offsetAt(zone, guess) * 60000;
    var second = guess - offsetAt(zone, first) * 60000;
    return new Date(second).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  // The answer in one shape: {ok: true, message, version, session, periodVersion} or
  // {ok: false, reason}.
  function normalised(answer, status) {
    if (answer && (answer.accepted === true || answer.ok === true)) {
      return {
        ok: true,
        message: answer.message || "",
        version: answer.version || null,
        session: answer.session || null,
        periodVersion: answer.period_version,
      };
    }
    var reasons = answer && (answer.reasons || (answer.reason ? [answer.reason] : null));
    if (answer && (answer.accepted === false || answer.ok === false) && reasons && reasons.length) {
      return { ok: false, reason: reasons.map(String).join(" "), periodVersion: answer.period_version };
    }
    throw new Error("HTTP " + status);
  }

  // Ask the server; resolves to a normalised answer, never rejects.
  function checkMove(options) {
    return fetch(moveUrl(options.sessionId), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": options.csrfToken,
      },
      body: JSON.stringify({ start: options.start, period_version: options.periodVersion }),
    })
      .then(function (response) {
        return response.json().then(
          function (answer) {
            return normalised(answer, response.status);
          },
          function () {
            throw new Error("HTTP " + response.status);
          }
        );
      })
      .catch(function (error) {
        return { ok: false, reason: "The move could not be made (" + error.message + "); nothing changed." };
      });
  }

  window.ReviewMoves = { moveUrl: moveUrl, wallClockToUtc: wallClockToUtc, checkMove: checkMove };
})();

// Drag-and-drop moves on the review calendar: ask the server whether a dropped session may go
// there, and say why not when it may not.
//
// Contract (the server side lives in the adjustments area):
//
//   POST /periods/<period id>/versions/<version id>/sessions/<session id>/move-check
//   Content-Type: application/json, X-CSRFToken: <the page's CSRF token>
//   {"start": "2027-03-16T09:00:00Z"}          the session's proposed new start, UTC, ISO 8601
//
//   200 {"ok": true}                            accepted ("message" and "redirect" optional: a
//                                               text to show, a page to go to, e.g. a new draft)
//   200 {"ok": false, "reason": "…"}            refused, with the reason in words
//
// Any other answer (an error, no JSON) counts as a refusal that says the move could not be
// checked. A refused move is put back where it was.
(function () {
  "use strict";

  // The path of a session's move check (see the contract above).
  function moveCheckUrl(periodId, versionId, sessionId) {
    return (
      "/periods/" + encodeURIComponent(periodId) +
      "/versions/" + encodeURIComponent(versionId) +
      "/sessions/" + encodeURIComponent(sessionId) +
      "/move-check"
    );
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

  // Ask the server; resolves to {ok: true, ...} or {ok: false, reason: "..."}, never rejects.
  function checkMove(options) {
    var url = moveCheckUrl(options.periodId, options.versionId, options.sessionId);
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": options.csrfToken,
      },
      body: JSON.stringify({ start: options.start }),
    })
      .then(function (response) {
        return response.json().then(
          function (answer) {
            if (answer && answer.ok === true) {
              return answer;
            }
            if (answer && answer.ok === false && answer.reason) {
              return { ok: false, reason: String(answer.reason) };
            }
            throw new Error("HTTP " + response.status);
          },
          function () {
            throw new Error("HTTP " + response.status);
          }
        );
      })
      .catch(function (error) {
        return { ok: false, reason: "The move could not be checked (" + error.message + "); nothing changed." };
      });
  }

  window.ReviewMoves = { moveCheckUrl: moveCheckUrl, wallClockToUtc: wallClockToUtc, checkMove: checkMove };
})();

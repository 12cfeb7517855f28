// Time spent on each quiz question of a follow-up step, sent with the answers so that a right
// answer that took long is rated Hard (scheduler/followups/learning.py). A question's time runs
// from when the learner reached it (it came into view, or they answered the previous question,
// whichever is later) to their first answer to it. Without this script the page still works;
// only the whole page's time is then used.
(function () {
  "use strict";

  var form = document.getElementById("step-form");
  if (!form) {
    return;
  }
  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset[data-question]"));
  var seen = {};  // question id -> when it came into view (ms)
  var answered = {};  // question id -> true once its time is taken
  var lastAnswer = null;  // when the learner last answered any question (ms)

  function now() {
    return window.performance ? window.performance.now() : Date.now();
  }

  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        var id = entry.target.dataset.question;
        if (entry.isIntersecting && seen[id] === undefined) {
          seen[id] = now();
        }
      });
    }, { threshold: 0.6 });
    questions.forEach(function (fieldset) { observer.observe(fieldset); });
  } else {
    var loaded = now();
    questions.forEach(function (fieldset) { seen[fieldset.dataset.question] = loaded; });
  }

  questions.forEach(function (fieldset) {
    var id = fieldset.dataset.question;
    fieldset.addEventListener("change", function (event) {
      if (answered[id] || event.target.name !== "q" + id) {
        return;  // the "I am sure" box is not an answer
      }
      var at = now();
      var from = Math.max(seen[id] === undefined ? at : seen[id], lastAnswer === null ? 0 : lastAnswer);
      fieldset.querySelector('input[name="t' + id + '"]').value = String(Math.round((at - from) / 1000));
      answered[id] = true;
      lastAnswer = at;
    });
  });
})();

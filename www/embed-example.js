// The example docs page's own code: drives the second drill by messages
// through the helper embed.js puts on its iframe (iframe.firedrill.send).
(function () {
  "use strict";
  var log = document.getElementById("log");
  var button = document.getElementById("drive");

  function note(text) {
    var item = document.createElement("li");
    item.textContent = text; // never HTML: replies may carry scenario text
    log.appendChild(item);
  }

  async function drive() {
    var drill = document.getElementById("drill-driven").firedrill;
    button.disabled = true;
    log.textContent = "";
    try {
      var reset = await drill.send({ type: "reset", task: "severity_classification", seed: 7 });
      note("reset → " + reset.observation.title + " (step " + reset.observation.step + ")");
      var firing = await drill.send({ type: "query", expr: 'count by (service) (ALERTS{alertstate="firing"})' });
      var services = firing.data.result.map(function (sample) { return sample.metric.service; });
      note("query ALERTS → firing on " + (services.join(", ") || "no service"));
      for (var i = 0; i < Math.min(services.length, 2); i++) {
        var step = await drill.send({
          type: "step",
          action: { action_type: "investigate", target: services[i], reasoning: "an alert fires there" },
        });
        note("step investigate " + services[i] + " → reward " + step.reward.toFixed(3));
      }
      var severity = services.length > 1 ? "P1" : "P2";
      var last = await drill.send({
        type: "step",
        action: { action_type: "classify", parameters: { severity: severity }, reasoning: services.length + " services alerting" },
      });
      note("step classify " + severity + " → terminated " + last.terminated);
      var grade = await drill.send({ type: "grade" });
      note("grade → " + grade.grade.score.toFixed(3));
    } catch (error) {
      note("error: " + error.message);
    } finally {
      button.disabled = false;
    }
  }

  // Progress beside the first drill, from its events: ready, then one
  // "step" message after every step the reader plays.
  var summary = document.getElementById("progress-summary");
  var steps = document.getElementById("progress-steps");
  var budget = { severity_classification: 10, root_cause_analysis: 15, full_incident_management: 20 };
  var task = null;
  document.getElementById("drill-manual").addEventListener("firedrill:message", function (event) {
    var message = event.detail;
    if (message.type === "ready") {
      task = message.task;
      summary.textContent = "Drill " + message.handle + " is ready: take your first action.";
      steps.textContent = "";
    } else if (message.type === "step" && !("observation" in message)) {
      var of = task && budget[task] ? " of " + budget[task] : "";
      summary.textContent = "Step " + message.step + of + " · incident " + message.status +
        (message.terminated ? " · done" : message.truncated ? " · out of steps" : "");
      var item = document.createElement("li");
      item.setAttribute("data-testid", "progress-step");
      item.textContent = "Step " + message.step + ": " + message.status +
        (typeof message.reward === "number" ? " (reward " + message.reward.toFixed(3) + ")" : "");
      steps.appendChild(item);
    } else if (message.type === "episode_end") {
      summary.textContent = "Finished: score " + message.grade.score.toFixed(2) + (message.grade.passed ? " (passed)" : "");
    }
  });

  button.addEventListener("click", drive);
  document.getElementById("drill-driven").addEventListener("firedrill:message", function (event) {
    if (event.detail.type === "episode_end") note("episode_end → score " + event.detail.grade.score.toFixed(3));
    // A step event; the reply to a step request has the same type but carries the observation.
    if (event.detail.type === "step" && !("observation" in event.detail)) {
      note("event step " + event.detail.step + " → " + event.detail.status);
    }
  });
})();

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

  button.addEventListener("click", drive);
  document.getElementById("drill-driven").addEventListener("firedrill:message", function (event) {
    if (event.detail.type === "episode_end") note("episode_end → score " + event.detail.grade.score.toFixed(3));
  });
})();

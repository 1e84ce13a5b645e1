// AIDA chat: posts the question, reads the server-sent events as they stream, and shows the
// answer token by token, then its sources, "helpful?" and "talk to an officer".
(function () {
  "use strict";
  var root = document.getElementById("aida");
  if (!root) { return; }
  var form = document.getElementById("aida-form");
  var log = document.getElementById("aida-log");
  var tools = document.getElementById("aida-answer-tools");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function bubble(kind, text) {
    var div = document.createElement("div");
    div.className = "bubble bubble-" + kind;
    div.textContent = text;
    log.appendChild(div);
    div.scrollIntoView({ block: "end" });
    return div;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  // The figure card: values exactly as the store published them, with their source. It never
  // comes from the model, so it is drawn before the answer's words arrive.
  function figureCard(answer, card) {
    var box = element("section", "figure-card");
    if (card.status === "found") {
      var title = card.variable.title + (card.variable.unit ? " (" + card.variable.unit + ")" : "");
      box.appendChild(element("h3", "", title));
      var table = element("table");
      var head = table.createTHead().insertRow();
      [root.dataset.labelArea, root.dataset.labelPeriod, root.dataset.labelValue].forEach(function (label) {
        var cell = element("th", "", label);
        cell.scope = "col";
        head.appendChild(cell);
      });
      var body = table.createTBody();
      card.values.forEach(function (value) {
        var row = body.insertRow();
        row.insertCell().textContent = value.area;
        row.insertCell().textContent = value.period;
        var cell = row.insertCell();
        cell.className = "number";
        cell.textContent = value.shown;
      });
      box.appendChild(table);
      card.sources.forEach(function (source) {
        var line = element("p", "figure-source", root.dataset.labelSource + " " + source.title + " (" + source.publisher + ")");
        if (source.demo) {
          box.appendChild(element("p", "figure-demo", source.note));
        }
        box.appendChild(line);
      });
      if (card.missing.length) {
        box.appendChild(element("p", "muted", root.dataset.labelMissing + " " + card.missing.join(", ")));
      }
      card.notes.forEach(function (note) { box.appendChild(element("p", "muted", note)); });
    } else if (card.status === "not_held" && card.nearest) {
      box.appendChild(element("p", "muted", card.nearest));
    }
    if (card.choices.length) {
      var choices = element("div", "figure-choices");
      card.choices.forEach(function (choice) {
        var button = element("button", "secondary", choice.label);
        button.type = "button";
        button.addEventListener("click", function () { ask(choice.question); });
        choices.appendChild(button);
      });
      box.appendChild(choices);
    }
    if (box.childNodes.length) { answer.insertBefore(box, answer.firstChild); }
  }

  // Without the model's words, the knowledge found is the answer: a readable card per entry
  // (its title leading to the whole entry, and how it begins) instead of numbered links.
  function knowledgeCards(answer, sources) {
    var list = element("div", "knowledge-cards");
    sources.forEach(function (source) {
      var card = element("article", "knowledge-card");
      var link = element("a", "", source.title);
      link.href = "/aida/pengetahuan/" + source.slug + "/";
      var title = element("h3");
      title.appendChild(link);
      card.appendChild(title);
      if (source.excerpt) { card.appendChild(element("p", "", source.excerpt)); }
      list.appendChild(card);
    });
    answer.appendChild(list);
  }

  function finish(answer, done) {
    var box = tools.content.firstElementChild.cloneNode(true);
    var sources = box.querySelector(".sources");
    if (done.degraded && done.sources && done.sources.length) {
      knowledgeCards(answer, done.sources);
    } else {
      (done.sources || []).forEach(function (source, index) {
        var link = document.createElement("a");
        link.href = "/aida/pengetahuan/" + source.slug + "/";
        link.textContent = "[" + (index + 1) + "] " + source.title;
        sources.appendChild(link);
      });
    }
    var handoff = box.querySelector(".handoff");
    handoff.action = done.handoff;
    if (done.handoff_first) {
      handoff.querySelector("button").classList.remove("secondary");
      box.insertBefore(handoff, box.firstChild);
    }
    box.querySelectorAll("[data-helpful]").forEach(function (button) {
      button.addEventListener("click", function () {
        var body = new URLSearchParams({ helpful: button.dataset.helpful });
        fetch("/aida/jawaban/" + done.message + "/nilai/", { method: "POST", body: body,
          headers: { "X-CSRFToken": csrf } });
        box.querySelector(".helpful").textContent = "✓";
      });
    });
    answer.appendChild(box);
    root.dataset.conversation = done.conversation;
    // The answer is read from its beginning, not from the buttons under it.
    answer.scrollIntoView({ block: "start" });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var field = form.querySelector("textarea");
    var question = field.value.trim();
    if (!question) { return; }
    field.value = "";
    ask(question);
  });

  function ask(question) {
    bubble("user", question);
    var answer = bubble("assistant", "");
    var text = document.createElement("span");
    answer.appendChild(text);
    var body = new URLSearchParams({ question: question, conversation: root.dataset.conversation || "" });
    fetch(root.dataset.askUrl, { method: "POST", body: body, headers: { "X-CSRFToken": csrf } })
      .then(function (response) {
        if (!response.ok) {
          return response.json().then(function (data) {
            var errors = data.errors || {};
            text.textContent = Object.keys(errors).map(function (key) { return errors[key].join(" "); }).join(" ");
          });
        }
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var buffer = "";
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) { return; }
            buffer += decoder.decode(chunk.value, { stream: true });
            var events = buffer.split("\n\n");
            buffer = events.pop();
            events.forEach(function (raw) {
              var data = raw.split("\n").filter(function (line) { return line.indexOf("data: ") === 0; })
                .map(function (line) { return line.slice(6); }).join("");
              if (!data) { return; }
              var message = JSON.parse(data);
              if (message.type === "figures") { figureCard(answer, message); }
              if (message.type === "token") { text.textContent += message.text; }
              if (message.type === "replace") { text.textContent = message.text; }
              if (message.type === "done") { finish(answer, message); }
            });
            return pump();
          });
        }
        return pump();
      });
  }
})();

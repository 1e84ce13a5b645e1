// A consultation's page follows what the other side does: when the bell's socket brings a
// notification about this consultation, the page fetches itself again and swaps in the fresh
// status, time, actions and history. If the person has started typing in one of its forms,
// nothing they typed is replaced: a notice offers to reload instead.
(function () {
  "use strict";
  var root = document.getElementById("consultation");
  if (!root || !window.fetch || !window.DOMParser) { return; }
  var notice = document.getElementById("consultation-changed");
  var announcer = document.getElementById("consultation-announcer");

  function typing() {
    return Array.prototype.some.call(root.querySelectorAll("textarea, input, select"), function (field) {
      if (field.tagName === "SELECT") { return !field.options[field.selectedIndex].defaultSelected; }
      if (field.type === "hidden" || field.type === "checkbox" || field.type === "radio") { return false; }
      return field.value !== field.defaultValue;
    });
  }

  function refresh() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("consultation");
        if (!fresh) { return; }
        if (typing()) { notice.hidden = false; return; }
        root.innerHTML = fresh.innerHTML;
        notice.hidden = true;
        announcer.textContent = root.querySelector("#status").textContent;  // read out by screen readers
      });
  }

  document.addEventListener("halopst:notification", function (event) {
    var link = new URL(event.detail.link || "/", window.location.href);
    if (link.pathname.indexOf(root.getAttribute("data-live-path")) === 0) { refresh(); }
  });
})();

// A page that follows what the other side does (a consultation, a conversation): when the
// bell's socket says something changed at this page's address (a notification, or a plain
// "changed"), the page fetches itself again and swaps in the fresh part. If the person has
// started typing in one of its forms, nothing they typed is replaced: a notice offers to
// reload instead.
(function () {
  "use strict";
  var root = document.querySelector("[data-live-path]");
  if (!root || !window.fetch || !window.DOMParser) { return; }
  var notice = document.getElementById("live-changed");
  var announcer = document.getElementById("live-announcer");

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
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(root.id);
        if (!fresh) { return; }
        if (typing()) { notice.hidden = false; return; }
        root.innerHTML = fresh.innerHTML;
        notice.hidden = true;
        var news = root.querySelector("[data-live-announce]");  // read out by screen readers
        if (news) { announcer.textContent = news.textContent; }
      });
  }

  function follow(event) {
    var link = new URL(event.detail.link || "/", window.location.href);
    if (link.pathname.indexOf(root.getAttribute("data-live-path")) === 0) { refresh(); }
  }
  document.addEventListener("halopst:notification", follow);
  document.addEventListener("halopst:changed", follow);
})();

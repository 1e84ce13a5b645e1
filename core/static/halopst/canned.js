// A ready answer, tapped, goes into the reply box at the cursor, to be edited before sending.
// Without script the list still shows the answers' titles; nothing is sent by tapping one.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-canned]") : null;
    var box = document.getElementById("id_reply_body");
    if (!button || !box) { return; }
    var at = box.selectionStart || box.value.length;
    box.value = box.value.slice(0, at) + button.getAttribute("data-canned") + box.value.slice(at);
    box.focus();
  });
})();

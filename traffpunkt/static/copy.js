/* "Copy" buttons beside a readonly field (the door link). Without JavaScript the button stays
   hidden and the field's text can be selected and copied by hand. */
"use strict";
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var field = document.getElementById(button.getAttribute("data-copy"));
  var status = document.getElementById(button.getAttribute("data-status"));
  if (!field) return;
  field.addEventListener("focus", function () { field.select(); });
  button.hidden = false;
  button.addEventListener("click", function () {
    field.select();
    var done = function () { if (status) status.textContent = button.getAttribute("data-done"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        if (status) status.textContent = button.getAttribute("data-failed");
      });
    } else if (document.execCommand && document.execCommand("copy")) {
      done(); // plain http on a LAN: the old way still works in most browsers
    } else if (status) {
      status.textContent = button.getAttribute("data-failed");
    }
  });
});

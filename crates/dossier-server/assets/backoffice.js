// The back-office's keyboard shortcuts, a progressive enhancement: every action they reach is a
// link or a form control of the page, which works without them. `?` lists them in a dialog.
// Keys are ignored while typing in a field (but Ctrl+Enter sends the form being written in) and
// with a modifier held, so the browser's and the screen reader's own keys keep working.
(function () {
  "use strict";
  var dialog = document.getElementById("bo-shortcuts");
  var opener = document.querySelector("[data-shortcuts-open]");

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function openHelp() {
    if (dialog && typeof dialog.showModal === "function" && !dialog.open) dialog.showModal();
  }

  if (opener && dialog && typeof dialog.showModal === "function") {
    opener.hidden = false;
    opener.addEventListener("click", openHelp);
  }

  function act(key) {
    var target = document.querySelector('[data-shortcut="' + key + '"]');
    if (!target) return false;
    if (target.type === "radio") {
      target.checked = true;
      target.dispatchEvent(new Event("change", { bubbles: true }));
      // Then the reason: a decision is a choice and a sentence.
      var form = target.form;
      var reason = form && form.querySelector("textarea");
      (reason || target).focus();
      if (form && form.scrollIntoView) form.scrollIntoView({ block: "center" });
    } else {
      target.click();
    }
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && typing(event.target)) {
      var form = event.target.form;
      if (form) {
        event.preventDefault();
        if (typeof form.requestSubmit === "function") form.requestSubmit();
        else form.submit();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (dialog && dialog.open) return;
    if (event.key === "?") {
      event.preventDefault();
      openHelp();
      return;
    }
    if (event.key.length === 1 && /[a-z]/.test(event.key) && !event.shiftKey) {
      if (act(event.key)) event.preventDefault();
    }
  });
})();

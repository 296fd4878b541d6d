// Dossier's pages without the script work the same; with it:
// - a `form[data-enhance]` posts in the background and the answer (a page with its errors, or the
//   next page after a redirect) replaces this one, without the blank flash of a navigation. Use it
//   only on forms whose answer stays on this site: if the request fails, the form is posted again
//   the ordinary way;
// - a `form[data-upload]` sends its files showing their progress (`data-upload-text`: the words
//   for it, with `{percent}`), then follows the answer the same way;
// - `[data-session-expires-at]` warns two minutes before the session ends and offers to extend it.
(function () {
  "use strict";

  var busy = false;
  // The address of the page shown, without its fragment (see popstate below).
  var shown = location.href.split("#")[0];

  // Shows an HTML answer in place of this page: its body, title and language (the head's
  // stylesheet, script and theme stay: they are the same on every page). `url` is where a
  // redirect led, if one did: the address bar follows it.
  function show(html, url) {
    // The answer's <style> carries another nonce than this page's: parsing it would be reported
    // as a violation of this page's CSP, and the head is not used anyway.
    html = html.replace(/<style[\s\S]*?<\/style>/gi, "");
    var next = new DOMParser().parseFromString(html, "text/html");
    if (url && url !== location.href) {
      history.pushState(null, "", url);
    }
    shown = location.href.split("#")[0];
    document.title = next.title;
    document.documentElement.lang = next.documentElement.lang;
    document.body.replaceWith(document.adoptNode(next.body));
    window.scrollTo(0, 0);
    var target = document.querySelector("[data-error-summary]") || document.querySelector("h1");
    if (target) {
      if (!target.hasAttribute("tabindex")) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus();
    }
    watchSession();
  }

  function isHtml(contentType) {
    return /^text\/html/i.test(contentType || "");
  }

  // The ordinary post, as if the script were not there (the clicked button's value included).
  function postNormally(form, submitter) {
    if (submitter && submitter.name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = submitter.name;
      input.value = submitter.value;
      form.appendChild(input);
    }
    HTMLFormElement.prototype.submit.call(form);
  }

  function formBody(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) {
      data.append(submitter.name, submitter.value);
    }
    if (form.enctype === "multipart/form-data") {
      return data;
    }
    return new URLSearchParams(data);
  }

  function enhance(form, submitter) {
    fetch(form.action, {
      method: "POST",
      body: formBody(form, submitter),
      credentials: "same-origin",
      mode: "same-origin",
      redirect: "follow",
      headers: { Accept: "text/html" }
    }).then(function (response) {
      if (!isHtml(response.headers.get("Content-Type"))) {
        throw new Error("not a page");
      }
      return response.text().then(function (html) {
        show(html, response.redirected ? response.url : null);
      });
    }).catch(function () {
      postNormally(form, submitter);
    }).finally(function () {
      done(form);
    });
  }

  // Uploads with XMLHttpRequest: fetch cannot report upload progress.
  function upload(form, submitter) {
    var progress = document.createElement("progress");
    progress.max = 100;
    progress.value = 0;
    var status = form.querySelector("[data-upload-status]");
    if (!status) {
      status = document.createElement("p");
      status.className = "visually-hidden";
      status.setAttribute("aria-live", "polite");
      status.setAttribute("data-upload-status", "");
      form.appendChild(status);
    }
    form.appendChild(progress);
    var words = form.getAttribute("data-upload-text") || "{percent}%";
    var announced = -1;

    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "text/html");
    xhr.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable) {
        return;
      }
      var percent = Math.floor((event.loaded / event.total) * 100);
      progress.value = percent;
      // Every 25%: more would be a screen reader talking over itself.
      var step = Math.floor(percent / 25) * 25;
      if (step > announced) {
        announced = step;
        status.textContent = words.replace("{percent}", String(step));
      }
    });
    xhr.addEventListener("load", function () {
      done(form);
      if (isHtml(xhr.getResponseHeader("Content-Type"))) {
        var redirected = xhr.responseURL !== new URL(form.action, location.href).href;
        show(xhr.responseText, redirected ? xhr.responseURL : null);
      } else {
        progress.remove();
        postNormally(form, submitter);
      }
    });
    xhr.addEventListener("error", function () {
      done(form);
      progress.remove();
      postNormally(form, submitter);
    });
    xhr.send(formBody(form, submitter));
  }

  function done(form) {
    busy = false;
    form.removeAttribute("aria-busy");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var upgraded = form.hasAttribute("data-upload") || form.hasAttribute("data-enhance");
    if (!upgraded || form.method.toLowerCase() !== "post" || !window.fetch) {
      return;
    }
    event.preventDefault();
    // A second click while the first post is on its way would send it twice.
    if (busy) {
      return;
    }
    busy = true;
    form.setAttribute("aria-busy", "true");
    var submitter = event.submitter || null;
    if (form.hasAttribute("data-upload") && form.querySelector("input[type=file]")) {
      upload(form, submitter);
    } else {
      enhance(form, submitter);
    }
  });

  // Session expiry warning.
  var warnTimer = null;
  var endTimer = null;
  var dialog = null;
  var focusBefore = null;

  function expiry(source) {
    // Date.parse reads milliseconds at most: trim longer fractions of RFC 3339 times.
    var text = (source.getAttribute("data-session-expires-at") || "").replace(/(\.\d{3})\d+/, "$1");
    return Date.parse(text);
  }

  function watchSession() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    if (dialog) {
      dialog.remove();
      dialog = null;
    }
    var source = document.querySelector("[data-session-expires-at]");
    if (!source) {
      return;
    }
    var end = expiry(source);
    if (isNaN(end)) {
      return;
    }
    warnTimer = setTimeout(function () { warn(source); }, Math.max(0, end - 120000 - Date.now()));
    endTimer = setTimeout(function () { ended(source); }, Math.max(0, end - Date.now()));
  }

  function say(source, key) {
    return source.getAttribute("data-text-" + key) || "";
  }

  function warn(source) {
    dialog = document.createElement("div");
    dialog.className = "session-dialog";
    dialog.setAttribute("role", "alertdialog");
    dialog.setAttribute("aria-modal", "false");
    dialog.setAttribute("aria-labelledby", "session-dialog-text");
    var text = document.createElement("p");
    text.id = "session-dialog-text";
    text.textContent = say(source, "warning");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = say(source, "extend");
    button.addEventListener("click", function () { extend(source, text, button); });
    dialog.appendChild(text);
    dialog.appendChild(button);
    document.body.appendChild(dialog);
    focusBefore = document.activeElement;
    button.focus();
  }

  function extend(source, text, button) {
    var token = document.querySelector("[data-csrf]");
    var body = new URLSearchParams();
    body.append("_csrf", token ? token.getAttribute("data-csrf") : "");
    button.disabled = true;
    fetch(source.getAttribute("data-session-extend-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("not extended");
      }
      return response.json();
    }).then(function (answer) {
      source.setAttribute("data-session-expires-at", answer.expires_at);
      watchSession();
      if (focusBefore && document.body.contains(focusBefore)) {
        focusBefore.focus();
      }
      // Said in a live region, so the confirmation is heard once the dialog is gone.
      var note = document.createElement("p");
      note.className = "visually-hidden";
      note.setAttribute("role", "status");
      document.body.appendChild(note);
      setTimeout(function () { note.textContent = say(source, "extended"); }, 50);
      setTimeout(function () { note.remove(); }, 10000);
    }).catch(function () {
      text.textContent = say(source, "expired");
      button.remove();
    });
  }

  function ended(source) {
    if (!dialog) {
      warn(source);
    }
    var text = dialog.querySelector("p");
    text.textContent = say(source, "expired");
    var button = dialog.querySelector("button");
    if (button) {
      button.remove();
    }
  }

  window.addEventListener("popstate", function () {
    // Back or forward to another page than the one the script put in place: ask the server for
    // it. A move between fragments of this page (the error summary's links) is left alone.
    if (location.href.split("#")[0] !== shown) {
      location.reload();
    }
  });

  watchSession();
})();

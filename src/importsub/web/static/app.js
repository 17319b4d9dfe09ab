// importsub: small progressive enhancements; everything works without this file.
"use strict";
document.addEventListener("htmx:responseError", function (evt) {
  var box = document.createElement("p");
  box.className = "error card";
  box.setAttribute("role", "alert");
  box.textContent = (evt.detail.xhr && evt.detail.xhr.status ? evt.detail.xhr.status + ": " : "") + (evt.detail.xhr ? evt.detail.xhr.statusText : "error");
  var main = document.querySelector("main");
  if (main) { main.prepend(box); }
});

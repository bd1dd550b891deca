// The console's few behaviours. Loaded as a file (the CSP runs no inline script); member data
// is only ever set with textContent.
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("button.copy") : null;
  if (!button) return;
  const text = button.getAttribute("data-copy") || "";
  const done = (label) => {
    const before = button.textContent;
    button.textContent = label;
    setTimeout(() => { button.textContent = before; }, 1500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(() => done("Copied"), () => done("Copy failed"));
  } else {
    // Plain HTTP: select the link's text so the operator can copy it by hand.
    const link = button.parentElement && button.parentElement.querySelector(".invite-url");
    if (link) {
      const range = document.createRange();
      range.selectNodeContents(link);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      done("Selected: press Ctrl+C");
    }
  }
});

// What cannot be taken back (a refund, a ban, cancelling an event, retiring a live code …)
// asks first: its form says what will happen in data-confirm.
document.addEventListener("submit", (event) => {
  const form = event.target instanceof HTMLFormElement ? event.target : null;
  const question = form ? form.getAttribute("data-confirm") : null;
  if (question && !window.confirm(question)) event.preventDefault();
});

// A session that ended while the overview refreshed: go to the sign-in page instead of
// showing it inside the numbers panel.
document.addEventListener("htmx:beforeSwap", (event) => {
  const xhr = event.detail && event.detail.xhr;
  if (xhr && xhr.responseURL && new URL(xhr.responseURL).pathname === "/console/sign-in") {
    event.detail.shouldSwap = false;
    window.location.assign(xhr.responseURL);
  }
});

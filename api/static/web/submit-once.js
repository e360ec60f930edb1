/* A form marked data-confirm asks first, with its words (a step that cannot be undone: deciding or publishing a
   cycle, closing a period, answering an appeal, a recusal); cancelled, nothing is sent.
   A form marked data-submit-once sends once: its submit buttons are disabled as it goes, so a double click
   makes one request (the case's version in the form refuses a second one anyway). */
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset.confirm && form.dataset.sending !== "yes" && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  if (!form.matches("form[data-submit-once]")) return;
  if (form.dataset.sending === "yes") { event.preventDefault(); return; }
  form.dataset.sending = "yes";
  setTimeout(() => form.querySelectorAll("button[type=submit]").forEach((b) => {
    b.disabled = true; b.setAttribute("aria-busy", "true");
  }), 0);
});

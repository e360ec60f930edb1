/* A form marked data-submit-once sends once: its submit buttons are disabled as it goes, so a double click
   makes one request (the case's version in the form refuses a second one anyway). */
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-submit-once]")) return;
  if (form.dataset.sending === "yes") { event.preventDefault(); return; }
  form.dataset.sending = "yes";
  setTimeout(() => form.querySelectorAll("button[type=submit]").forEach((b) => {
    b.disabled = true; b.setAttribute("aria-busy", "true");
  }), 0);
});

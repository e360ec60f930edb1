/* The bulk form beside a list of cases: the events it offers narrow to those every ticked case offers
   (each tick box lists its case's in data-events); "tick every case" ticks them all. Without this script every
   event offered by some case stays choosable, and the service refuses it, case by case, where it does not apply. */
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("bulk-form");
  if (!form) return;
  const ticks = () => Array.from(document.querySelectorAll("input[form=bulk-form][data-events]"));
  const select = form.querySelector("select");
  const narrow = () => {
    const ticked = ticks().filter((box) => box.checked);
    const allowed = ticked.length === 0 ? null : ticked
      .map((box) => new Set(box.dataset.events.split(" ")))
      .reduce((common, events) => new Set([...common].filter((e) => events.has(e))));
    select.querySelectorAll("option").forEach((option) => {
      option.disabled = option.value !== "" && allowed !== null && !allowed.has(option.value);
    });
    if (select.selectedOptions[0] && select.selectedOptions[0].disabled) select.value = "";
  };
  document.querySelectorAll("input[data-select-all]").forEach((all) => all.addEventListener("change", () => {
    ticks().forEach((box) => { box.checked = all.checked; });
    narrow();
  }));
  ticks().forEach((box) => box.addEventListener("change", narrow));
  narrow();
});

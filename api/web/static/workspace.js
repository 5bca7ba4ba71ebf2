// Progressive enhancement only: every page reads and every form posts without this script.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // A refused form: focus moves to what went wrong, so a keyboard or screen-reader user starts from there.
  const problem = document.querySelector("main .problem, main [aria-invalid=true]");
  if (problem) problem.focus();
  for (const button of document.querySelectorAll("button.print")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
  const draft = document.querySelector("form.draft");
  if (draft) {
    let timer = null;
    draft.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => showFindings(draft), 400);
    });
  }
});

// (form.action would name the form's "action" buttons, hence getAttribute.)
// Ask the server for the SMART findings of the terms typed so far (nothing is stored) and show them beside the fields.
async function showFindings(form) {
  const body = new FormData(form);
  body.set("action", "check");
  const answer = await fetch(form.getAttribute("action"), {method: "POST", body, headers: {"X-Workspace-Preview": "1"}});
  const page = new DOMParser().parseFromString(await answer.text(), "text/html");
  for (const slot of document.querySelectorAll("[data-findings-for], #smart-summary")) {
    const fresh = slot.id ? page.getElementById(slot.id)
                          : page.querySelector(`[data-findings-for="${slot.dataset.findingsFor}"]`);
    slot.innerHTML = fresh ? fresh.innerHTML : "";
  }
}

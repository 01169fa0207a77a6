// Question pages (progressive enhancement; the page works without it):
// - a follow-up appears as soon as its condition holds, evaluated as app/assessment/conditions.py does;
// - the error summary takes the focus, and its links move the focus to the question's first input.
(() => {
  "use strict";

  // Numbers as people type them (app/domain/numbers.py): 1.234,5 or 1,234.5 or 3,5.
  const plainNumber = (text) => {
    text = text.replace(/[\s\u00a0]/g, "");
    if (/^\d{1,3}(\.\d{3})+$/.test(text)) return text.replace(/\./g, "");
    if (/^\d{1,3}(,\d{3})+$/.test(text)) return text.replace(/,/g, "");
    if (text.includes(",") && text.includes(".")) {
      return text.lastIndexOf(",") > text.lastIndexOf(".") ? text.replace(/\./g, "").replace(",", ".") : text.replace(/,/g, "");
    }
    return text.replace(",", ".");
  };

  // The answer a block holds, as the server would store it (null when blank or unreadable).
  const answerOf = (block) => {
    const inputs = [...block.querySelectorAll("input[name^='q_']")];
    const type = block.dataset.type;
    if (type === "multiple") {
      const values = inputs.filter((i) => i.checked).map((i) => i.value);
      return values.length ? values : null;
    }
    if (type === "number") {
      const text = plainNumber(inputs[0].value.trim());
      const value = text === "" ? NaN : Number(text);
      return Number.isFinite(value) ? value : null;
    }
    const chosen = inputs.find((i) => i.checked);
    if (!chosen) return null;
    return type === "scale" ? Number(chosen.value) : chosen.value;
  };

  const holds = (condition, answers) => {
    if (!condition) return true;
    if (condition.all) return condition.all.every((c) => holds(c, answers));
    if (condition.any) return condition.any.some((c) => holds(c, answers));
    if (condition.not) return !holds(condition.not, answers);
    const test = condition.answer;
    const value = answers[test.question] ?? null;
    if ("answered" in test) return (value !== null && value !== "" && !(Array.isArray(value) && !value.length)) === test.answered;
    if (value === null) return false;
    if ("equals" in test) return value === test.equals;
    if ("in" in test) return test.in.includes(value);
    if ("includes" in test) return Array.isArray(value) && value.includes(test.includes);
    if ("at_least" in test) return typeof value === "number" && value >= test.at_least;
    return false;
  };

  const form = document.querySelector("form[data-questions]");
  if (form) {
    const blocks = [...form.querySelectorAll("[data-question]")];
    const earlier = JSON.parse(form.dataset.earlier || "{}");
    // In order, as the server does: a hidden question's answer is not read by later conditions.
    const update = () => {
      const seen = { ...earlier };
      for (const block of blocks) {
        const condition = block.dataset.condition ? JSON.parse(block.dataset.condition) : null;
        const shown = holds(condition, seen);
        block.hidden = !shown;
        if (shown) {
          const value = answerOf(block);
          if (value !== null) seen[block.dataset.question] = value;
        }
      }
    };
    // With the follow-up revealed in place, the words saying when to answer it are not needed.
    form.querySelectorAll("[data-when]").forEach((note) => (note.hidden = true));
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
  }

  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", (event) => {
      const link = event.target.closest("a[href^='#']");
      const input = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!input) return;
      event.preventDefault();
      const block = input.closest("[data-question]");
      const heading = block && block.querySelector("legend, label");
      input.focus({ preventScroll: true });
      (heading || input).scrollIntoView({ block: "start" });
    });
  }
})();

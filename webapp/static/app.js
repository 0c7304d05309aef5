// Progressive enhancement only: every page works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  // as formatted text (a title in italics stays in italics in a word processor) and as plain text
  const text = source.innerText.trim();
  const copied = window.ClipboardItem
    ? navigator.clipboard.write([new ClipboardItem({
      "text/html": new Blob([source.innerHTML.trim()], { type: "text/html" }),
      "text/plain": new Blob([text], { type: "text/plain" }),
    })])
    : navigator.clipboard.writeText(text);
  copied.then(() => {
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = "Copy"; }, 2000);
  });
});

// A part of a page that costs a search of its own (related documents, formatted citations) is
// fetched when it comes near the screen: the element of the same id in that page replaces it.
async function loadFragment(element) {
  const response = await fetch(element.dataset.fragment);
  if (!response.ok) return;
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fragment = page.getElementById(element.id);
  if (fragment) element.replaceWith(document.importNode(fragment, true));
}

const fragments = new IntersectionObserver((seen) => {
  for (const entry of seen) {
    if (!entry.isIntersecting) continue;
    fragments.unobserve(entry.target);
    loadFragment(entry.target);
  }
}, { rootMargin: "400px" });
document.querySelectorAll("[data-fragment]").forEach((element) => fragments.observe(element));

// A search submits only what was chosen: no empty dates, no default order in the address.
document.querySelectorAll("form.search").forEach((form) => form.addEventListener("submit", () => {
  form.querySelectorAll("input[name], select[name]").forEach((field) => {
    if (field.value === "" || (field.name === "sort" && field.value === "relevance")) field.disabled = true;
  });
}));
// Fields disabled for a submit are enabled again when the page comes back from the history.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form.search [disabled]").forEach((field) => { field.disabled = false; });
});

// The reader opened from a search: its matches (the <mark>s of the text and notes) can be stepped
// through, and without a place in the address it opens at the first one.
const matchNav = document.querySelector("nav.matches");
if (matchNav) {
  // the text's own marks: not those of a note's preview, hidden until its marker is hovered
  const marks = [...document.querySelectorAll(".text mark")].filter((mark) => !mark.closest(".note-preview"));
  const count = matchNav.querySelector(".match-count");
  let current = -1;
  const show = (at) => {
    current = (at + marks.length) % marks.length;
    marks.forEach((mark) => mark.classList.remove("current"));
    marks[current].classList.add("current");
    marks[current].scrollIntoView({ block: "center" });
    count.textContent = `Match ${current + 1} of ${marks.length}`;
  };
  if (marks.length) {
    matchNav.hidden = false;
    count.textContent = `${marks.length} ${marks.length === 1 ? "match" : "matches"}`;
    matchNav.addEventListener("click", (event) => {
      const step = event.target.closest("[data-match]");
      if (!step) return;
      if (current < 0) {  // from where the reader is: the first match below the top of the screen
        const below = marks.findIndex((mark) => mark.getBoundingClientRect().top > 0);
        current = step.dataset.match === "1" ? (below < 0 ? 0 : below) - 1 : (below < 0 ? marks.length : below);
      }
      show(current + Number(step.dataset.match));
    });
    if (!location.hash) show(0);
  }
}

// Progressive enhancement only: every page works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.innerText.trim()).then(() => {
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

// Progressive enhancement for share links: a copy button and the browser's share sheet.
// Without JavaScript the link stays selectable in its text field.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-copy-button]").forEach((button) => {
    const field = button.closest(".share-links")?.querySelector("[data-copy-source]");
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(field.value);
      button.textContent = button.dataset.copiedLabel || "✓";
    });
  });
  if (navigator.share) {
    document.querySelectorAll("[data-web-share]").forEach((button) => {
      button.hidden = false;
      button.addEventListener("click", () => {
        navigator.share({ title: button.dataset.title, url: button.dataset.url }).catch(() => {});
      });
    });
  }
});

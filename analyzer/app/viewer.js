// The review page's document viewer (see viewer.py): escaped HTML in, actions out.
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let root = parentElement.querySelector(".sl-root");
  if (!root) {
    root = document.createElement("div");
    root.className = "sl-root";
    parentElement.appendChild(root);
  }
  if (root.dataset.version !== data.version) {
    root.innerHTML = data.legend + data.html;  // built and escaped in Python
    root.dataset.version = data.version;
    root.dataset.selected = "";
  }
  const paper = root.querySelector(".sl-paper");
  const send = (action) => { action.t = Date.now(); setTriggerValue("action", action); };

  const selected = data.selected || "";
  if (root.dataset.selected !== selected) {
    root.querySelectorAll("mark.sel").forEach((m) => m.classList.remove("sel"));
    if (selected) {
      const marks = root.querySelectorAll(`mark[data-ids~="${CSS.escape(selected)}"]`);
      marks.forEach((m) => m.classList.add("sel"));
      if (marks.length && paper) {
        const top = marks[0].offsetTop - paper.clientHeight / 3;
        paper.scrollTo({ top: Math.max(0, top), behavior: "instant" });
      }
    }
    root.dataset.selected = selected;
  }

  const selectionOf = () =>
    parentElement.getSelection ? parentElement.getSelection() : window.getSelection();
  root.onclick = (event) => {
    const mark = event.target.closest("mark[data-ids]");
    const picked = selectionOf();
    if (!mark || (picked && String(picked).length > 0)) return;
    const ids = mark.dataset.ids.split(" ").filter(Boolean);
    if (!ids.length) return;
    // A click on overlapping findings cycles through them.
    const at = ids.indexOf(root.dataset.selected);
    send({ type: "select", id: ids[(at + 1) % ids.length] });
  };

  const offsetOf = (node, offset) => {
    const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    const piece = element && element.closest("[data-o]");
    if (!piece) return null;
    return Number(piece.dataset.o) + (node.nodeType === Node.TEXT_NODE ? offset : 0);
  };
  root.onmouseup = () => {
    const picked = selectionOf();
    if (!picked || picked.rangeCount === 0 || picked.isCollapsed) return;
    const range = picked.getRangeAt(0);
    const start = offsetOf(range.startContainer, range.startOffset);
    const end = offsetOf(range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start || end - start > 2000) return;
    send({ type: "span", start: start, end: end });
  };

  const reasons = data.reasons || [];
  // X's pending reason prompt outlives this call: the rerun after the previous decision may
  // mount the viewer afresh while X waits, and must neither drop the reason key nor leave an
  // orphaned timer that records "no reason" later.
  const keys = window.__scopelensX || (window.__scopelensX = { pending: null });
  const prompt = (text) => {
    let box = root.querySelector(".sl-prompt");
    if (!text) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.className = "sl-prompt";
      root.prepend(box);
    }
    box.textContent = text;
  };
  const dismiss = (reason) => {
    if (keys.pending) clearTimeout(keys.pending.timer);
    keys.pending = null;
    prompt("");
    send({ type: "key", key: "x", reason: reason });
  };
  keys.dismiss = dismiss;  // a timer started before a redraw calls the current viewer
  if (keys.pending) prompt(keys.pending.text);  // the redraw dropped the prompt box
  const helpText = "Keys: J next · K previous · N next open finding · [ ] previous / next " +
    "document · Y confirm · " +
    "X dismiss, then a reason key · R relabel · U undo your last decision · ? this help";

  if (window.__scopelensKeys) window.removeEventListener("keydown", window.__scopelensKeys, true);
  const onKey = (event) => {
    if (!root.isConnected) { window.removeEventListener("keydown", onKey, true); return; }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.composedPath()[0];
    const tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    const closedCombo = tag === "input" && target.getAttribute("role") === "combobox" &&
      target.getAttribute("aria-expanded") !== "true";
    const typing = (tag === "input" && !closedCombo) || tag === "textarea" || tag === "select" ||
      (target && target.isContentEditable);
    if (typing) return;
    const key = event.key.toLowerCase();
    if (keys.pending) {
      event.preventDefault(); event.stopPropagation();
      if (key === "escape") {
        clearTimeout(keys.pending.timer); keys.pending = null; prompt(""); return;
      }
      const n = Number(event.key);
      if (Number.isInteger(n) && n >= 1 && n <= reasons.length) { dismiss(n); return; }
      dismiss(null);
      return;
    }
    if (!["j", "k", "n", "y", "x", "r", "u", "?", "[", "]"].includes(key)) return;
    event.preventDefault(); event.stopPropagation();
    if (closedCombo) target.blur();
    if (key === "?") { prompt(root.querySelector(".sl-prompt") ? "" : helpText); return; }
    if (key === "x") {
      const text = "Dismiss — reason? " + reasons.map((r, i) => `${i + 1} ${r}`).join(" · ") +
        " · Enter: no reason · Esc: cancel";
      prompt(text);
      keys.pending = { text: text, timer: setTimeout(() => keys.dismiss(null), 2500) };
      return;
    }
    send({ type: "key", key: key });
  };
  window.__scopelensKeys = onKey;
  window.addEventListener("keydown", onKey, true);

  // After a dropdown or toggle closes, hand the keys back to the page.
  const active = document.activeElement;
  const handsBack = 'input[role="combobox"], [role="switch"], input[type="checkbox"]';
  if (active && active.matches && active.matches(handsBack)) {
    active.blur();
  }
}

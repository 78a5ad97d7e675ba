// The editor's page: send the draft to /v1/suggest, show the category and tags, let the
// editor adjust them, and copy a front-matter snippet in the blog's style.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const draft = $("draft");
  const message = $("message");
  const status = $("status");
  const results = $("results");
  const EXPLAIN = 5;
  const AUTO_DELAY_MS = 800;
  const MAX_FILE_BYTES = 1024 * 1024;

  // What the editor is building: the chosen category and tags (in order), plus the last
  // answer for scores and reasons.
  const state = { answer: null, category: null, tags: [], request: 0 };
  let autoTimer = null;

  function showMessage(text) {
    message.textContent = text;
    message.hidden = !text;
  }

  function percent(score) {
    return Math.round(score * 100) + "%";
  }

  function el(tag, props, children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const child of children || []) node.append(child);
    return node;
  }

  // The blog writes labels as JSON strings in a flow list: categories: ["AI技術ガイド"]
  function flowList(labels) {
    return "[" + labels.map((l) => JSON.stringify(l)).join(", ") + "]";
  }

  function snippetText() {
    const categories = state.category ? [state.category] : [];
    return "categories: " + flowList(categories) + "\ntags: " + flowList(state.tags);
  }

  function scoreOf(label) {
    const all = (state.answer && state.answer.tag_candidates) || [];
    const found = all.find((t) => t.label === label);
    return found ? found.score : null;
  }

  function whyList(terms) {
    const list = el("ul", { className: "why" });
    if (!terms || !terms.length) {
      list.append(el("li", { className: "muted", textContent: "（この下書きから説明できる語はありません）" }));
      return list;
    }
    for (const t of terms) {
      list.append(el("li", {}, [el("span", { className: "term", textContent: t.label }),
        el("span", { className: "weight", textContent: t.score.toFixed(3) })]));
    }
    return list;
  }

  function renderCategory() {
    const answer = state.answer;
    const chosen = answer.categories.find((c) => c.label === state.category) || answer.category;
    $("category-label").textContent = chosen ? chosen.label : "（カテゴリなし）";
    $("category-score").textContent = chosen ? percent(chosen.score) : "";
    $("category-bar").style.width = chosen ? percent(chosen.score) : "0%";
    const why = (answer.explanations.category || {})[chosen ? chosen.label : ""];
    const whyButton = $("category-why");
    whyButton.hidden = !why;
    const holder = $("category-why-terms");
    holder.replaceChildren(...whyList(why).childNodes);
    holder.hidden = whyButton.getAttribute("aria-expanded") !== "true";

    const alternatives = $("alternatives");
    alternatives.replaceChildren();
    for (const c of answer.categories.slice(0, 4)) {
      if (c.label === state.category) continue;
      const button = el("button", { type: "button", className: "alternative",
        title: "このカテゴリにする" }, [
        el("span", { className: "alt-label", textContent: c.label }),
        el("span", { className: "bar small-bar" }, [el("span")]),
        el("span", { className: "score", textContent: percent(c.score) }),
      ]);
      button.querySelector(".small-bar span").style.width = percent(c.score);
      button.addEventListener("click", () => {
        state.category = c.label;
        render();
      });
      alternatives.append(el("li", {}, [button]));
    }
  }

  function renderTags() {
    const answer = state.answer;
    const tags = $("tags");
    tags.replaceChildren();
    if (!state.tags.length) {
      tags.append(el("li", { className: "muted small", textContent: "タグが選ばれていません" }));
    }
    for (const label of state.tags) {
      const score = scoreOf(label);
      const why = (answer.explanations.tags || {})[label];
      const chip = el("li", { className: "chip selected" });
      chip.dataset.label = label;
      chip.append(el("span", { className: "chip-label", textContent: label }));
      if (score !== null) chip.append(el("span", { className: "score", textContent: percent(score) }));
      let whyTerms = null; // shown under the chip, after its buttons
      if (why) {
        const whyButton = el("button", { type: "button", className: "chip-why",
          textContent: "?", title: "理由を表示" });
        whyButton.setAttribute("aria-label", label + " の理由");
        whyButton.setAttribute("aria-expanded", "false");
        const list = whyList(why);
        list.hidden = true;
        whyButton.addEventListener("click", () => {
          list.hidden = !list.hidden;
          whyButton.setAttribute("aria-expanded", String(!list.hidden));
        });
        chip.append(whyButton);
        whyTerms = list;
      }
      const remove = el("button", { type: "button", className: "chip-remove", textContent: "×",
        title: "外す" });
      remove.setAttribute("aria-label", label + " を外す");
      remove.addEventListener("click", () => {
        state.tags = state.tags.filter((t) => t !== label);
        render();
      });
      chip.append(remove);
      if (whyTerms) chip.append(whyTerms);
      tags.append(chip);
    }

    const candidates = $("candidates");
    candidates.replaceChildren();
    for (const c of answer.tag_candidates.slice(0, 12)) {
      if (state.tags.includes(c.label)) continue;
      const button = el("button", { type: "button", className: "chip candidate",
        title: "追加する" }, [
        el("span", { className: "chip-label", textContent: "+ " + c.label }),
        el("span", { className: "score", textContent: percent(c.score) }),
      ]);
      button.dataset.label = c.label;
      button.addEventListener("click", () => addTag(c.label));
      candidates.append(el("li", {}, [button]));
    }

    // The posts whose tags voted in the tag scores: a reason an editor can check.
    const similar = answer.explanations.similar_posts || [];
    $("similar-posts").replaceChildren(...similar.map((p) => el("li", {}, [
      el("span", { textContent: p.label + " " }),
      el("span", { className: "muted", textContent: percent(p.score) }),
    ])));
    $("similar").hidden = !similar.length;
  }

  function render() {
    if (!state.answer) return;
    renderCategory();
    renderTags();
    $("snippet").value = snippetText();
    $("copy-status").textContent = "";
    results.hidden = false;
  }

  function addTag(label) {
    label = label.trim();
    if (!label || state.tags.includes(label)) return;
    state.tags.push(label);
    render();
  }

  async function describeError(response) {
    let detail = "";
    try {
      const body = await response.json();
      detail = body.detail || "";
    } catch (e) {
      detail = "";
    }
    switch (response.status) {
      case 413:
        return "下書きが長すぎます。サーバーが受け付ける大きさを超えています（" + detail + "）。";
      case 422:
        return "入力を確認してください: " + (detail || "内容が正しくありません");
      case 503:
        return "モデルが読み込まれていないため提案できません。サーバーの管理者に連絡してください。" +
          (detail ? "（" + detail + "）" : "");
      default:
        return "サーバーでエラーが起きました（HTTP " + response.status + "）。" +
          (detail ? detail : "しばらくしてからもう一度お試しください。");
    }
  }

  async function suggest() {
    clearTimeout(autoTimer);
    const text = draft.value;
    if (!text.trim()) {
      showMessage("下書きが空です。本文を貼り付けるか、.md ファイルをドロップしてください。");
      results.hidden = true;
      return;
    }
    const body = JSON.stringify({ text: text, explain: EXPLAIN });
    const id = ++state.request;
    status.textContent = "提案を計算しています…";
    let response;
    try {
      response = await fetch("/v1/suggest", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: body,
      });
    } catch (e) {
      if (id === state.request) {
        status.textContent = "";
        showMessage("サーバーに接続できません。bunrui serve が動いているか確かめてください。");
      }
      return;
    }
    if (id !== state.request) return; // a newer request is on its way
    status.textContent = "";
    if (!response.ok) {
      showMessage(await describeError(response));
      return;
    }
    let answer;
    try {
      answer = await response.json();
    } catch (e) {
      showMessage("サーバーの応答を読めませんでした。もう一度お試しください。");
      return;
    }
    showMessage("");
    answer.explanations = answer.explanations || { category: {}, tags: {}, similar_posts: [] };
    state.answer = answer;
    state.category = answer.category ? answer.category.label : null;
    state.tags = answer.tags.map((t) => t.label);
    status.textContent = "提案しました。タグは × で外し、候補から追加できます。";
    render();
  }

  function scheduleSuggest() {
    clearTimeout(autoTimer);
    updateCount();
    if (draft.value.trim()) autoTimer = setTimeout(suggest, AUTO_DELAY_MS);
  }

  function updateCount() {
    $("char-count").textContent = draft.value.length.toLocaleString("ja-JP") + " 文字";
  }

  async function loadFile(file) {
    if (!file) return;
    if (!/\.(md|markdown|txt)$/i.test(file.name)) {
      showMessage("読み込めるのは .md / .markdown / .txt ファイルです（" + file.name + "）。");
      return;
    }
    if (file.size > MAX_FILE_BYTES) {
      showMessage("ファイルが大きすぎます（" + file.size.toLocaleString("ja-JP") +
        " バイト）。1 MiB までの下書きにしてください。");
      return;
    }
    try {
      draft.value = await file.text();
    } catch (e) {
      showMessage("ファイルを読めませんでした: " + file.name);
      return;
    }
    updateCount();
    suggest();
  }

  async function copySnippet() {
    const text = $("snippet").value;
    const done = (how) => { $("copy-status").textContent = how; };
    try {
      await navigator.clipboard.writeText(text);
      done("コピーしました");
      return;
    } catch (e) {
      // No clipboard permission (an http page on another host, a locked-down browser):
      // select the text so the browser's own copy works, or the editor presses Ctrl+C.
    }
    const snippet = $("snippet");
    snippet.focus();
    snippet.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (e) {
      copied = false;
    }
    done(copied ? "コピーしました" : "選択しました。Ctrl+C（⌘C）でコピーしてください");
  }

  async function loadModelInfo() {
    try {
      const response = await fetch("/v1/model");
      if (!response.ok) {
        $("model-info").textContent = "モデル: 読み込まれていません";
        return;
      }
      const info = await response.json();
      const training = info.card.training || {};
      const range = (training.date_range || []).filter(Boolean).join(" 〜 ");
      $("model-info").textContent = "モデル: " + (training.posts || "?") + " 記事で学習" +
        (range ? "（" + range + "）" : "");
      const labels = await (await fetch("/v1/labels")).json();
      $("known-tags").replaceChildren(...labels.tags.map((t) => el("option", { value: t.label })));
    } catch (e) {
      $("model-info").textContent = "";
    }
  }

  draft.addEventListener("input", scheduleSuggest);
  $("suggest-button").addEventListener("click", suggest);
  $("clear-button").addEventListener("click", () => {
    draft.value = "";
    updateCount();
    state.answer = null;
    results.hidden = true;
    showMessage("");
    status.textContent = "";
    draft.focus();
  });
  $("file-input").addEventListener("change", (e) => loadFile(e.target.files[0]));
  const zone = $("drop-zone");
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("dragging");
    loadFile(e.dataTransfer.files[0]);
  });
  $("category-why").addEventListener("click", () => {
    const button = $("category-why");
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    $("category-why-terms").hidden = !open;
  });
  $("tag-add").addEventListener("click", () => {
    addTag($("tag-input").value);
    $("tag-input").value = "";
  });
  $("tag-input").addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      addTag($("tag-input").value);
      $("tag-input").value = "";
    }
  });
  $("copy-button").addEventListener("click", copySnippet);
  loadModelInfo();
})();

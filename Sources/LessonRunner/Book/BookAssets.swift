/// The book's stylesheet and script, written into `assets/` beside the pages. No fonts, scripts
/// or images from elsewhere: the folder opens from disk and reads offline.
enum BookAssets {
  /// The stylesheet: a 70-character measure, a sidebar, light and dark colours
  /// (`prefers-color-scheme`) and a print layout.
  static let css = """
    :root {
      --paper: #fdfdfb; --ink: #1d1f21; --muted: #5c6166; --rule: #d9dcde; --panel: #f3f4f2;
      --accent: #1f5fa8; --pass: #1d7a33; --fail: #b3261e; --todo: #8a6100;
      --keyword: #a626a4; --type: #0e6c8a; --number: #986801; --string: #50a14f; --comment: #7c8187;
    }
    @media (prefers-color-scheme: dark) {
      :root {
        --paper: #1b1d1f; --ink: #e3e5e7; --muted: #a0a6ac; --rule: #3a3e42; --panel: #24272a;
        --accent: #79b0f0; --pass: #6cc47f; --fail: #f08a80; --todo: #e0b44a;
        --keyword: #d49be8; --type: #6fc3df; --number: #e5c07b; --string: #98c379; --comment: #8b939b;
      }
      img.picture.gray { filter: invert(0.92); }
    }
    * { box-sizing: border-box; }
    html { font-size: 17px; }
    body {
      margin: 0; background: var(--paper); color: var(--ink);
      font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
      line-height: 1.55;
    }
    a { color: var(--accent); }
    .layout { display: flex; min-height: 100vh; }
    nav.sidebar {
      flex: 0 0 17rem; background: var(--panel); border-right: 1px solid var(--rule);
      padding: 1rem; font-size: 0.9rem; position: sticky; top: 0; align-self: flex-start;
      max-height: 100vh; overflow-y: auto;
    }
    nav.sidebar .book-title { font-weight: 700; display: block; margin-bottom: 0.75rem; }
    nav.sidebar ol { list-style: none; padding: 0; margin: 0.5rem 0; }
    nav.sidebar li { margin: 0.2rem 0; }
    nav.sidebar li.current > a { font-weight: 700; color: var(--ink); }
    #search { width: 100%; padding: 0.35rem 0.5rem; font: inherit; border: 1px solid var(--rule);
      border-radius: 4px; background: var(--paper); color: var(--ink); }
    #search-results li { margin: 0.4rem 0; }
    #search-results .snippet { display: block; color: var(--muted); font-size: 0.85em; }
    main { flex: 1; min-width: 0; padding: 1.5rem 2rem 4rem; }
    article, nav.pager { max-width: 70ch; margin: 0 auto; }
    h1 { font-size: 1.8rem; line-height: 1.25; margin: 0.5rem 0 0.75rem; }
    h2 { font-size: 1.35rem; margin-top: 2rem; }
    h3 { font-size: 1.15rem; }
    .meta { color: var(--muted); }
    code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
      font-size: 0.86em; }
    p code, li code, td code { background: var(--panel); padding: 0.05em 0.25em; border-radius: 3px; }
    pre { background: var(--panel); border: 1px solid var(--rule); border-radius: 5px;
      padding: 0.6rem 0.8rem; overflow-x: auto; line-height: 1.4; }
    .cell { margin: 1.2rem 0; }
    .cell > pre.code { border-left: 4px solid var(--accent); margin-bottom: 0.3rem; }
    .cell.exercise > pre.code { border-left-color: var(--todo); }
    .output pre { background: transparent; border-style: dashed; margin: 0.3rem 0; }
    .output .label, .exercise-label { font-size: 0.8rem; color: var(--muted); text-transform: uppercase;
      letter-spacing: 0.04em; }
    .keyword { color: var(--keyword); } .type { color: var(--type); } .number { color: var(--number); }
    .string { color: var(--string); } .comment { color: var(--comment); font-style: italic; }
    ul.checks { list-style: none; padding-left: 0; margin: 0.3rem 0; font-size: 0.92rem; }
    ul.checks li { margin: 0.15rem 0; }
    .pass .mark { color: var(--pass); font-weight: 700; }
    .fail .mark { color: var(--fail); font-weight: 700; }
    .not-started .mark, .warning .mark { color: var(--todo); font-weight: 700; }
    .values { color: var(--muted); }
    figure { margin: 0.6rem 0; }
    img.picture { max-width: 100%; height: auto; border: 1px solid var(--rule); background: #fff; }
    img.picture.gray { image-rendering: pixelated; }
    figcaption { color: var(--muted); font-size: 0.9rem; }
    details { margin: 0.4rem 0; }
    summary { cursor: pointer; color: var(--accent); }
    .table { overflow-x: auto; }
    table { border-collapse: collapse; margin: 0.8rem 0; }
    th, td { border: 1px solid var(--rule); padding: 0.25rem 0.6rem; text-align: left; }
    blockquote { border-left: 3px solid var(--rule); margin-left: 0; padding-left: 1rem;
      color: var(--muted); }
    .notice { border: 1px solid var(--todo); border-radius: 5px; padding: 0.6rem 0.9rem;
      background: var(--panel); }
    form.quiz { border: 1px solid var(--rule); border-radius: 5px; padding: 0.6rem 0.9rem;
      margin: 1.2rem 0; }
    form.quiz fieldset { border: 0; padding: 0; margin: 0.4rem 0; }
    form.quiz label { display: block; }
    .quiz-result.right { color: var(--pass); font-weight: 700; }
    .quiz-result.wrong { color: var(--fail); font-weight: 700; }
    nav.pager { display: flex; justify-content: space-between; margin-top: 3rem;
      border-top: 1px solid var(--rule); padding-top: 1rem; }
    .chapter-list li { margin: 0.8rem 0; }
    .status { font-size: 0.85rem; color: var(--muted); }
    @media (max-width: 800px) {
      .layout { display: block; }
      nav.sidebar { position: static; max-height: none; border-right: 0;
        border-bottom: 1px solid var(--rule); }
      main { padding: 1rem; }
    }
    @media print {
      nav.sidebar, nav.pager, .quiz button, #search { display: none; }
      main { padding: 0; }
      body { background: #fff; color: #000; }
      pre { white-space: pre-wrap; border-color: #999; }
      details > *:not(summary) { display: block; }
      a { color: inherit; }
    }

    """

  /// The script: quizzes answered in the page, and the search box. Pages read without it (the
  /// answers are in folded `<details>`, and the search box stays hidden).
  static let javaScript = """
    "use strict";
    (function () {
      function grade(form) {
        var chosen = form.querySelector("input[type=radio]:checked");
        var typed = form.querySelector("input[type=text]");
        var right;
        if (form.dataset.kind === "choice") {
          if (!chosen) { return null; }
          right = chosen.value === form.dataset.answer;
        } else {
          var number = parseFloat((typed.value || "").replace(/,/g, ""));
          if (isNaN(number)) { return null; }
          right = Math.abs(number - parseFloat(form.dataset.answer)) <=
            parseFloat(form.dataset.tolerance);
        }
        return right;
      }
      document.querySelectorAll("form.quiz").forEach(function (form) {
        var button = form.querySelector("button.quiz-check");
        var result = form.querySelector(".quiz-result");
        button.hidden = false;
        form.addEventListener("submit", function (event) { event.preventDefault(); });
        button.addEventListener("click", function () {
          var right = grade(form);
          if (right === null) {
            result.textContent = "Choose an answer first.";
            result.className = "quiz-result";
            return;
          }
          result.textContent = right ? "✓ Right." : "✗ Not quite: read the explanation.";
          result.className = "quiz-result " + (right ? "right" : "wrong");
          form.querySelector("details.quiz-explanation").open = true;
        });
      });

      var box = document.getElementById("search");
      var list = document.getElementById("search-results");
      if (!box || !list || !window.BOOK_SEARCH) { return; }
      box.hidden = false;
      var base = document.body.dataset.root || "";
      box.addEventListener("input", function () {
        var words = box.value.toLowerCase().split(/\\s+/).filter(function (w) { return w; });
        list.textContent = "";
        if (words.length === 0) { return; }
        var found = 0;
        window.BOOK_SEARCH.forEach(function (section) {
          var text = section.text.toLowerCase();
          if (found >= 20 || !words.every(function (w) { return text.indexOf(w) >= 0; })) { return; }
          found += 1;
          var item = document.createElement("li");
          var link = document.createElement("a");
          link.href = base + section.url;
          link.textContent = section.title;
          var at = Math.max(0, text.indexOf(words[0]) - 40);
          var snippet = document.createElement("span");
          snippet.className = "snippet";
          snippet.textContent = (at > 0 ? "…" : "") + section.text.substr(at, 110) + "…";
          item.appendChild(link);
          item.appendChild(snippet);
          list.appendChild(item);
        });
        if (found === 0) {
          var none = document.createElement("li");
          none.textContent = "Nothing found.";
          list.appendChild(none);
        }
      });
    })();

    """
}

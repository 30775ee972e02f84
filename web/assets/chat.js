/* The web chat in the browser: the conversation (kept in this browser's localStorage, so it survives a
   reload), each answer with its own citation cards and feedback, the clause viewer, the library's search,
   and the Markdown export. Text from a question or a document only ever goes in as text nodes. */
(() => {
  const UI = window.POLICY_UI;  // labels and example questions (web/labels.py)
  const STORE = 'policy-assistant.conversation.v1';
  const LANG = 'policy-assistant.lang';
  const KEPT = 40;  // answers kept; older ones are dropped from the browser's storage

  let lang = 'zh';
  let messages = load();
  let pending = null;  // the question being answered: {asked, draft} or {asked, error}
  const status = new Map();  // answer id -> what its feedback controls last said
  const drafts = new Map();  // answer id -> comment typed but not saved yet

  function T(key, values) {
    let s = (UI.text[lang] || UI.text.zh)[key] || key;
    for (const [k, v] of Object.entries(values || {})) s = s.split('{' + k + '}').join(String(v));
    return s;
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c);
    return e;  // strings are appended as text nodes, never parsed
  }

  // --- storage ---------------------------------------------------------------------------------------
  function load() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORE) || '[]');
      return Array.isArray(saved) ? saved.filter((m) => m && typeof m.id === 'string' && typeof m.text === 'string'
        && Array.isArray(m.citations)) : [];
    } catch (e) {
      return [];
    }
  }

  function save() {
    messages = messages.slice(-KEPT);
    for (let keep = messages.length; keep >= 0; keep--) {
      try {
        localStorage.setItem(STORE, JSON.stringify(messages.slice(messages.length - keep)));
        return;
      } catch (e) { /* over the browser's quota: keep fewer */ }
    }
  }

  // --- announcements for screen readers ----------------------------------------------------------------
  function announce(text) {
    let live = document.getElementById('policy-announcer');
    if (!live) {
      live = el('div', {id: 'policy-announcer', class: 'sr-only', role: 'status', 'aria-live': 'polite'});
      document.body.append(live);
    }
    live.textContent = '';
    setTimeout(() => { live.textContent = text; }, 50);
  }

  // --- the conversation --------------------------------------------------------------------------------
  function render() {
    const root = document.getElementById('conversation');
    if (!root) return;
    root.setAttribute('aria-label', T('conversation'));
    const focused = document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.key : null;
    const turns = messages.map(renderTurn);
    if (pending) turns.push(renderPending(pending));
    root.replaceChildren(...(turns.length ? turns : [renderWelcome()]));
    const again = keyed(root, focused);
    if (again) again.focus();
  }

  // an element drawn again keeps its data-key: how focus finds it after a redraw
  function keyed(root, key) {
    return key ? root.querySelector(`[data-key="${CSS.escape(key)}"]`) : null;
  }

  function renderWelcome() {
    const groups = Object.entries(UI.examples[lang] || {}).map(([who, questions]) => el('div', {class: 'examples'},
      el('h3', {}, who),
      el('ul', {}, questions.map((q) => el('li', {}, el('button', {type: 'button', class: 'example',
        'data-key': 'example-' + q, onclick: () => askExample(q)}, q))))));
    return el('section', {class: 'welcome', 'aria-labelledby': 'welcome-title'},
      el('h2', {id: 'welcome-title'}, T('empty_title')), groups);
  }

  function renderTurn(m) {
    const answer = el('div', {class: 'answer' + (m.abstained ? ' abstained' : '')});
    if (m.abstained) answer.append(el('p', {class: 'not-answered'}, T('not_answered')));
    answer.append(answerText(m));
    if (m.rewritten) answer.append(el('p', {class: 'aside'}, T('understood_as', {question: m.rewritten})));
    if (m.note) {
      answer.append(el('p', {class: 'aside'}, (m.mode === 'llm' ? '✓ ' : '⚠ ') + m.note));
      if (m.removed && m.removed.length) answer.append(el('ul', {class: 'aside'}, m.removed.map((r) => el('li', {}, r))));
    }
    const filters = filtersText(m.filters);
    if (filters) answer.append(el('p', {class: 'aside'}, T('searched_only', {filters})));
    answer.append(sources(m), feedback(m));
    return el('article', {class: 'turn', id: 'turn-' + m.id, 'aria-labelledby': 'q-' + m.id},
      el('h2', {class: 'asked', id: 'q-' + m.id}, el('span', {class: 'sr-only'}, T('you') + ': '), m.asked), answer);
  }

  function renderPending(p) {
    const body = p.error
      ? el('p', {class: 'error', role: 'alert'}, p.error)
      : el('div', {}, el('p', {class: 'aside'}, p.draft ? T('draft') : T('answering')),
        p.draft ? el('p', {class: 'answer-text'}, p.draft) : null);
    return el('article', {class: 'turn pending', id: 'turn-pending', 'aria-labelledby': p.asked.trim() ? 'q-pending' : null,
      'aria-busy': p.error ? null : 'true'},
    p.asked.trim() ? el('h2', {class: 'asked', id: 'q-pending'}, el('span', {class: 'sr-only'}, T('you') + ': '), p.asked)
      : null,
    el('div', {class: 'answer'}, body));
  }

  function answerText(m) {
    const box = el('div', {class: 'answer-text', lang: m.language});
    const byN = new Map(m.citations.map((c) => [String(c.n), c]));
    for (const line of m.text.split('\n')) {
      const p = el('p', {});
      line.split(/(\[\d+\])/).forEach((part) => {
        const hit = /^\[(\d+)\]$/.exec(part);
        const c = hit && byN.get(hit[1]);
        if (!c) { if (part) p.append(part); return; }
        p.append(el('button', {type: 'button', class: 'cite-ref', 'data-key': `ref-${m.id}-${c.n}`, lang: lang,
          'aria-label': T('open_source', {n: c.n, title: c.document_title, path: c.clause_path}),
          onclick: (e) => openCitation(c, e.currentTarget)}, part));
      });
      box.append(p);
    }
    return box;
  }

  function sources(m) {
    const items = m.citations.length ? m.citations : (m.see_also || []);
    if (!items.length) return '';
    const cited = m.citations.length > 0;
    const list = el('ol', {class: 'cards'}, items.map((c, i) => el('li', {}, el('button', {
      type: 'button', class: 'card' + (cited ? '' : ' see-also'), 'data-key': `card-${m.id}-${i}`,
      onclick: (e) => openCitation(c, e.currentTarget)},
    el('span', {class: 'card-title'}, (cited ? `[${c.n}] ` : ''), el('span', {lang: m.language}, c.document_title),
      c.doc_number ? ' · ' + c.doc_number : ''),
    el('span', {class: 'card-path', lang: m.language}, c.clause_path),
    el('span', {class: 'card-quote', lang: m.language}, cited ? '“' + c.quote + '”' : clip(c.text, 160))))));
    return el('section', {class: 'sources', 'aria-labelledby': 'src-' + m.id},
      el('h3', {id: 'src-' + m.id}, cited ? T('sources') : T('see_also')), list);
  }

  const THUMBS = {  // Feather's thumbs-up and thumbs-down (MIT): no emoji font needed
    1: 'M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3',
    '-1': 'M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3zm7-13h2.67A2.31 2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17',
  };

  function icon(rating) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    for (const [k, v] of Object.entries({viewBox: '0 0 24 24', width: 18, height: 18, fill: 'none', stroke: 'currentColor',
      'stroke-width': 2, 'stroke-linecap': 'round', 'stroke-linejoin': 'round', 'aria-hidden': 'true', focusable: 'false'})) {
      svg.setAttribute(k, v);
    }
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', THUMBS[rating]);
    svg.append(path);
    return svg;
  }

  function feedback(m) {
    const vote = (rating, label) => el('button', {type: 'button', class: 'vote', 'aria-pressed': String(m.vote === rating),
      'data-key': `vote-${m.id}-${rating}`, onclick: () => sendVote(m, m.vote === rating ? 0 : rating)},
    icon(rating), label);
    const group = el('div', {class: 'feedback', role: 'group', 'aria-label': T('feedback_group')},
      el('div', {class: 'votes'}, vote(1, T('helpful')), vote(-1, T('unhelpful'))));
    if (m.vote) {
      const id = 'comment-' + m.id;
      const box = el('textarea', {id, rows: 2, maxlength: 1000, 'data-key': id,
        oninput: (e) => drafts.set(m.id, e.target.value)});
      box.value = drafts.has(m.id) ? drafts.get(m.id) : (m.comment || '');
      group.append(el('label', {for: id}, T('comment')), box,
        el('button', {type: 'button', class: 'save-comment', 'data-key': 'save-' + m.id,
          onclick: () => sendVote(m, m.vote, true)}, T('save_comment')));
    }
    if (status.has(m.id)) group.append(el('p', {class: 'fb-status'}, status.get(m.id)));
    return group;
  }

  async function sendVote(m, rating, commentOnly) {
    const comment = drafts.has(m.id) ? drafts.get(m.id) : (m.comment || '');
    let said;
    try {
      const res = await fetch('api/feedback', {method: 'POST', headers: {'content-type': 'application/json'},
        body: JSON.stringify({answer: m, rating, comment: rating ? comment : '', lang})});
      const body = await res.json().catch(() => ({}));
      if (res.ok) {
        m.vote = body.rating;
        m.comment = body.comment || '';
        drafts.delete(m.id);
        save();
        said = commentOnly ? T('comment_saved') : rating === 0 ? T('vote_removed')
          : T('vote_saved', {vote: rating === 1 ? T('helpful') : T('unhelpful')});
      } else {
        said = T('not_saved', {error: body.error || res.status});
      }
    } catch (e) {
      said = T('not_saved', {error: e.message});
    }
    status.set(m.id, said);
    render();
    announce(said);
  }

  function filtersText(f) {
    if (!f) return '';
    const sep = lang === 'zh' ? '、' : ', ';
    const parts = [];
    if (f.regions && f.regions.length) parts.push(f.regions.join(sep));
    if (f.documents && f.documents.length) parts.push(f.documents.map((d) => d.title).join(sep));
    return parts.join('; ');
  }

  function clip(text, n) {
    return text.length > n ? text.slice(0, n) + '…' : text;
  }

  function scrollToTurn(id) {
    const turn = document.getElementById('turn-' + id);
    const root = document.getElementById('conversation');
    if (!turn || !root) return;
    if (root.scrollHeight > root.clientHeight + 1 && getComputedStyle(root).overflowY !== 'visible') {
      root.scrollTop += turn.getBoundingClientRect().top - root.getBoundingClientRect().top;  // its own box scrolls
    } else {
      turn.scrollIntoView({block: 'start'});
    }
  }

  function askExample(question) {
    const box = document.querySelector('#question textarea');
    if (!box) return;
    box.value = question;
    box.dispatchEvent(new Event('input', {bubbles: true}));
    setTimeout(() => document.getElementById('ask').click(), 0);
  }

  // --- the clause viewer -----------------------------------------------------------------------------
  let dialog = null;
  let opener = null;

  function viewer() {
    if (dialog) return dialog;
    dialog = el('dialog', {id: 'policy-viewer', class: 'policy-viewer', 'aria-labelledby': 'viewer-title'},
      el('div', {class: 'viewer-head'},
        el('div', {class: 'viewer-heading'}, el('h2', {id: 'viewer-title'}), el('p', {class: 'viewer-meta'}),
          el('p', {class: 'viewer-source'})),
        el('button', {type: 'button', class: 'viewer-close', onclick: () => dialog.close()})),
      el('div', {class: 'viewer-body', tabindex: '0', role: 'region'}));
    dialog.addEventListener('click', (e) => { if (e.target === dialog) dialog.close(); });  // the backdrop
    dialog.addEventListener('close', () => {
      // the conversation may have been drawn again while the viewer was open: then the opener's twin
      // (same data-key) takes the focus back
      const back = opener && opener.isConnected ? opener
        : keyed(document, opener && opener.dataset ? opener.dataset.key : null);
      if (back) back.focus();
    });
    document.body.append(dialog);
    return dialog;
  }

  function openCitation(c, from) {
    const quoted = typeof c.quote === 'string';
    openViewer({doc: c.document_id, title: c.document_title, number: c.doc_number, path: c.clause_path,
      clauseStart: c.clause_start, clauseEnd: c.clause_end, clauseText: c.text,
      quoteStart: quoted ? c.start : null, quoteEnd: quoted ? c.end : null, quote: quoted ? c.quote : null}, from);
  }

  async function openViewer(spec, from) {
    const d = viewer();
    opener = from || document.activeElement;
    const body = d.querySelector('.viewer-body');
    d.querySelector('.viewer-close').textContent = T('viewer_close');
    body.setAttribute('aria-label', T('viewer_text'));
    d.querySelector('#viewer-title').textContent = spec.title || '';
    d.querySelector('.viewer-meta').textContent = [spec.number, spec.path].filter(Boolean).join(' · ');
    d.querySelector('.viewer-source').textContent = '';
    body.replaceChildren(T('viewer_loading'));
    if (!d.open) d.showModal();
    body.focus();
    let doc = null;
    try {
      const res = await fetch('api/documents/' + encodeURIComponent(spec.doc));
      if (res.ok) doc = await res.json();
    } catch (e) { /* shown below as a document no longer there */ }
    const cs = spec.clauseStart, ce = spec.clauseEnd, qs = spec.quoteStart, qe = spec.quoteEnd;
    const same = doc && (spec.quote != null ? doc.text.slice(qs, qe) === spec.quote
      : spec.clauseText == null || doc.text.slice(cs, ce) === spec.clauseText);
    if (same) {
      d.querySelector('#viewer-title').textContent = doc.title;
      d.querySelector('#viewer-title').setAttribute('lang', doc.language);
      d.querySelector('.viewer-meta').textContent = [doc.doc_number, doc.issuer, doc.date, doc.region, spec.path]
        .filter(Boolean).join(' · ');
      d.querySelector('.viewer-source').textContent = doc.source ? T('viewer_source', {source: doc.source}) : '';
      body.setAttribute('lang', doc.language);
      body.replaceChildren(...highlighted(doc.text, cs, ce, qs, qe));
    } else if (spec.clauseText) {  // the document is gone or changed: the clause as it was cited
      const q = spec.quote != null ? spec.clauseText.indexOf(spec.quote) : -1;
      body.replaceChildren(el('p', {class: 'viewer-gone'}, T('viewer_gone')),
        ...highlighted(spec.clauseText, 0, spec.clauseText.length, q >= 0 ? q : null, q >= 0 ? q + spec.quote.length : null));
    } else {
      body.replaceChildren(el('p', {class: 'viewer-gone'}, T('viewer_gone')));
    }
    const target = body.querySelector('mark') || body.querySelector('.in-clause:not(:empty)');
    if (target) target.scrollIntoView({block: 'center'});
    else body.scrollTop = 0;
  }

  function highlighted(text, cs, ce, qs, qe) {
    const clause = el('span', {class: 'in-clause'});
    if (qs != null && qe > qs && qs >= cs && qe <= ce) {
      clause.append(text.slice(cs, qs), el('mark', {}, text.slice(qs, qe)), text.slice(qe, ce));
    } else {
      clause.append(text.slice(cs, ce));
    }
    return [text.slice(0, cs), clause, text.slice(ce)];
  }

  // --- the library tab -------------------------------------------------------------------------------
  function filterLibrary() {
    const input = document.getElementById('library-search-input');
    const words = (input ? input.value : '').toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    document.querySelectorAll('table.library tbody tr').forEach((row) => {
      const hit = words.every((w) => (row.dataset.search || '').includes(w));
      row.hidden = !hit;
      shown += hit ? 1 : 0;
    });
    const none = document.querySelector('.no-match');
    if (none) none.hidden = shown > 0;
  }

  document.addEventListener('input', (e) => {
    if (e.target.id === 'library-search-input') filterLibrary();
  });

  document.addEventListener('click', (e) => {
    const open = e.target.closest && e.target.closest('[data-open]');
    if (open) {
      openViewer({doc: open.dataset.open, path: open.dataset.path, title: '',
        clauseStart: Number(open.dataset.start), clauseEnd: Number(open.dataset.end)}, open);
    }
  });

  // gradio's file drop zone is named "Click to upload or drop files" whatever it shows: name it by its field and
  // what it says, so its name holds its visible text in either language
  let naming = false;
  new MutationObserver(() => {
    if (naming) return;
    naming = true;
    requestAnimationFrame(() => {
      naming = false;
      document.querySelectorAll('.upload-container').forEach((zone) => {
        const field = zone.closest('.block');
        const label = field && field.querySelector('[data-testid="block-label"]');
        const name = [label ? label.textContent.trim() : '', zone.textContent.replace(/\s+/g, ' ').trim()]
          .filter(Boolean).join(': ');
        if (name && zone.getAttribute('aria-label') !== name) zone.setAttribute('aria-label', name);
      });
    });
  }).observe(document.documentElement, {childList: true, subtree: true, characterData: true});

  // --- export ----------------------------------------------------------------------------------------
  function markdown() {
    const out = [`# ${T('title')} — ${T('export_title')}`, '', T('export_at', {time: new Date().toLocaleString()}), ''];
    if (!messages.length) out.push(T('export_none'), '');
    messages.forEach((m, i) => {
      out.push(`## ${i + 1}. ${m.asked.replace(/\s+/g, ' ')}`, '');
      if (m.rewritten) out.push(`*${T('understood_as', {question: m.rewritten})}*`, '');
      const filters = filtersText(m.filters);
      if (filters) out.push(`*${T('searched_only', {filters})}*`, '');
      if (m.abstained) out.push(`**${T('not_answered')}**`, '');
      out.push(m.text.split('\n').join('  \n'), '');
      const items = m.citations.length ? m.citations : (m.see_also || []);
      if (items.length) out.push(`### ${m.citations.length ? T('export_sources') : T('see_also')}`, '');
      for (const c of items) {
        const number = c.doc_number ? ` (${c.doc_number})` : '';
        out.push(`${m.citations.length ? `[${c.n}] ` : '- '}${c.document_title}${number} — ${c.clause_path}` +
          ` \`${c.clause_id}\``, '');
        out.push('> ' + (m.citations.length ? c.quote : c.text).split('\n').join('\n> '), '');
      }
      if (m.vote) out.push(T('export_feedback', {vote: m.vote === 1 ? '👍 ' + T('helpful') : '👎 ' + T('unhelpful')}), '');
      if (m.vote && m.comment) out.push(T('export_comment', {comment: m.comment}), '');
    });
    return out.join('\n');
  }

  function exportMarkdown() {
    const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');
    const url = URL.createObjectURL(new Blob([markdown()], {type: 'text/markdown;charset=utf-8'}));
    const a = el('a', {href: url, download: `policy-chat-${stamp}.md`, hidden: true});
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // --- what the gradio events call -------------------------------------------------------------------
  function setLang(value) {
    lang = value === 'en' ? 'en' : 'zh';
    try { localStorage.setItem(LANG, lang); } catch (e) { /* private mode: the choice lasts this page */ }
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = T('title');
    render();
    filterLibrary();
    return lang;
  }

  window.policyChat = {
    start() {
      let stored = null;
      try { stored = localStorage.getItem(LANG); } catch (e) { /* no storage */ }
      const chosen = stored || ((navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en');
      setLang(chosen);
      if (messages.length) announce(T('restored', {count: messages.length}));
      return lang;
    },
    setLang,
    previous: () => (messages.length ? messages[messages.length - 1].question : ''),
    receive(raw) {
      let msg;
      try { msg = typeof raw === 'string' ? JSON.parse(raw) : raw; } catch (e) { return; }
      if (!msg || !msg.kind) return;
      if (msg.kind === 'pending') {
        pending = {asked: msg.asked};
        render();
        scrollToTurn('pending');
        announce(T('answering'));
      } else if (msg.kind === 'draft') {
        pending = {asked: msg.asked, draft: msg.text};
        render();
      } else if (msg.kind === 'error') {
        pending = {asked: msg.asked, error: T('error', {error: msg.text})};
        render();
      } else if (msg.kind === 'answer') {
        pending = null;
        messages.push({...msg.record, vote: 0, comment: ''});
        save();
        render();
        scrollToTurn(msg.record.id);
        const n = msg.record.citations.length;
        announce((msg.record.abstained ? T('not_answered') + '. ' : '') + T('answered', {count: n}));
      }
    },
    clear() {
      messages = [];
      pending = null;
      status.clear();
      drafts.clear();
      save();
      render();
      announce(T('chat_cleared'));
    },
    exportMarkdown,
    markdown,
    filterLibrary,
    openViewer,
  };
})();

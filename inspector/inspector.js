// The page of `pllay-hooks listen --ui`. Plain browser JavaScript with no dependencies.
//
// Captured data reaches the DOM through textContent, attribute values and
// new elements only, never as HTML, so a body or header that contains
// markup is shown as text. The server's content security policy blocks
// inline script as a second line of defence.
(() => {
  'use strict';

  const BASE = '/__pllay/';
  /** Height of one list row in pixels, the same as --row-height in inspector.css. */
  const ROW_HEIGHT = 30;
  /** Rows rendered above and below the visible ones, so that scrolling shows no gap. */
  const OVERSCAN = 8;
  /** Children of a JSON object or array rendered at a time, after which a button shows more. */
  const JSON_CHUNK = 200;
  /** Levels of the JSON tree open when an event is shown. */
  const OPEN_LEVELS = 3;
  /** Body bytes shown as hex when the body is not UTF-8. */
  const HEX_LIMIT = 64 * 1024;

  const VERDICT_TEXT = {
    valid: '✔ valid',
    invalid: '✖ invalid',
    missing: '✖ missing',
    unchecked: '? unchecked',
  };

  const token = document.querySelector('meta[name="pllay-token"]').content;
  const $ = (id) => document.getElementById(id);
  const els = {
    connection: $('connection'),
    logPath: $('log-path'),
    filterType: $('filter-type'),
    filterVerdict: $('filter-verdict'),
    filterFailed: $('filter-failed'),
    filterId: $('filter-id'),
    count: $('count'),
    list: $('list'),
    spacer: $('spacer'),
    empty: $('empty'),
    emptyUrl: $('empty-url'),
    noSelection: $('no-selection'),
    detail: $('detail'),
    detailTitle: $('detail-title'),
    facts: $('facts'),
    verdict: $('verdict'),
    explanation: $('explanation'),
    replayForm: $('replay-form'),
    replayUrl: $('replay-url'),
    replayKeep: $('replay-keep'),
    replayButton: $('replay-button'),
    replayStatus: $('replay-status'),
    noDeliveries: $('no-deliveries'),
    attempts: $('attempts'),
    panelJson: $('panel-json'),
    raw: $('raw'),
    rawNote: $('raw-note'),
    headers: $('headers'),
    replayCommand: $('replay-command'),
    curlCommand: $('curl-command'),
    copyStatus: $('copy-status'),
  };

  const state = {
    session: null,
    /** Summaries by seq, in arrival order. */
    entries: new Map(),
    /** Seqs of the entries that pass the filters, newest first. */
    view: [],
    /** Entry that the keyboard is on. */
    activeSeq: null,
    /** Entry shown in the detail view, and its detail. */
    selectedSeq: null,
    detail: null,
    replaying: false,
    /** Summaries from the event stream that the next frame applies. */
    incoming: [],
    /** Values of the type filter's options. */
    types: new Set(['']),
    /** Rows currently in the DOM, by seq. */
    rows: new Map(),
    renderQueued: false,
  };

  // ---------------------------------------------------------------- API

  async function api(path, options = {}) {
    const response = await fetch(BASE + 'api/' + path, {
      ...options,
      headers: { 'x-pllay-token': token, ...(options.headers || {}) },
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(body.error || `HTTP ${response.status}`);
      error.hint = body.hint;
      throw error;
    }
    return body;
  }

  // ---------------------------------------------------------------- Formatting

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function pad(number, width = 2) {
    return String(number).padStart(width, '0');
  }

  function formatClock(iso) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) {
      return '--:--:--';
    }
    return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  }

  function formatBytes(bytes) {
    if (bytes < 1024) {
      return `${bytes} B`;
    }
    if (bytes < 1024 * 1024) {
      return `${(bytes / 1024).toFixed(1)} KiB`;
    }
    return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  }

  function formatDuration(ms) {
    if (typeof ms !== 'number') {
      return '';
    }
    return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
  }

  function verdictText(summary) {
    const text = VERDICT_TEXT[summary.verdict] || summary.verdict;
    return summary.verdict === 'valid' || !summary.reason ? text : `${text}: ${summary.reason}`;
  }

  /** Returns the text and the class of the delivery column. */
  function deliveryCell(summary) {
    const last = summary.last_delivery;
    if (!last) {
      return summary.not_forwarded
        ? { text: 'not forwarded', className: 'delivery-none', title: summary.not_forwarded }
        : { text: '—', className: '', title: 'not forwarded or replayed' };
    }

    const result = last.status !== undefined ? String(last.status) : shortError(last.error);
    const parts = [last.ok ? '✔' : '✖', last.source === 'replay' ? 'replay' : '', result];
    const duration = last.status !== undefined ? ` · ${formatDuration(last.duration_ms)}` : '';
    const count = summary.deliveries > 1 ? ` (${summary.deliveries})` : '';
    return {
      text: parts.filter(Boolean).join(' ') + duration + count,
      className: last.ok ? 'delivery-ok' : 'delivery-failed',
      title: `${summary.deliveries} deliver${summary.deliveries === 1 ? 'y' : 'ies'}; last: ${last.source} to ${last.target}${last.error ? `: ${last.error}` : ''}`,
    };
  }

  function shortError(message) {
    if (!message) {
      return 'failed';
    }
    const colon = message.indexOf(':');
    return colon > 0 ? message.slice(0, colon) : message;
  }

  /** Quotes a shell argument when it contains anything but safe characters. */
  function shellQuote(value) {
    return /^[A-Za-z0-9_./:=@%+,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
  }

  // ---------------------------------------------------------------- Entries and filters

  /** Stores a summary, and returns whether it was known and whether older entries were dropped. */
  function upsert(summary) {
    const known = state.entries.has(summary.seq);
    state.entries.set(summary.seq, summary);
    return { known, trimmed: known ? false : trimEntries() };
  }

  /** Drops the oldest entries past the server's limit, as the server does. */
  function trimEntries() {
    const max = state.session ? state.session.max_entries : Infinity;
    let trimmed = false;
    while (state.entries.size > max) {
      const oldest = state.entries.keys().next().value;
      state.entries.delete(oldest);
      trimmed = true;
    }
    return trimmed;
  }

  function currentFilters() {
    return {
      type: els.filterType.value,
      verdict: els.filterVerdict.value,
      failed: els.filterFailed.checked,
      id: els.filterId.value.trim().toLowerCase(),
    };
  }

  function matches(summary, filters) {
    if (filters.type === '(none)' ? summary.type !== null : filters.type && summary.type !== filters.type) {
      return false;
    }
    if (filters.verdict && summary.verdict !== filters.verdict) {
      return false;
    }
    if (filters.failed && !(summary.last_delivery && !summary.last_delivery.ok)) {
      return false;
    }
    return !filters.id || (summary.event_id || '').toLowerCase().includes(filters.id);
  }

  /** Filters every entry again, after a filter changed. */
  function rebuildView() {
    rebuildList();
    scheduleRender();
  }

  function rebuildList() {
    const filters = currentFilters();
    const seqs = [...state.entries.keys()];
    state.view = seqs.reverse().filter((seq) => matches(state.entries.get(seq), filters));
  }

  /** Adds a type to the type filter the first time it is seen. */
  function noteType(type) {
    const value = type === null ? '(none)' : type;
    if (!state.types.has(value)) {
      state.types.add(value);
      els.filterType.append(new Option(type === null ? '(not an event)' : type, value));
    }
  }

  /** Queues a new or changed entry from the event stream for the next frame to apply. */
  function receiveEntry(summary) {
    state.incoming.push(summary);
    scheduleRender();
  }

  /** Applies the queued entries at once, so that a burst of captures costs one pass. */
  function applyIncoming() {
    const incoming = state.incoming;
    state.incoming = [];
    const filters = currentFilters();
    const added = [];
    let rebuild = false;
    let trimmedAny = false;

    for (const summary of incoming) {
      const { known, trimmed } = upsert(summary);
      trimmedAny = trimmedAny || trimmed;
      noteType(summary.type);
      if (!known) {
        if (matches(summary, filters)) {
          added.push(summary.seq);
        }
        continue;
      }

      // A changed entry may now pass the filters or fail them, and its row is built again.
      rebuild = true;
      const row = state.rows.get(summary.seq);
      if (row) {
        row.remove();
        state.rows.delete(summary.seq);
      }
      if (summary.seq === state.selectedSeq && !state.replaying) {
        loadDetail(summary.seq, { keepTab: true });
      }
    }

    if (rebuild || trimmedAny) {
      const scrolled = els.list.scrollTop > 0;
      rebuildList();
      if (scrolled) {
        els.list.scrollTop += added.length * ROW_HEIGHT;
      }
      return;
    }
    if (added.length > 0) {
      // Rows stay in place for a reader who scrolled down. At the top, new rows appear.
      if (els.list.scrollTop > 0) {
        els.list.scrollTop += added.length * ROW_HEIGHT;
      }
      state.view = added.reverse().concat(state.view);
    }
  }

  // ---------------------------------------------------------------- Windowed list

  function scheduleRender() {
    if (!state.renderQueued) {
      state.renderQueued = true;
      requestAnimationFrame(() => {
        state.renderQueued = false;
        applyIncoming();
        renderList();
      });
    }
  }

  function renderList() {
    const total = state.view.length;
    const list = els.list;
    els.spacer.style.height = `${total * ROW_HEIGHT}px`;
    els.empty.hidden = state.entries.size > 0;
    els.count.textContent =
      total === state.entries.size
        ? `${total} event${total === 1 ? '' : 's'}`
        : `${total} of ${state.entries.size} events match the filters`;

    const first = Math.max(0, Math.floor(list.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(total, Math.ceil((list.scrollTop + list.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    const visible = new Set(state.view.slice(first, last));

    for (const [seq, row] of state.rows) {
      if (!visible.has(seq)) {
        row.remove();
        state.rows.delete(seq);
      }
    }
    const ordered = [];
    for (let index = first; index < last; index++) {
      const seq = state.view[index];
      let row = state.rows.get(seq);
      if (!row) {
        row = buildRow(state.entries.get(seq));
        state.rows.set(seq, row);
      }
      ordered.push(row);
      row.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
      row.setAttribute('aria-posinset', String(index + 1));
      row.setAttribute('aria-setsize', String(total));
      row.setAttribute('aria-selected', String(seq === state.selectedSeq));
      row.classList.toggle('active', seq === state.activeSeq);
    }
    // The rows stay in list order in the DOM as well, for screen readers and for find in page.
    if (ordered.some((row, index) => list.children[index + 1] !== row)) {
      list.append(...ordered);
    }

    const active = state.rows.get(state.activeSeq);
    if (active) {
      list.setAttribute('aria-activedescendant', active.id);
    } else {
      list.removeAttribute('aria-activedescendant');
    }
  }

  function buildRow(summary) {
    const row = el('div', 'row');
    row.id = `row-${summary.seq}`;
    row.setAttribute('role', 'option');
    row.dataset.seq = String(summary.seq);

    const delivery = deliveryCell(summary);
    const verdict = el('span', `verdict verdict-${summary.verdict}`, verdictText(summary));
    verdict.title = verdictText(summary);
    const deliveryNode = el('span', `delivery ${delivery.className}`, delivery.text);
    deliveryNode.title = delivery.title;

    row.append(
      el('span', 'time', formatClock(summary.received_at)),
      el('span', 'type', summary.type === null ? '(not an event)' : summary.type),
      el('span', 'id', summary.event_id === null ? '—' : summary.event_id),
      verdict,
      deliveryNode,
      el('span', 'size', formatBytes(summary.size)),
    );
    row.title = `${summary.type || '(not an event)'} ${summary.event_id || ''} received ${summary.received_at} on ${summary.path}`;
    return row;
  }

  function moveActive(index) {
    if (state.view.length === 0) {
      return;
    }
    const clamped = Math.max(0, Math.min(state.view.length - 1, index));
    state.activeSeq = state.view[clamped];

    const list = els.list;
    const top = clamped * ROW_HEIGHT;
    if (top < list.scrollTop) {
      list.scrollTop = top;
    } else if (top + ROW_HEIGHT > list.scrollTop + list.clientHeight) {
      list.scrollTop = top + ROW_HEIGHT - list.clientHeight;
    }
    renderList();
  }

  function onListKey(event) {
    const index = state.view.indexOf(state.activeSeq);
    const page = Math.max(1, Math.floor(els.list.clientHeight / ROW_HEIGHT) - 1);
    const moves = {
      ArrowDown: index + 1,
      ArrowUp: Math.max(0, index - 1),
      PageDown: index + page,
      PageUp: index - page,
      Home: 0,
      End: state.view.length - 1,
    };

    if (event.key in moves) {
      event.preventDefault();
      moveActive(index === -1 ? 0 : moves[event.key]);
    } else if ((event.key === 'Enter' || event.key === ' ') && state.activeSeq !== null) {
      event.preventDefault();
      select(state.activeSeq);
    }
  }

  function onListClick(event) {
    const row = event.target.closest('.row');
    if (row) {
      state.activeSeq = Number(row.dataset.seq);
      select(state.activeSeq);
    }
  }

  function select(seq) {
    state.selectedSeq = seq;
    renderList();
    loadDetail(seq, { keepTab: false });
  }

  // ---------------------------------------------------------------- Detail

  async function loadDetail(seq, options) {
    let detail;
    try {
      detail = await api(`events/${seq}`);
    } catch (error) {
      showDetailError(error);
      return;
    }
    if (seq !== state.selectedSeq) {
      return;
    }

    const sameEvent = state.detail && state.detail.seq === seq;
    state.detail = detail;
    els.noSelection.hidden = true;
    els.detail.hidden = false;
    renderFacts(detail);
    renderVerdict(detail);
    renderAttempts(detail);
    if (!sameEvent) {
      renderReplay(detail);
      renderJson(detail);
      renderRaw(detail);
      renderHeaders(detail);
      if (!options.keepTab) {
        selectTab(detail.body !== undefined && parseBody(detail).ok ? 'tab-json' : 'tab-raw', false);
      }
    }
    renderCommands();
  }

  function showDetailError(error) {
    els.detail.hidden = true;
    els.noSelection.hidden = false;
    els.noSelection.textContent = `${error.message}${error.hint ? ` (${error.hint})` : ''}`;
  }

  function renderFacts(detail) {
    els.detailTitle.textContent = `${detail.type === null ? '(not an event)' : detail.type} · ${detail.event_id === null ? 'no event id' : detail.event_id}`;
    const facts = [
      ['Received', detail.received_at],
      ['Request', `${detail.method} ${detail.path}`],
      ['From', detail.remote_address || 'unknown'],
      ['Size', `${formatBytes(detail.size)} (${detail.size} bytes)`],
    ];
    els.facts.replaceChildren(...facts.flatMap(([name, value]) => [el('dt', '', name), el('dd', '', value)]));
  }

  function renderVerdict(detail) {
    els.verdict.className = `verdict verdict-${detail.verdict}`;
    els.verdict.textContent = verdictText(detail);
    els.explanation.replaceChildren(...detail.explanation.map((line) => el('li', '', line)));
  }

  function renderAttempts(detail) {
    const body = els.attempts.tBodies[0];
    const rows = [];
    for (const delivery of detail.deliveries_detail) {
      delivery.attempts.forEach((attempt, index) => {
        const row = el('tr', attempt.status !== undefined && attempt.status < 300 && attempt.status >= 200 ? 'ok' : 'failed');
        const source = delivery.attempts.length > 1 ? `${delivery.source}, attempt ${index + 1} of ${delivery.attempts.length}` : delivery.source;
        const result = attempt.status !== undefined ? `${attempt.status >= 200 && attempt.status < 300 ? '✔' : '✖'} ${attempt.status}` : `✖ ${attempt.error || 'failed'}`;
        const response = el('td', '', attempt.response ? attempt.response.slice(0, 300) : '');
        const where = el('td');
        where.append(el('div', '', source), el('div', 'target muted', delivery.target));
        row.append(
          el('td', '', formatClock(attempt.at)),
          where,
          el('td', '', result),
          el('td', '', formatDuration(attempt.duration_ms)),
          response,
        );
        rows.push(row);
      });
    }
    body.replaceChildren(...rows);
    els.attempts.hidden = rows.length === 0;
    els.noDeliveries.hidden = rows.length > 0;
    if (detail.not_forwarded && rows.length === 0) {
      els.noDeliveries.textContent = `Not forwarded: ${detail.not_forwarded}.`;
    } else {
      els.noDeliveries.textContent = 'Not forwarded or replayed yet.';
    }
  }

  function renderReplay(detail) {
    const session = state.session;
    if (!els.replayUrl.value && session.forward_target) {
      els.replayUrl.value = session.forward_target;
    }
    if (!session.can_sign) {
      els.replayKeep.checked = true;
      els.replayKeep.disabled = true;
      els.replayKeep.parentElement.title = 'listen has no secret, so a replay carries the captured signature';
    }

    const unavailable = detail.replay.unavailable;
    els.replayButton.disabled = Boolean(unavailable) || state.replaying;
    setReplayStatus(unavailable ? `Cannot replay: ${unavailable}.` : '', unavailable ? 'error' : '');
  }

  function setReplayStatus(text, kind) {
    els.replayStatus.textContent = text;
    els.replayStatus.className = `replay-status ${kind || ''}`;
  }

  function renderHeaders(detail) {
    const signature = (detail.signature_header || '').toLowerCase();
    const rows = detail.headers.map(([name, value]) => {
      const row = el('tr', name === signature ? 'signature' : '');
      row.append(el('td', '', name === signature ? `${name} (signature)` : name), el('td', '', value));
      return row;
    });
    els.headers.tBodies[0].replaceChildren(...rows);
  }

  // ---------------------------------------------------------------- Body views

  function parseBody(detail) {
    if (detail.body === undefined) {
      return { ok: false, error: 'the body is not UTF-8 text' };
    }
    try {
      return { ok: true, value: JSON.parse(detail.body) };
    } catch (error) {
      return { ok: false, error: error.message };
    }
  }

  function renderJson(detail) {
    const parsed = parseBody(detail);
    if (!parsed.ok) {
      els.panelJson.replaceChildren(el('p', 'hint', `The body is not JSON (${parsed.error}); see the raw body.`));
      return;
    }
    els.panelJson.replaceChildren(jsonNode(null, parsed.value, 0));
  }

  /** Builds one node of the JSON tree. Objects and arrays render their children when opened. */
  function jsonNode(key, value, depth) {
    const isContainer = value !== null && typeof value === 'object';
    const keyNodes = key === null ? [] : [el('span', 'key', JSON.stringify(key)), document.createTextNode(': ')];

    if (!isContainer) {
      const leaf = el('div', 'leaf');
      leaf.append(...keyNodes, scalarNode(value));
      return leaf;
    }

    const entries = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
    const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    if (entries.length === 0) {
      const leaf = el('div', 'leaf');
      leaf.append(...keyNodes, el('span', 'punctuation', open + close));
      return leaf;
    }

    const details = el('details');
    const summary = el('summary');
    const noun = Array.isArray(value) ? 'item' : 'key';
    summary.append(...keyNodes, el('span', 'punctuation', open), el('span', 'hint', ` ${entries.length} ${noun}${entries.length === 1 ? '' : 's'} `));
    details.append(summary);

    let rendered = false;
    const renderChildren = () => {
      if (rendered) {
        return;
      }
      rendered = true;
      const children = el('div', 'children');
      appendChildren(children, entries, 0, Array.isArray(value), depth);
      details.append(children, el('div', 'punctuation', close));
    };
    details.addEventListener('toggle', () => {
      if (details.open) {
        renderChildren();
      }
    });
    if (depth < OPEN_LEVELS) {
      details.open = true;
      renderChildren();
    }
    return details;
  }

  function appendChildren(container, entries, start, isArray, depth) {
    const end = Math.min(entries.length, start + JSON_CHUNK);
    for (let index = start; index < end; index++) {
      const [key, item] = entries[index];
      container.append(jsonNode(isArray ? null : key, item, depth + 1));
    }
    if (end < entries.length) {
      const more = el('button', 'more', `Show ${Math.min(JSON_CHUNK, entries.length - end)} more of ${entries.length - end}`);
      more.type = 'button';
      more.addEventListener('click', () => {
        more.remove();
        appendChildren(container, entries, end, isArray, depth);
      });
      container.append(more);
    }
  }

  function scalarNode(value) {
    if (typeof value === 'string') {
      return el('span', 'string', JSON.stringify(value));
    }
    if (typeof value === 'number') {
      return el('span', 'number', String(value));
    }
    if (typeof value === 'boolean') {
      return el('span', 'boolean', String(value));
    }
    return el('span', 'null', 'null');
  }

  function renderRaw(detail) {
    if (detail.body !== undefined) {
      const ending = detail.body.endsWith('\n') ? 'ends with a newline' : 'no newline at the end';
      els.rawNote.textContent = `${detail.size} bytes, UTF-8, exactly as received (${ending}).`;
      els.raw.textContent = detail.body;
      return;
    }

    const bytes = Uint8Array.from(atob(detail.body_base64 || ''), (char) => char.charCodeAt(0));
    const dumped = bytes.subarray(0, HEX_LIMIT);
    els.rawNote.textContent =
      `${bytes.length} bytes that are not valid UTF-8, shown as hex` +
      (dumped.length < bytes.length ? ` (the first ${dumped.length})` : '') + '.';
    els.raw.textContent = hexDump(dumped);
  }

  function hexDump(bytes) {
    const lines = [];
    for (let offset = 0; offset < bytes.length; offset += 16) {
      const slice = bytes.subarray(offset, offset + 16);
      const hex = [...slice].map((byte) => pad(byte.toString(16))).join(' ');
      const text = [...slice].map((byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.')).join('');
      lines.push(`${pad(offset.toString(16), 8)}  ${hex.padEnd(47)}  ${text}`);
    }
    return lines.join('\n');
  }

  // ---------------------------------------------------------------- Tabs

  const TABS = ['tab-json', 'tab-raw', 'tab-headers'];

  function selectTab(id, focus) {
    for (const tabId of TABS) {
      const tab = $(tabId);
      const selected = tabId === id;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      $(tab.getAttribute('aria-controls')).hidden = !selected;
      if (selected && focus) {
        tab.focus();
      }
    }
  }

  function onTabKey(event) {
    const index = TABS.indexOf(event.target.id);
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: TABS.length - 1 };
    if (index !== -1 && event.key in moves) {
      event.preventDefault();
      selectTab(TABS[(moves[event.key] + TABS.length) % TABS.length], true);
    }
  }

  // ---------------------------------------------------------------- Replay and commands

  function replayTarget() {
    return els.replayUrl.value.trim() || (state.session && state.session.forward_target) || '';
  }

  function renderCommands() {
    const detail = state.detail;
    if (!detail) {
      return;
    }
    const target = replayTarget() || 'http://localhost:3000/webhooks/pllay';
    const keep = els.replayKeep.checked;

    els.replayCommand.textContent =
      detail.event_id === null
        ? 'This request has no event id, so replay cannot select it.'
        : ['pllay-hooks replay', shellQuote(state.session.log), '--id', shellQuote(detail.event_id), '--to', shellQuote(target)]
            .concat(keep ? ['--keep-signature'] : [])
            .join(' ');
    els.curlCommand.textContent = curlCommand(detail, target, keep);
  }

  function curlCommand(detail, target, keep) {
    const signature = keep ? detail.replay.captured_signature : detail.replay.fresh_signature || detail.replay.captured_signature;
    const headers = ['content-type: application/json'];
    if (signature) {
      headers.push(`${signature.header}: ${signature.value}`);
    }
    const headerArgs = headers.map((header) => `-H ${shellQuote(header)}`).join(' ');

    if (detail.body !== undefined) {
      return `curl ${shellQuote(target)} ${headerArgs} --data-binary ${shellQuote(detail.body)}`;
    }
    return `printf '%s' ${shellQuote(detail.body_base64)} | base64 -d | curl ${shellQuote(target)} ${headerArgs} --data-binary @-`;
  }

  async function onReplay(event) {
    event.preventDefault();
    const seq = state.selectedSeq;
    if (seq === null || state.replaying) {
      return;
    }

    const url = els.replayUrl.value.trim();
    state.replaying = true;
    els.replayButton.disabled = true;
    setReplayStatus(`Replaying to ${replayTarget() || 'the forward target'}…`, '');
    let status;
    try {
      const result = await api(`events/${seq}/replay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: url === '' ? null : url, keep_signature: els.replayKeep.checked }),
      });
      const delivered = result.outcome === 'delivered';
      const logged = result.logged ? '' : ' The delivery record could not be written to the log.';
      status = [`${delivered ? '✔ Delivered' : '✖ Not delivered'} to ${result.target}: ${result.reason}.${logged}`, delivered ? 'ok' : 'error'];
    } catch (error) {
      status = [`✖ ${error.message}${error.hint ? ` (${error.hint})` : ''}`, 'error'];
    }

    // The result is shown once the detail lists the new attempt.
    state.replaying = false;
    if (state.selectedSeq === seq) {
      await loadDetail(seq, { keepTab: true });
      setReplayStatus(...status);
    }
    els.replayButton.disabled = Boolean(state.detail && state.detail.replay.unavailable);
  }

  function onAttempt(message) {
    if (message.seq !== state.selectedSeq || !state.replaying) {
      return;
    }
    const result = message.status !== undefined ? `status ${message.status}` : message.error;
    const retry = message.retry_in_ms !== undefined ? `; retrying in ${formatDuration(message.retry_in_ms)}` : '';
    setReplayStatus(`Attempt ${message.attempt} of ${message.max_attempts}: ${result}${retry}…`, message.ok ? 'ok' : '');
  }

  async function copy(text) {
    try {
      if (window.isSecureContext && navigator.clipboard) {
        await navigator.clipboard.writeText(text);
      } else {
        copyWithSelection(text);
      }
      els.copyStatus.textContent = 'Copied to the clipboard.';
    } catch (error) {
      els.copyStatus.textContent = `Could not copy (${error.message}); select the text above instead.`;
    }
  }

  /** Copies on pages that are not a secure context, where navigator.clipboard is missing. */
  function copyWithSelection(text) {
    const area = el('textarea');
    area.value = text;
    area.readOnly = true;
    area.className = 'visually-hidden';
    document.body.append(area);
    area.select();
    const copied = document.execCommand('copy');
    area.remove();
    if (!copied) {
      throw new Error('the copy command failed');
    }
  }

  // ---------------------------------------------------------------- Live updates

  function connect() {
    const source = new EventSource(`${BASE}api/stream?token=${encodeURIComponent(token)}`);
    let buffered = [];

    source.addEventListener('open', async () => {
      // Messages that arrive while the list loads are applied after it, in order.
      buffered = [];
      try {
        const { entries } = await api('events');
        state.entries.clear();
        state.incoming = [];
        state.rows.forEach((row) => row.remove());
        state.rows.clear();
        for (const summary of [...entries, ...buffered]) {
          upsert(summary);
          noteType(summary.type);
        }
        buffered = null;
        rebuildView();
        setConnection('Live', 'live');
      } catch (error) {
        setConnection(`Cannot load the events: ${error.message}`, 'down');
      }
    });
    source.addEventListener('entry', (message) => {
      const summary = JSON.parse(message.data);
      if (buffered) {
        buffered.push(summary);
      } else {
        receiveEntry(summary);
      }
    });
    source.addEventListener('attempt', (message) => onAttempt(JSON.parse(message.data)));
    source.addEventListener('error', () => {
      buffered = [];
      setConnection(source.readyState === EventSource.CLOSED ? 'Disconnected: reload the page' : 'Reconnecting…', 'down');
    });
  }

  function setConnection(text, kind) {
    els.connection.textContent = text;
    els.connection.className = `connection ${kind}`;
  }

  // ---------------------------------------------------------------- Start

  async function start() {
    try {
      state.session = await api('session');
    } catch (error) {
      setConnection(`Cannot reach listen: ${error.message}`, 'down');
      return;
    }
    els.logPath.textContent = state.session.log;
    els.emptyUrl.textContent = `${location.origin}/webhooks/pllay`;
    state.session.event_types.forEach(noteType);

    els.list.addEventListener('scroll', scheduleRender, { passive: true });
    els.list.addEventListener('keydown', onListKey);
    els.list.addEventListener('click', onListClick);
    els.list.addEventListener('focus', () => {
      if (state.activeSeq === null || !state.view.includes(state.activeSeq)) {
        moveActive(Math.ceil(els.list.scrollTop / ROW_HEIGHT));
      }
    });
    window.addEventListener('resize', scheduleRender);
    for (const control of [els.filterType, els.filterVerdict, els.filterFailed]) {
      control.addEventListener('change', rebuildView);
    }
    els.filterId.addEventListener('input', rebuildView);
    $('filters').addEventListener('submit', (event) => event.preventDefault());

    els.replayForm.addEventListener('submit', onReplay);
    els.replayUrl.addEventListener('input', renderCommands);
    els.replayKeep.addEventListener('change', renderCommands);
    $('copy-replay').addEventListener('click', () => copy(els.replayCommand.textContent));
    $('copy-curl').addEventListener('click', () => copy(els.curlCommand.textContent));
    for (const id of TABS) {
      $(id).addEventListener('click', () => selectTab(id, false));
      $(id).addEventListener('keydown', onTabKey);
    }

    connect();
  }

  start();
})();

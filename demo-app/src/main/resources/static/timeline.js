// The establishment timeline: every Connection's racing waterfall (RFC 9623 §4.2 resolution,
// §4.3 racing) on ONE wall-clock axis. Each report says when its establishment started
// (establishment.startedAt) and times its resolutions and attempts from there, so a bar's place
// is startedAt + offset for every Connection alike. Idle stretches between establishments
// (longer than GAP_MS) can be collapsed into a marked break, so that a 2 ms DNS answer is still
// visible next to connections made minutes apart; within a stretch the scale is linear.
'use strict';

const TIMELINE = {
  GAP_MS: 1000,            // a quiet stretch longer than this becomes a break when collapsing
  GAP_WIDTH: 4,            // percent of the track a break takes
  MIN_SEGMENT_SHARE: 0.15, // a stretch gets at least this share of the longest one's width
  MAX_CONNECTIONS: 40,     // the most recent establishments drawn (bounded DOM)
};

/** Epoch milliseconds (fractional) of an ISO-8601 instant with up to nanosecond digits. */
function instantMs(iso) {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(iso);
  if (!match) return Date.parse(iso);
  const fraction = (match[2] || '0').padEnd(9, '0');
  return Date.parse(match[1] + match[3]) + Number(fraction) / 1e6;
}

/** The bars of one Connection in epoch milliseconds: its resolutions, then its attempts. */
function establishmentBars(connection, now) {
  const e = connection.establishment;
  if (!e || !e.startedAt) {
    // Accepted by a Listener: no race, one mark when it became Ready.
    const ready = connection.transfer && connection.transfer.readyAt;
    return ready ? { start: instantMs(ready), end: instantMs(ready), bars: [{ kind: 'accepted',
      start: instantMs(ready), end: instantMs(ready), label: 'accepted by ' + (connection.listener || 'a Listener'),
      outcome: 'ACCEPTED' }] } : null;
  }
  const origin = instantMs(e.startedAt);
  const bars = [];
  for (const r of e.resolutions || []) {
    const start = origin + (r.startMs == null ? r.endMs : r.startMs);
    bars.push({ kind: 'dns', start, end: origin + r.endMs, outcome: r.error ? 'FAILED' : 'DNS',
      label: 'DNS ' + r.family + ' ' + r.name, detail: r.answers + ' answer(s)' + (r.error ? ': ' + r.error : '') });
  }
  for (const a of e.attempts || []) {
    const start = origin + a.startMs;
    const end = a.durationMs != null ? start + a.durationMs : (e.finished ? origin + e.elapsedMs : now);
    const via = a.proxy ? ' via ' + a.proxy : '';
    bars.push({ kind: 'attempt', start, end, outcome: a.outcome, label: a.outcome + ' ' + a.stack + ' ' + a.remote + via,
      detail: a.message || a.reason || '' });
  }
  const end = Math.max(origin + e.elapsedMs, ...bars.map(b => b.end));
  return { start: origin, end, bars };
}

/** The axis: busy stretches (merged establishments) and the breaks between them. */
function timelineAxis(spans, collapse) {
  const sorted = spans.map(s => [s.start, Math.max(s.end, s.start)]).sort((a, b) => a[0] - b[0]);
  const stretches = [];
  for (const [start, end] of sorted) {
    const last = stretches[stretches.length - 1];
    if (last && (!collapse || start - last.to <= TIMELINE.GAP_MS)) last.to = Math.max(last.to, end);
    else stretches.push({ from: start, to: end });
  }
  const longest = Math.max(...stretches.map(s => s.to - s.from), 1);
  const weights = stretches.map(s => Math.max(s.to - s.from, TIMELINE.MIN_SEGMENT_SHARE * longest, 0.001));
  const total = weights.reduce((a, b) => a + b, 0);
  const room = 100 - TIMELINE.GAP_WIDTH * (stretches.length - 1);
  let left = 0;
  stretches.forEach((s, i) => {
    s.left = left;
    s.width = room * weights[i] / total;
    left += s.width + TIMELINE.GAP_WIDTH;
  });
  return {
    stretches,
    start: stretches[0].from,
    end: stretches[stretches.length - 1].to,
    /** Percent of the track for an epoch time. */
    x(t) {
      for (let i = 0; i < stretches.length; i++) {
        const s = stretches[i];
        if (t <= s.to || i === stretches.length - 1) {
          const span = Math.max(s.to - s.from, 0.001);
          return s.left + s.width * Math.min(1, Math.max(0, (t - s.from) / span));
        }
      }
      return 100;
    },
  };
}

function clock(t) {
  const d = new Date(t);
  return d.toLocaleTimeString([], { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
}

function duration(msValue) {
  return msValue >= 1000 ? (msValue / 1000).toFixed(1) + ' s' : msValue.toFixed(msValue < 10 ? 2 : 0) + ' ms';
}

function barElement(axis, bar, connectionId) {
  const left = axis.x(bar.start);
  const width = Math.max(0, axis.x(bar.end) - left);
  return el('span', { class: 'bar ' + bar.outcome, style: 'left:' + left.toFixed(3) + '%;width:' + width.toFixed(3) + '%',
    'data-connection-id': connectionId });
}

function breaks(axis) {
  return axis.stretches.slice(1).map((s, i) => {
    const previous = axis.stretches[i];
    return el('span', { class: 'break', style: 'left:' + (previous.left + previous.width).toFixed(3) + '%;width:'
        + TIMELINE.GAP_WIDTH + '%', title: duration(s.from - previous.to) + ' with no establishment' });
  });
}

/** A round step (1, 2 or 5 times a power of ten, in ms) giving about {@code count} ticks over {@code span}. */
function tickStep(span, count) {
  const raw = span / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 0.001))));
  return [1, 2, 5, 10].map(f => f * power).find(step => step >= raw);
}

function axisRow(axis) {
  const labels = [];
  axis.stretches.forEach((s, i) => {
    labels.push(el('span', { class: 'tick', style: 'left:' + s.left.toFixed(3) + '%' }, clock(s.from)));
    // Linear inside a stretch: minor ticks every round step from its start, about one per 12% of the track.
    const span = s.to - s.from;
    const step = tickStep(span, Math.floor(s.width / 12));
    for (let t = step; span > 0 && t < span * 0.85; t += step) {
      labels.push(el('span', { class: 'tick minor', style: 'left:' + (s.left + s.width * t / span).toFixed(3) + '%' },
          '+' + duration(t)));
    }
    labels.push(el('span', { class: 'tick end', style: 'left:' + (s.left + s.width).toFixed(3) + '%' },
        '+' + duration(s.to - s.from)));
    if (i > 0) {
      const previous = axis.stretches[i - 1];
      labels.push(el('span', { class: 'gap-label', style: 'left:' + (previous.left + previous.width).toFixed(3) + '%;width:'
          + TIMELINE.GAP_WIDTH + '%' }, '⋯'));
    }
  });
  return el('div', { class: 'timeline-row axis' }, el('span', { class: 'label' }, 'wall clock'),
      el('span', { class: 'track' }, ...breaks(axis), ...labels), el('span', { class: 'time' }, ''));
}

function renderTimeline(connections) {
  const now = Date.now();
  const collapse = document.getElementById('collapse-gaps').checked;
  const drawn = connections.map(c => ({ connection: c, span: establishmentBars(c, now) })).filter(d => d.span)
      .sort((a, b) => a.span.start - b.span.start).slice(-TIMELINE.MAX_CONNECTIONS);
  const target = document.getElementById('timeline');
  if (drawn.length === 0) {
    target.replaceChildren(el('p', { class: 'meta' }, 'no establishment yet'));
    return;
  }
  const axis = timelineAxis(drawn.map(d => d.span), collapse);
  target.dataset.axisStart = String(axis.start);
  target.dataset.axisEnd = String(axis.end);
  target.dataset.stretches = String(axis.stretches.length);
  const rows = [axisRow(axis)];
  for (const { connection: c, span } of drawn) {
    rows.push(el('div', { class: 'timeline-row connection-row', 'data-connection-id': c.id, 'data-start': String(span.start) },
        el('span', { class: 'label' }, c.id + ' · ' + c.role + (c.listener ? ' (' + c.listener + ')' : '') + ' · '
            + (c.protocolStack || '…')),
        el('span', { class: 'track' }, ...breaks(axis), el('span', { class: 'bar span',
          style: 'left:' + axis.x(span.start).toFixed(3) + '%;width:' + (axis.x(span.end) - axis.x(span.start)).toFixed(3) + '%' })),
        el('span', { class: 'time' }, clock(span.start))));
    for (const bar of span.bars) {
      const attrs = { class: 'timeline-row waterfall-row', 'data-kind': bar.kind, 'data-outcome': bar.outcome,
        'data-connection-id': c.id, 'data-start': String(bar.start), 'data-end': String(bar.end),
        title: bar.label + (bar.detail ? ': ' + bar.detail : '') };
      rows.push(el('div', attrs, el('span', { class: 'label' }, bar.label),
          el('span', { class: 'track' }, ...breaks(axis), barElement(axis, bar, c.id)),
          el('span', { class: 'time' }, '+' + duration(bar.start - span.start) + ' / ' + duration(bar.end - bar.start))));
    }
  }
  target.replaceChildren(...rows);
}

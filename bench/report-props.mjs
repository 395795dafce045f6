// The "Bulk property write" section of docs/benchmarks.md (bench/cases/property-write.mjs): REST
// against --via capture, each against the time PostHog Cloud's read limit allows.
import { int, ratio, seconds } from './lib/stats.mjs';

const minutes = (ms) => (ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : seconds(ms));

export function propsSection(props, bars) {
  const capture = props.runs.filter((r) => r.via === 'capture');
  const rest = props.runs.filter((r) => r.via === 'api');
  for (const run of capture) {
    const lookups = Math.ceil(run.persons / 200);
    const captures = Math.ceil(run.persons / 1000);
    const holds = run.restWrites === 0 && run.lookups === lookups && run.captures <= captures + 1 && run.created === 0 && run.wrong === 0 && run.cloudBoundMs < 120_000;
    bars.push({
      id: `props-${run.persons}`,
      bar: `bulk property write of ${int(run.persons)} persons \`--via capture\`: ceil(N/200) lookups + about ceil(N/1000) capture requests, 0 REST writes${run.persons >= 50000 ? '; well under 2 minutes of limit time' : ''}`,
      measured: `${int(run.lookups)} lookups, ${int(run.captures)} capture requests, ${run.restWrites} REST writes; ${minutes(run.cloudBoundMs)} of limit time; ${run.created} persons created, ${run.wrong} without the value`,
      holds,
    });
  }
  const row = (run) => {
    const r = run.boundMs > 0 ? ratio(run.wallMs / run.boundMs) : 'n/a (the limit does not bind)';
    return `| \`--via ${run.via}\` | ${int(run.persons)} | ${int(run.limit)}/min | ${int(run.lookups)} / ${int(run.captures)} / ${int(run.restWrites)} | ${seconds(run.wallMs)} | ${seconds(run.boundMs)} | ${r} | ${run.throttled} | ${minutes(run.cloudBoundMs)} | ${run.created} / ${run.wrong} |`;
  };
  const computed = props.computed.map(
    (c) => `| \`--via api\` (not run) | ${int(c.persons)} | | ${int(c.requests - c.persons)} / 0 / ${int(c.persons)} | | | | | ${minutes(c.cloudBoundMs)} | |`,
  );
  return `## Bulk property write

\`set-prop --from-file plans.csv --yes\` (one \`plan\` column) through the REST API (the default: a lookup
a batch of 100, then one PATCH a person) and with \`--via capture\` (a lookup per 200 identifiers, then
\`$set\` events, 1,000 a request), against a sandbox that throttles reads like PostHog Cloud
(\`posthog-persons --rate-limit L sandbox\`) with the client at the same limit. Capture requests are
not rate limited (PostHog does not limit them per key), so only the lookups and the project read
count against the limit. The capture runs use Cloud's real 240 reads a minute. A REST run at 240 a
minute would take hours, so it runs at ${props.scale} × 240 = ${int(props.cloudLimit * props.scale)} a minute: the time the limit allows is
then ${props.scale} times shorter, and the last column gives the bound at Cloud's 240 a minute for the same
requests. After each run the bench reads every person back and counts the persons: none may have
been created (capture would make a person of an unknown distinct_id) and every one must have the
new value.

| path | persons | limit | lookups / capture / REST writes | wall time | bound at this limit | ratio | 429s | bound at Cloud's 240/min | created / without the value |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${[...capture.map(row), ...rest.map(row), ...computed].join('\n')}

The bound is the sliding-window bound of the *Rate limited* section, ⌊(N − 1) / L⌋ × 60 s for the N
rate-limited requests. Through capture, ${int(capture.at(-1)?.persons ?? 0)} persons need ${int(capture.at(-1)?.lookups ?? 0)} lookups, so the limit allows them in
${minutes(capture.at(-1)?.cloudBoundMs ?? 0)}; through the REST API the same persons need a request each.
`;
}



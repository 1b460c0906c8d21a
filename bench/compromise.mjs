// The reference peer for bench/run.py: compromise (npm), people, places and
// organisations with offsets, one paragraph at a time, one JSON line per
// paragraph on stdout. Usage: node compromise.mjs FILE
import { readFileSync } from 'node:fs';
import nlp from 'compromise';

const text = readFileSync(process.argv[2], 'utf8');
const out = [];
for (const paragraph of text.split(/\n\s*\n/)) {
  if (!paragraph.trim()) continue;
  const doc = nlp(paragraph);
  const entities = [];
  for (const [type, view] of [['PERSON', doc.people()], ['LOCATION', doc.places()],
                              ['ORGANIZATION', doc.organizations()]]) {
    for (const m of view.json({ offset: true })) {
      entities.push({ text: m.text, type, start: m.offset.start, end: m.offset.start + m.offset.length });
    }
  }
  out.push(JSON.stringify({ entities }));
  if (out.length >= 1000) {
    process.stdout.write(out.join('\n') + '\n');
    out.length = 0;
  }
}
if (out.length) process.stdout.write(out.join('\n') + '\n');

import * as oldGen from '/tmp/wt-old/bench/generate/clinic.ts';
import { DayStrings as OldDays } from '/tmp/wt-old/bench/generate/dates.ts';
import * as newGen from '/work/main/bench/generate/clinic.ts';
import { defaultGeneratorOptions } from '/work/main/bench/generate/options.ts';

const o = { ...defaultGeneratorOptions(), anchorDate: '2026-06-15' };
const ids = { user: 2, clinic: 1, subscription: 1, group: 1, owner: 1 };
const da = new OldDays();
const plans = Array.from({ length: 200 }, (_, i) => oldGen.planClinic(o, i + 1, ids, 1, da));
for (let round = 0; round < 3; round++) {
  let t = performance.now();
  let n = 0;
  for (const p of plans) n += oldGen.petsText(o, p, 1, da).text.length;
  const a = performance.now() - t;
  t = performance.now();
  let m = 0;
  for (const p of plans) m += newGen.petsRows(o, p, 1).bytes.length;
  const b = performance.now() - t;
  console.log(
    `200 clinics' pets: text ${a.toFixed(0)} ms (${(n / 1e6).toFixed(1)} MB), binary ${b.toFixed(0)} ms (${(m / 1e6).toFixed(1)} MB)`,
  );
}

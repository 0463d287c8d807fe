import * as oldGen from '/tmp/wt-old/bench/generate/clinic.ts';
import { DayStrings as OldDays } from '/tmp/wt-old/bench/generate/dates.ts';
import * as newGen from '/work/main/bench/generate/clinic.ts';
import { DayStrings } from '/work/main/bench/generate/dates.ts';
import { defaultGeneratorOptions } from '/work/main/bench/generate/options.ts';
import {
  copyBinaryToText,
  ownerFieldTypes,
  petFieldTypes,
} from '/work/main/test/helpers/copy-binary.ts';

const options = { ...defaultGeneratorOptions(), anchorDate: '2026-06-15' };
let same = 0,
  rows = 0,
  owners = 0;
for (const seed of ['vetalyze', 'other']) {
  const o = { ...options, seed };
  const idsA = { user: 2, clinic: 1, subscription: 1, group: 1, owner: 1 };
  const idsB = { user: 2, clinic: 1, subscription: 1, group: 1, owner: 1 };
  const da = new OldDays(),
    db = new DayStrings();
  let petA = 1,
    petB = 1;
  for (let i = 1; i <= 40; i++) {
    const pa = oldGen.planClinic(o, i, idsA, 1, da);
    const pb = newGen.planClinic(o, i, idsB, 1, db);
    const a = oldGen.petsText(o, pa, petA, da);
    petA += a.count;
    const b = newGen.petsRows(o, pb, petB);
    petB += b.count;
    const ta = a.text.toString(),
      tb = copyBinaryToText(b.bytes, petFieldTypes);
    rows += a.count;
    const oa = oldGen.ownersText(o, pa, da).toString(),
      ob = copyBinaryToText(newGen.ownersRows(o, pb), ownerFieldTypes);
    if (oa !== ob) {
      console.log('OWNERS DIFF', i, seed);
      const la = oa.split('\n'),
        lb = ob.split('\n');
      for (let k = 0; k < la.length; k++)
        if (la[k] !== lb[k]) {
          console.log(la[k]);
          console.log(lb[k]);
          break;
        }
      process.exit(1);
    }
    owners += pa.ownerCount;
    if (ta === tb) same++;
    else {
      console.log('DIFF clinic', i, seed);
      const la = ta.split('\n'),
        lb = tb.split('\n');
      for (let k = 0; k < la.length; k++)
        if (la[k] !== lb[k]) {
          console.log(la[k]);
          console.log(lb[k]);
          break;
        }
      process.exit(1);
    }
  }
}
console.log(
  'clinics with identical owners and pets',
  same,
  'of 80; pet rows',
  rows,
  'owner rows',
  owners,
);

import { readFileSync } from 'node:fs';
import { sampleCsv, searchOnCsv, type SearchOutcome } from './bench/right-answers-lib.js';
const adult = readFileSync('examples/data/adult.csv', 'utf8');
const seeds = process.argv.slice(2).map(Number);
const show = (name: string, seed: number, o: SearchOutcome) => {
  console.log(`${name} seed ${seed}: chosen ${o.chosen.id} test ${o.chosen.test.toFixed(4)} vs baseline ${o.baseline.test.toFixed(4)} ${o.chosen.test >= o.baseline.test ? 'OK' : 'WORSE'} (${o.seconds}s) rows ${JSON.stringify(o.rows)}`);
  for (const c of o.trials) console.log(`   ${c.id} ${JSON.stringify(c.hyperparameters.hiddenUnits)} lr ${c.hyperparameters.learningRate} l2 ${c.hyperparameters.l2} p ${c.parameters} vl ${c.validationLoss.toFixed(4)} test ${c.test.toFixed(4)}`);
};
for (const seed of seeds.length ? seeds : [1]) {
  show('binary', seed, await searchOnCsv(sampleCsv(adult, 500, seed), { name: 'adult-small', task: 'binary', label: 'class', positiveClass: '>50K', exclude: ['fnlwgt'], sensitive: ['sex', 'race'], missingValues: ['', '?'] }, 'roc_auc'));
  show('regression', seed, await searchOnCsv(sampleCsv(adult, 1000, seed), { name: 'adult-age', task: 'regression', label: 'age', exclude: ['fnlwgt'], missingValues: ['', '?'] }, 'r2'));
}

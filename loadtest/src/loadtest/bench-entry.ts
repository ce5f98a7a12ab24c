// `npm run bench -- loadtest`: the report's set of k6 scenarios, as one benchmark. A crossed
// threshold is reported in the results (and the report), not thrown, so `all` goes on.
import { runLoadtests } from './main.js';

export async function run(): Promise<void> {
  const code = await runLoadtests(['all']);
  if (code === 130) throw new Error('interrupted');
  if (code !== 0) console.error(`loadtest: exit ${code}; see bench-results/loadtest-*.json`);
}

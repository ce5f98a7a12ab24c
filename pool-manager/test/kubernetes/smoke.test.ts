import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCluster, type TestCluster } from './harness/cluster.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster();
}, 300_000);
afterAll(async () => {
  await cluster?.stop();
});
it('has a ready node', async () => {
  const out = await cluster.kubectl(['get', 'nodes', '-o', 'name']);
  expect(out).toContain('kwok-node-0');
  console.log(await cluster.kubectl(['api-resources', '-o', 'name']));
});

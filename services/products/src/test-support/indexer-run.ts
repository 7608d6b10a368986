import { randomUUID } from 'node:crypto';
import { createLogger } from '@oms/service-kit';

/**
 * Names of one run of an indexer's integration test (`kind` is `indexer` or `stock`): unique per
 * run, because topics, groups and indexes outlive a crashed run and other test files share the
 * broker and Elasticsearch; and a silent logger.
 */
export function indexerTestRun(kind: string) {
  const run = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
  return {
    topic: `products-${kind}-test-${run}`,
    group: `products-${kind}-test-${run}`,
    replayGroup: `products-${kind}-test-replay-${run}`,
    index: `products_test_${kind}_${run}`,
    replayIndex: `products_test_${kind}_replay_${run}`,
    logger: createLogger(`products-${kind}-test`, 'silent'),
  };
}

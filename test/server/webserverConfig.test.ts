import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkWebserverConfig, MAX_THREADINESS, WEBSERVER_DEFAULTS } from '../../src/server/webserverConfig';

test('webserver.threadiness: -1, 0 and counts up to the cap are accepted; fractions, below -1 and above the cap are refused naming the key', () => {
  for (const t of [-1, 0, 1, MAX_THREADINESS]) checkWebserverConfig({ ...WEBSERVER_DEFAULTS, threadiness: t });
  for (const t of [-2, 1.5, MAX_THREADINESS + 1, 100000]) {
    assert.throws(() => checkWebserverConfig({ ...WEBSERVER_DEFAULTS, threadiness: t }), new RegExp(`^Error: webserver\\.threadiness must be an integer.*got ${t}$`));
  }
});

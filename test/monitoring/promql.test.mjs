// The PromQL name extractor the e2e test relies on: if it missed names, the
// "every metric name exists" check would pass for the wrong reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metricNames, substituteGrafana } from './helpers/promql.mjs';

test('metricNames finds metrics, skips functions, labels, strings, durations and keywords', () => {
  assert.deepEqual(metricNames('up == 0'), ['up']);
  assert.deepEqual(
    metricNames('histogram_quantile(0.95, sum by (job, le) (rate(http_server_request_duration_seconds_bucket{job=~"a|b", le!="1e3"}[5m] offset 1h)))'),
    ['http_server_request_duration_seconds_bucket'],
  );
  assert.deepEqual(
    metricNames('(job_instance:x:rate5m or job_instance:y:rate5m * 0) / on (job) group_left(instance) z_total > bool 0.05'),
    ['job_instance:x:rate5m', 'job_instance:y:rate5m', 'z_total'],
  );
  assert.deepEqual(metricNames('sum(a) without (le) + label_replace(b, "dst", "$1", "src", "(.*)") unless c'), ['a', 'b', 'c']);
  assert.deepEqual(metricNames('sum(rate(a_total[$__rate_interval:1m])) or vector(0)'), ['a_total']);
});

test('substituteGrafana replaces the dashboard variables', () => {
  const out = substituteGrafana('rate(x{job=~"$job", instance=~"${instance}"}[$__rate_interval]) + increase(y[$__range])', { job: 'j', instance: 'i' });
  assert.equal(out, 'rate(x{job=~"j", instance=~"i"}[30s]) + increase(y[5m])');
});

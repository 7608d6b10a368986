import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARTIFACT_VERSIONS, artifactsDir, cachedArtifacts } from './artifacts.js';
import { runtimeAssetsDir } from './settings.js';

const pomFile = path.join(runtimeAssetsDir(), 'pom.xml');
const pom = readFileSync(pomFile, 'utf8');

describe('the runtime pom', () => {
  it('when read, then it pins the versions the code reports', () => {
    expect(pom).toContain(`<kafka.version>${ARTIFACT_VERSIONS.kafka}</kafka.version>`);
    expect(pom).toContain(`<debezium.version>${ARTIFACT_VERSIONS.debezium}</debezium.version>`);
    expect(pom).toContain(`<elasticsearch.version>${ARTIFACT_VERSIONS.elasticsearch}</elasticsearch.version>`);
  });

  it('when read, then it has both copy executions the fetch runs', () => {
    expect(pom).toContain('<id>jvm-libs</id>');
    expect(pom).toContain('<id>archives</id>');
    for (const c of ['mariadb', 'mysql', 'jdbc']) expect(pom).toContain(`<artifactId>debezium-connector-${c}</artifactId>`);
  });
});

describe('artifactsDir', () => {
  it('when the pom changes, then the cache dir changes', () => {
    expect(artifactsDir('/c', pom)).toMatch(/^\/c\/local-runtime-[0-9a-f]{12}$/);
    expect(artifactsDir('/c', `${pom} `)).not.toBe(artifactsDir('/c', pom));
  });

  it('when the cache has no completion marker, then nothing is cached', () => {
    expect(cachedArtifacts('/nonexistent-oms-cache', pomFile)).toBeUndefined();
  });
});

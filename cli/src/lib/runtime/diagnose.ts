/**
 * Maps known failure signatures in a component's log (and its exit) to a one-line cause and
 * the fix. Pure: the supervisor feeds it the tail of the log.
 */
export interface Diagnosis {
  cause: string;
  hint: string;
}

export interface DiagnoseInput {
  component: string;
  /** The log lines written since this start. */
  lines: string[];
  exitCode?: number | null;
  signal?: string | null;
  /** Ports the component listens on (for the port-in-use hint). */
  ports?: number[];
  stateDir?: string;
  cacheDir?: string;
}

interface Rule {
  test: RegExp;
  diagnose: (input: DiagnoseInput, match: RegExpMatchArray) => Diagnosis;
}

const RULES: Rule[] = [
  {
    test: /can ?not run elasticsearch as root/i,
    diagnose: () => ({
      cause: 'Elasticsearch refuses to run as root',
      hint: 'Run it as a non-root user: oms does this with the system user `oms` (useradd --system oms) when it is root.',
    }),
  },
  {
    // the same text is only a WARN in dev mode (loopback): a failure is when it is not
    test: /^(?!.*\bWARN\b).*max virtual memory areas vm\.max_map_count \[(\d+)\] is too low/im,
    diagnose: () => ({
      cause: 'vm.max_map_count is too low for Elasticsearch',
      hint: 'sudo sysctl -w vm.max_map_count=262144',
    }),
  },
  {
    test: /Address already in use|EADDRINUSE|Bind on TCP\/IP port|could not bind IPv4 address|BindException|port \d+ is already in use/i,
    diagnose: (i) => ({
      cause: `a port of ${i.component} is already in use${i.ports?.length ? ` (${i.ports.join(', ')})` : ''}`,
      hint: `Free the port (ss -ltnp shows who holds it), or give ${i.component} another port in the oms config.`,
    }),
  },
  {
    test: /java\.lang\.OutOfMemoryError|Cannot allocate memory|insufficient memory for the Java Runtime/i,
    diagnose: (i) => ({
      cause: `${i.component} ran out of memory`,
      hint: 'Free some memory, or raise its heap in the oms config (heap.*).',
    }),
  },
  {
    test: /UnsupportedClassVersionError|has been compiled by a more recent version of the Java Runtime/i,
    diagnose: () => ({
      cause: 'the Java runtime is too old for this jar',
      hint: 'Install Java 17 (apt-get install -y openjdk-17-jre-headless) or point JAVA_HOME at Java 17-23.',
    }),
  },
  {
    test: /Failed to find any class that implements Connector|ClassNotFoundException: io\.debezium|plugins? (?:are )?missing/i,
    diagnose: (i) => ({
      cause: 'the Debezium connector plugins were not found by Kafka Connect',
      hint: `Delete the artifact cache and run again so it is fetched anew: rm -rf ${i.cacheDir ?? '~/.cache/oms'}/local-runtime-*`,
    }),
  },
  {
    test: /Invalid cluster\.id|Unexpected cluster id|No `meta\.properties` found|is not formatted|InconsistentClusterIdException/i,
    diagnose: () => ({
      cause: "Kafka's data dir does not match its configuration",
      hint: 'Wipe the local data and start again: oms down --volumes && oms up',
    }),
  },
  {
    test: /database files are incompatible with server|was initialized by PostgreSQL version/i,
    diagnose: () => ({
      cause: "PostgreSQL's data dir was made by another PostgreSQL version",
      hint: 'Wipe the local data and start again: oms down --volumes && oms up',
    }),
  },
  {
    test: /Unable to lock \.\/ibdata1|InnoDB: Check that you do not already have another mariadbd|lock file "postmaster\.pid" already exists/i,
    diagnose: (i) => ({
      cause: `another ${i.component} process is using the same data dir`,
      hint: 'Stop it first (oms down), or check `ps aux` for a leftover process.',
    }),
  },
  {
    test: /Permission denied|AccessDeniedException|could not (?:open|create|access) .*: Permission denied/i,
    diagnose: (i) => ({
      cause: `${i.component} cannot access its files`,
      hint: `Check that the state dir ${i.stateDir ?? ''} and its parents are readable by the user the component runs as.`,
    }),
  },
];

/** The first rule (most specific first) whose signature is in the lines, else one based on the exit. */
export function diagnose(input: DiagnoseInput): Diagnosis | undefined {
  const text = input.lines.join('\n');
  for (const rule of RULES) {
    const match = text.match(rule.test);
    if (match) return rule.diagnose(input, match);
  }
  if (input.exitCode === 137 || input.signal === 'SIGKILL') {
    return {
      cause: `${input.component} was killed (SIGKILL, exit 137: usually the kernel's OOM killer)`,
      hint: 'Free some memory, or lower the heaps in the oms config (heap.*); `dmesg | grep -i oom` tells.',
    };
  }
  return undefined;
}

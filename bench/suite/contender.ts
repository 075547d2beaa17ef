/** What every contender of the suite gets to work with. */
export interface SuiteContext {
  brokers: string;
  /** Fanout's API, for topics and subscriptions. */
  apiBase: string;
  /** The shared webhook sink. */
  sinkUrl: string;
  /** Environment for Fanout's own processes (bench database, Redis db, quiet logs). */
  fanoutEnv: NodeJS.ProcessEnv;
  /** Where the fetched jars live (the peers' and Kafka's tools). */
  kafkaLibs: string;
  peersDir: string;
  /** Events per throughput round (a contender that pushes without Kafka sends this many). */
  events: number;
  /** Topics contenders made on the way (dead-letter topics), deleted when the suite ends. */
  cleanupTopics: string[];
}

/** A contender that pushes to the sink: each `start` reads a topic from its earliest offset. */
export interface Pusher {
  name: string;
  /** Requests it keeps open at once, at most. */
  connections: number;
  /** False for contenders that do not read Kafka (no produce→ack latency to measure). */
  readsKafka: boolean;
  start(topic: string, ctx: SuiteContext): Promise<RunningContender>;
}

export interface RunningContender {
  /** The processes doing the work, by role, for CPU readings. */
  pids: Record<string, number>;
  stop(): Promise<void>;
}

/** A contender that only reads (a read ceiling): measures itself. */
export interface Reader {
  name: string;
  read(topic: string, count: number, ctx: SuiteContext): Promise<ReadResult>;
}

export interface ReadResult {
  eventsPerSecond: number;
  /** CPU seconds per 1,000 events read, by process role. */
  cpuPer1000: Record<string, number>;
  note?: string;
}

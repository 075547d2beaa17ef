import {
  CompressionTypes,
  Partitioners,
  type Kafka,
  type Message,
  type PartitionMetadata,
  type Producer,
} from 'kafkajs';
import { FanoutError } from '../errors/FanoutError.ts';
import type { TopicAdmin } from './topicAdmin.ts';

export interface OutgoingRecord {
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

export interface WrittenRecord {
  partition: number;
  offset: string;
}

const METADATA_TTL_MS = 30_000;

/**
 * Writes records with acks=all through an idempotent producer and answers with the partition
 * and offset of every record, in input order. We pick partitions ourselves, with the same
 * murmur2 partitioner as the Java client, so a key lands where any other producer would put
 * it and so each record's offset can be read off its partition's base offset.
 */
export class EventProducer {
  private producer: Producer;
  private readonly kafka: Kafka;
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly metadata = new Map<string, { at: number; partitions: PartitionMetadata[] }>();
  private connected: Promise<void> | undefined;

  private readonly admin: TopicAdmin;

  private readonly timeoutMs: number;

  /** `timeoutMs`: how long a send may wait for Kafka's acknowledgement before it fails. */
  constructor(kafka: Kafka, admin: TopicAdmin, timeoutMs = 10_000) {
    this.admin = admin;
    this.timeoutMs = timeoutMs;
    this.kafka = kafka;
    this.producer = this.newProducer();
  }

  private newProducer(): Producer {
    return this.kafka.producer({
      idempotent: true,
      // KafkaJS keeps idempotent ordering only with one request in flight per connection
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  /**
   * After a failed send the next one starts from a new producer: KafkaJS's keeps retrying a
   * leader that died (seen: a broker SIGKILLed and kept down, every write refused until it came
   * back although the partition had a new leader). A new producer reads fresh metadata.
   */
  private replaceProducer(): void {
    const old = this.producer;
    const wasConnected = this.connected;
    this.producer = this.newProducer();
    this.connected = undefined;
    if (wasConnected) void wasConnected.then(() => old.disconnect()).catch(() => undefined);
  }

  private async ready(): Promise<Producer> {
    this.connected ??= this.producer.connect().catch((err: unknown) => {
      this.connected = undefined;
      throw new FanoutError('FANOUT_KAFKA_UNAVAILABLE', 'cannot connect producer to Kafka', {
        cause: err,
      });
    });
    await this.connected;
    return this.producer;
  }

  private async partitionsOf(topic: string): Promise<PartitionMetadata[]> {
    const cached = this.metadata.get(topic);
    if (cached && Date.now() - cached.at < METADATA_TTL_MS) return cached.partitions;
    const partitions = await this.admin.partitionMetadata(topic);
    if (partitions === undefined) {
      throw new FanoutError('FANOUT_TOPIC_NOT_FOUND', `Kafka has no topic ${topic}`, {
        field: 'name',
      });
    }
    this.metadata.set(topic, { at: Date.now(), partitions });
    return partitions;
  }

  async send(topic: string, records: OutgoingRecord[]): Promise<WrittenRecord[]> {
    // The whole write — connecting, metadata, waiting behind earlier sends, the produce
    // itself — answers within the deadline: with a quorum of brokers gone KafkaJS can retry
    // for minutes. A write that times out may still land later; it was never acknowledged, so
    // the caller retries (with the same event ids, so it is delivered once).
    let timer: NodeJS.Timeout | undefined;
    const used = this.producer;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // the sends queued behind a stuck one would all time out: later ones get a new producer
        if (used === this.producer) this.replaceProducer();
        reject(
          new FanoutError(
            'FANOUT_KAFKA_UNAVAILABLE',
            `Kafka did not acknowledge the write within ${this.timeoutMs} ms; it may still land`,
          ),
        );
      }, this.timeoutMs);
    });
    const writing = this.write(topic, records);
    writing.catch(() => undefined); // settled after the deadline: nobody is waiting any more
    try {
      return await Promise.race([writing, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async write(topic: string, records: OutgoingRecord[]): Promise<WrittenRecord[]> {
    const producer = await this.ready();
    const partitionMetadata = await this.partitionsOf(topic);
    const messages: Message[] = records.map((r) => {
      const message: Message = { key: r.key, value: r.value, headers: r.headers };
      message.partition = this.partitioner({ topic, partitionMetadata, message });
      return message;
    });
    let results;
    try {
      results = await producer.send({
        topic,
        acks: -1,
        compression: CompressionTypes.None,
        messages,
      });
    } catch (err) {
      this.metadata.delete(topic);
      if (producer === this.producer) this.replaceProducer();
      const detail = err instanceof Error ? `: ${err.message}` : '';
      throw new FanoutError(
        'FANOUT_KAFKA_UNAVAILABLE',
        `Kafka did not acknowledge the write${detail}`,
        {
          cause: err,
        },
      );
    }
    const base = new Map(results.map((r) => [r.partition, BigInt(r.baseOffset ?? '-1')]));
    for (const m of messages) {
      if ((base.get(m.partition!) ?? -1n) < 0n) {
        // Seen after a leader was killed mid-send: KafkaJS resolved without an offset for a
        // partition it retried. The write may have happened; the caller must not get a 2xx.
        this.metadata.delete(topic);
        throw new FanoutError(
          'FANOUT_KAFKA_UNAVAILABLE',
          `Kafka did not report where partition ${m.partition} stored the write; it may have been written`,
        );
      }
    }
    const seen = new Map<number, bigint>();
    return messages.map((m) => {
      const partition = m.partition!;
      const index = seen.get(partition) ?? 0n;
      seen.set(partition, index + 1n);
      return { partition, offset: String(base.get(partition)! + index) };
    });
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = undefined;
  }
}

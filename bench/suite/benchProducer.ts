import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { benchKey, benchValue } from './benchPayload.ts';

/**
 * Writes the suite's events with a plain KafkaJS producer (acks from all replicas), the same
 * records for every contender: 1 KiB JSON values stamped with their produce time, 1,000 keys.
 */
export class BenchProducer {
  private readonly producer: Producer;

  constructor(brokers: string) {
    const kafka = new Kafka({
      clientId: 'bench-producer',
      brokers: brokers.split(','),
      logLevel: logLevel.ERROR,
    });
    this.producer = kafka.producer({ allowAutoTopicCreation: false });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }

  /** `count` events as fast as the broker takes them, in batches. */
  async fill(topic: string, count: number): Promise<void> {
    const batch = 1000;
    for (let n = 0; n < count; n += batch) {
      const now = Date.now();
      const messages = [];
      for (let i = n; i < Math.min(count, n + batch); i++) {
        messages.push({ key: benchKey(i), value: benchValue(i, now) });
      }
      await this.producer.send({ topic, acks: -1, messages });
    }
  }

  /** One event whose body carries no produce time (warm-up; the sink keeps no latency for it). */
  async sendUnstamped(topic: string): Promise<void> {
    await this.producer.send({
      topic,
      acks: -1,
      messages: [{ key: 'warm', value: benchValue(0, 0) }],
    });
  }

  /**
   * Produces at `perSecond` for `seconds`, each event stamped just before it is sent. Sends run
   * concurrently so a slow acknowledgement does not lower the rate. Unstamped events (a
   * warm-up) carry no produce time. Returns events produced.
   */
  async steady(topic: string, perSecond: number, seconds: number, stamped = true): Promise<number> {
    const total = perSecond * seconds;
    const t0 = performance.now();
    let sent = 0;
    const pending = new Set<Promise<unknown>>();
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * perSecond));
      if (due > sent) {
        const messages = [];
        const now = stamped ? Date.now() : 0;
        for (; sent < due; sent++)
          messages.push({ key: benchKey(sent), value: benchValue(sent + 1, now) });
        const p = this.producer.send({ topic, acks: -1, messages });
        pending.add(p);
        void p.finally(() => pending.delete(p));
      }
      await sleep(2);
    }
    await Promise.all(pending);
    return total;
  }
}

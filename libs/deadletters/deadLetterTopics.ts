import { deadLetterTopicOf } from '../registry/types.ts';

/** What creating a topic needs: TopicAdmin's `ensureTopic`. */
export interface TopicEnsurer {
  ensureTopic(name: string, partitions: number): Promise<boolean>;
}

/**
 * Each subscription's dead-letter topic, made when its first dead letter is written rather
 * than with the subscription: most subscriptions never dead-letter, and a topic per
 * subscription is 10,000 idle topics (and their files and metadata) on a cluster of 10,000
 * subscriptions. One check per subscription per process; a failed one is asked again.
 */
export class DeadLetterTopics {
  private readonly admin: TopicEnsurer;
  private readonly ready = new Map<string, Promise<string>>();

  constructor(admin: TopicEnsurer) {
    this.admin = admin;
  }

  /** The subscription's dead-letter topic, created (one partition, for order) if missing. */
  ensure(subscriptionId: string): Promise<string> {
    let topic = this.ready.get(subscriptionId);
    if (topic === undefined) {
      const name = deadLetterTopicOf(subscriptionId);
      topic = this.admin.ensureTopic(name, 1).then(() => name);
      topic.catch(() => this.ready.delete(subscriptionId));
      this.ready.set(subscriptionId, topic);
    }
    return topic;
  }
}

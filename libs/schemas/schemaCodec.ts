import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { FanoutError } from '../errors/FanoutError.ts';
import { HEADER_BYTES, isWireFormat } from './wireFormat.ts';

const FIRST_MESSAGE = Buffer.from([0]);

// How long the latest schema id of a subject is trusted before the registry is asked again:
// a newly registered version is picked up this soon without a registry call per produced event.
const LATEST_ID_TTL_MS = 30_000;

/**
 * Validates, encodes and decodes record values with a Confluent-compatible schema registry
 * (Avro, JSON Schema or Protobuf, whichever the subject holds), through
 * @kafkajs/confluent-schema-registry. Registry failures become typed Fanout errors.
 */
export class SchemaCodec {
  private readonly registry: SchemaRegistry;
  private readonly latest = new Map<string, { id: number; at: number }>();

  constructor(url: string) {
    // the client retries on its own; one quick retry keeps a produce request from hanging
    this.registry = new SchemaRegistry({
      host: url,
      retry: { retries: 1, initialRetryTimeInSecs: 0.1 },
    });
  }

  /** The id of the subject's latest schema version; FANOUT_SCHEMA_NOT_FOUND when it has none. */
  async latestId(subject: string): Promise<number> {
    const cached = this.latest.get(subject);
    if (cached !== undefined && Date.now() - cached.at < LATEST_ID_TTL_MS) return cached.id;
    let id: number;
    try {
      id = await this.registry.getLatestSchemaId(subject);
    } catch (err) {
      throw registryError(err, subject);
    }
    this.latest.set(subject, { id, at: Date.now() });
    return id;
  }

  /**
   * The payload validated against the subject's latest schema and serialised in the wire format.
   * A payload that does not fit is FANOUT_VALIDATION naming `field` (and the paths that failed).
   */
  async encode(subject: string, payload: unknown, field: string): Promise<Buffer> {
    const id = await this.latestId(subject);
    try {
      const encoded = await this.registry.encode(id, payload);
      // Confluent's Protobuf framing puts the message's index path after the schema id; the
      // client writes none. It encodes the schema's first message, whose path [0] is one 0 byte.
      if (this.registry.cache.getSchema(id)?.type !== SchemaType.PROTOBUF) return encoded;
      return Buffer.concat([
        encoded.subarray(0, HEADER_BYTES),
        FIRST_MESSAGE,
        encoded.subarray(HEADER_BYTES),
      ]);
    } catch (err) {
      const e = err as Error & { paths?: string[][] };
      if (e.name === 'ConfluentSchemaRegistryValidationError') {
        const where = (e.paths ?? []).map((p) => p.join('.')).filter((p) => p !== '');
        const detail = where.length > 0 ? ` (at ${where.join(', ')})` : `: ${e.message}`;
        throw new FanoutError(
          'FANOUT_VALIDATION',
          `${field} does not match schema subject ${subject}${detail}`,
          { field },
        );
      }
      throw registryError(err, subject);
    }
  }

  /** A wire-format value decoded to its JSON value; other values are not decoded (undefined). */
  async decode(value: Buffer): Promise<unknown> {
    if (!isWireFormat(value)) return undefined;
    try {
      return (await this.registry.decode(value)) as unknown;
    } catch (err) {
      throw registryError(err, undefined);
    }
  }
}

function registryError(err: unknown, subject: string | undefined): FanoutError {
  const status = (err as { status?: number }).status;
  if (status === 404 && subject !== undefined) {
    return new FanoutError(
      'FANOUT_SCHEMA_NOT_FOUND',
      `the schema registry has no subject ${subject}`,
      { field: 'schemaSubject', cause: err },
    );
  }
  return new FanoutError(
    'FANOUT_SCHEMA_REGISTRY_UNAVAILABLE',
    `schema registry: ${(err as Error).message}`,
    { cause: err },
  );
}

/**
 * The Confluent wire format of a schema-registry record value: magic byte 0, the schema id as a
 * 4-byte big-endian integer, then the serialised payload.
 */
export const MAGIC_BYTE = 0;
export const HEADER_BYTES = 5;

export function isWireFormat(value: Buffer): boolean {
  return value.length >= HEADER_BYTES && value[0] === MAGIC_BYTE;
}

export function schemaIdOf(value: Buffer): number {
  return value.readUInt32BE(1);
}

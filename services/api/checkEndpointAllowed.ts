import { FanoutError } from '../../libs/errors/FanoutError.ts';
import { endpointTransport } from '../../libs/net/endpointTransport.ts';

/** Refuses, at registration, an endpoint the bridge would refuse to call (see addressPolicy). */
export async function checkEndpointAllowed(url: string): Promise<void> {
  const refusal = await endpointTransport().registrationRefusal(url);
  if (refusal !== null) {
    throw new FanoutError('FANOUT_ENDPOINT_NOT_ALLOWED', `endpoint is not allowed: ${refusal}`, {
      field: 'endpoint',
    });
  }
}

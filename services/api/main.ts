import { createRuntime } from '../runtime/createRuntime.ts';
import { onShutdown } from '../runtime/onShutdown.ts';
import { startApi } from './startApi.ts';

const rt = await createRuntime('api');
const api = await startApi(rt);
onShutdown(rt.log, async () => {
  await api.stop();
  await rt.close();
});

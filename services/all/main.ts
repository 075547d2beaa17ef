import { startApi } from '../api/startApi.ts';
import { startBridge } from '../bridge/startBridge.ts';
import { startRouter } from '../router/startRouter.ts';
import { createRuntime } from '../runtime/createRuntime.ts';
import { onShutdown } from '../runtime/onShutdown.ts';

// The local default: api, bridge and router in one process, sharing connections.
const rt = await createRuntime('all');
const api = await startApi(rt);
const bridge = await startBridge(rt);
const router = await startRouter(rt);
onShutdown(rt.log, async () => {
  await api.stop();
  await router.stop();
  await bridge.stop();
  await rt.close();
});

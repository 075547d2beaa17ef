import { createRuntime } from '../runtime/createRuntime.ts';
import { onShutdown } from '../runtime/onShutdown.ts';
import { startHealthServer } from '../runtime/startHealthServer.ts';
import { startRouter } from './startRouter.ts';

const rt = await createRuntime('router');
const router = await startRouter(rt);
const health = await startHealthServer(rt);
onShutdown(rt.log, async () => {
  await health?.close();
  await router.stop();
  await rt.close();
});

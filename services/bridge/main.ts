import { createRuntime } from '../runtime/createRuntime.ts';
import { onShutdown } from '../runtime/onShutdown.ts';
import { startHealthServer } from '../runtime/startHealthServer.ts';
import { startBridge } from './startBridge.ts';

const rt = await createRuntime('bridge');
const bridge = await startBridge(rt);
const health = await startHealthServer(rt);
onShutdown(rt.log, async () => {
  await health?.close();
  await bridge.stop();
  await rt.close();
});
